import type { GoldenConfig } from '../config/index.js';
import type { Queryable, Session } from '../db/index.js';
import { buildModel, estimateM, estimateU, type MatchModel } from './model.js';
import { patternCounts, samplePatterns } from './stages.js';

export interface StoredModel {
  id: number;
  model: MatchModel;
}

/** The model in use: the newest trained one. */
export async function loadModel(db: Queryable): Promise<StoredModel | null> {
  const rows = await db.query<{ id: number; parameters: MatchModel }>('SELECT id, parameters FROM match_models ORDER BY id DESC LIMIT 1');
  const row = rows[0];
  return row === undefined ? null : { id: Number(row.id), model: row.parameters };
}

export async function loadModelById(db: Queryable, id: number): Promise<MatchModel | null> {
  const rows = await db.query<{ parameters: MatchModel }>('SELECT parameters FROM match_models WHERE id = $1', [id]);
  return rows[0]?.parameters ?? null;
}

/**
 * Trains on the pairs in rs_levels and the records in rs_recs: u from random pairs, m and λ by
 * EM, name term frequencies into rs_tf. Stores the model and its term frequencies.
 */
export async function trainModel(tx: Session, config: GoldenConfig): Promise<StoredModel> {
  const sample = await samplePatterns(tx, config.resolve.uSampleSize);
  const u = estimateU(sample);
  const counts = await patternCounts(tx);
  const fit = estimateM(counts, u, { cannotLink: config.resolve.cannotLink });
  const [terms] = (await tx.query<{ records: number; given: number; family: number }>(
    'SELECT count(*)::bigint AS records, count(gn)::bigint AS given, count(fn)::bigint AS family FROM rs_recs',
  )) as [{ records: number; given: number; family: number }];
  const pairs = counts.reduce((a, c) => a + c.count, 0);
  const model = buildModel(u, fit, { records: Number(terms.records), candidatePairs: pairs }, {
    given_name: Number(terms.given),
    family_name: Number(terms.family),
  });
  const [{ id }] = (await tx.query<{ id: number }>(
    `INSERT INTO match_models (id, record_count, pair_count, parameters)
     SELECT coalesce(max(id), 0) + 1, (SELECT count(*) FROM rs_recs), $1, $2 FROM match_models RETURNING id`,
    [pairs, JSON.stringify(model)],
  )) as [{ id: number }];
  // Values held by a single record are left out: an absent value counts as that rare.
  await tx.query(
    `INSERT INTO match_term_frequencies (model_id, field, value, frequency)
     SELECT $1::bigint, 'given_name', gn, count(*)::float8 / $2::float8 FROM rs_recs WHERE gn IS NOT NULL GROUP BY gn HAVING count(*) > 1
     UNION ALL
     SELECT $1::bigint, 'family_name', fn, count(*)::float8 / $3::float8 FROM rs_recs WHERE fn IS NOT NULL GROUP BY fn HAVING count(*) > 1`,
    [id, Math.max(1, model.termRecords.given_name), Math.max(1, model.termRecords.family_name)],
  );
  return { id: Number(id), model };
}
