import type { GoldenConfig } from '../config/index.js';
import type { Session } from '../db/index.js';
import { copyText } from '../db/index.js';
import { exactU, probabilityToWeight, scorePattern, type MatchModel } from './model.js';

/** Term-frequency bonus never exceeds this many bits: a one-off spelling is not proof. */
export const MAX_TF_BONUS = 4;

/**
 * Scores every candidate pair: the pattern's weight plus term-frequency adjustments for exact
 * name agreement (agreeing on "Smith" is worth less than on "Zawadzki"), then keeps only what
 * clustering needs: pairs above the review weight, and clear non-matches / cannot-links as
 * guards. Per-pattern weights are computed in Node from the model and shipped as a table.
 */
export async function scorePairs(tx: Session, config: GoldenConfig, model: MatchModel, modelId: number): Promise<void> {
  const rc = config.resolve;
  const patterns = await tx.query<{ pattern: number }>('SELECT DISTINCT pattern FROM rs_levels');
  await tx.exec('CREATE UNLOGGED TABLE rs_weights (pattern int PRIMARY KEY, weight float8 NOT NULL, cannot_link text)');
  async function* lines() {
    for (const { pattern } of patterns) {
      const s = scorePattern(model, Number(pattern), rc.cannotLink);
      yield `${Number(pattern)}\t${s.weight}\t${copyText(s.cannotLink)}\n`;
    }
  }
  await tx.copyFrom('rs_weights', ['pattern', 'weight', 'cannot_link'], lines());
  await tx.exec('ANALYZE rs_weights');

  const uGiven = exactU(model, 'given_name');
  const uFamily = exactU(model, 'family_name');
  // Only exact name agreement is adjusted (value is NULL otherwise); a value not in the table
  // was held by one record at training time.
  const tfAdjust = (u: number, records: number, alias: string, value: string) =>
    `CASE WHEN ${value} IS NULL THEN 0 ELSE least(${MAX_TF_BONUS}, ln(${u} / coalesce(${alias}.frequency, ${1 / Math.max(records, 1)})) / ln(2)) END`;
  const review = probabilityToWeight(rc.reviewAt);
  const separate = probabilityToWeight(rc.separateBelow);
  // Only what clustering needs is kept: pairs from the review band up, and guards.
  await tx.exec(`CREATE UNLOGGED TABLE rs_edges WITH (autovacuum_enabled = off) AS
    SELECT code, rules, pattern, pattern_weight, tf_adjust, pattern_weight + tf_adjust AS weight,
      (cannot_link IS NOT NULL OR pattern_weight + tf_adjust < ${separate}) AS negative
    FROM (
      SELECT v.code, v.rules, v.pattern, w.cannot_link, w.weight AS pattern_weight,
        ${tfAdjust(uGiven, model.termRecords.given_name, 'tg', 'v.tf_given')}
        + ${tfAdjust(uFamily, model.termRecords.family_name, 'tf', 'v.tf_family')} AS tf_adjust
      FROM rs_levels v JOIN rs_weights w ON w.pattern = v.pattern
      LEFT JOIN match_term_frequencies tg ON tg.model_id = ${Number(modelId)} AND tg.field = 'given_name' AND tg.value = v.tf_given
      LEFT JOIN match_term_frequencies tf ON tf.model_id = ${Number(modelId)} AND tf.field = 'family_name' AND tf.value = v.tf_family
    ) scored
    WHERE cannot_link IS NOT NULL OR pattern_weight + tf_adjust >= ${review} OR pattern_weight + tf_adjust < ${separate}`);
  await tx.exec('CREATE INDEX ON rs_edges (code)');
  await tx.exec('ANALYZE rs_edges');
}
