import type { GoldenConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import { levelWeight, priorWeight, type MatchModel } from './model.js';
import { blocklistValues } from './resolve.js';
import { buildBlocklist, buildDelta, buildLevels, buildPairs, buildRecords, dropScratch, tuneForBulkWork } from './stages.js';
import { loadModel, trainModel } from './train.js';

export interface LevelChange {
  comparison: string;
  level: string;
  before: number | null;
  after: number;
}

export interface TrainSummary {
  modelId: number;
  previousModelId: number | null;
  records: number;
  candidatePairs: number;
  prior: { before: number | null; after: number };
  levels: LevelChange[];
  seconds: number;
}

/**
 * `golden train`: re-estimates the model on every record in the crosswalk (u from random
 * pairs, m and λ by EM over all candidate pairs) and stores it as the model later runs use.
 * Customers are not re-clustered: the new weights apply to the next records that arrive.
 */
export async function retrain(db: Database, config: GoldenConfig): Promise<TrainSummary> {
  const started = Date.now();
  return db.transaction(async (tx) => {
    await tuneForBulkWork(tx, db.engine);
    const previous = await loadModel(tx);
    await dropScratch(tx);
    await buildBlocklist(tx, blocklistValues(config));
    await buildDelta(tx, [], 'train');
    await buildPairs(tx, config);
    await buildRecords(tx, config, true);
    await buildLevels(tx);
    const [counts] = (await tx.query<{ records: number; pairs: number }>(
      'SELECT (SELECT count(*) FROM rs_recs)::bigint AS records, (SELECT count(*) FROM rs_levels)::bigint AS pairs',
    )) as [{ records: number; pairs: number }];
    const stored = await trainModel(tx, config);
    await dropScratch(tx);
    return {
      modelId: stored.id,
      previousModelId: previous?.id ?? null,
      records: Number(counts.records),
      candidatePairs: Number(counts.pairs),
      prior: { before: previous ? priorWeight(previous.model) : null, after: priorWeight(stored.model) },
      levels: compareModels(previous?.model ?? null, stored.model),
      seconds: (Date.now() - started) / 1000,
    };
  });
}

/** Every level's weight before and after (a comparison the old model lacked shows null). */
export function compareModels(before: MatchModel | null, after: MatchModel): LevelChange[] {
  return after.comparisons.flatMap((c, i) =>
    c.levels.map((level, k) => {
      const old = before?.comparisons.find((b) => b.name === c.name);
      const oldLevel = old?.levels.find((l) => l.label === level.label);
      const oldIndex = old === undefined || oldLevel === undefined ? -1 : old.levels.indexOf(oldLevel);
      return {
        comparison: c.label,
        level: level.label,
        before: before === null || oldIndex < 0 ? null : levelWeight(before, before.comparisons.indexOf(old!), oldIndex + 1),
        after: levelWeight(after, i, k + 1),
      };
    }),
  );
}
