import type { Queryable } from '../db/index.js';
import { crosswalkPages } from './crosswalk.js';
import { bcubedScores, Contingency, falseMerges, missedLinks, pairwiseScores, type BCubedScores, type PairwiseScores } from './metrics.js';
import { readTruth, recordKey, recordLabel, type TruthOptions } from './truth.js';

export { crosswalkPages, type CrosswalkRow } from './crosswalk.js';
export * from './metrics.js';
export { ENTITY_COLUMNS, readTruth, type Truth, type TruthOptions } from './truth.js';

export interface EvaluateOptions extends TruthOptions {
  /** How many false merges and missed links to list. @default 20 */
  limit?: number | undefined;
  /** Crosswalk page size (tests use small pages to cross page boundaries). @default 50000 */
  pageSize?: number | undefined;
}

export interface FalseMerge {
  customerId: number;
  records: number;
  /** The truth entities whose records this customer holds, largest first, with their "source:key" members. */
  entities: { entity: string; members: string[] }[];
}

export interface MissedLink {
  entity: string;
  records: number;
  /** The customers this entity's records are spread over, largest first. */
  customers: { customerId: number; members: string[] }[];
}

export interface EvalReport {
  /** Records in both the truth file and the crosswalk: the only ones scored. */
  records: number;
  truthRowsMissing: number;
  crosswalkRowsWithoutTruth: number;
  pairwise: PairwiseScores;
  bcubed: BCubedScores;
  falseMergeCount: number;
  falseMerges: FalseMerge[];
  missedLinkCount: number;
  missedLinks: MissedLink[];
}

/** Scores the crosswalk in the database against a truth file. Memory: O(truth rows), one crosswalk page at a time. */
export async function evaluate(db: Queryable, truthFile: string, options: EvaluateOptions = {}): Promise<EvalReport> {
  const truth = await readTruth(truthFile, options);
  const limit = options.limit ?? 20;
  // Customer of each truth row (-1: not in the crosswalk), to list members of the few reported splits.
  const customerOf = new Float64Array(truth.entityOf.length).fill(-1);
  const table = new Contingency<number, number>();
  let crosswalkRowsWithoutTruth = 0;
  for await (const page of crosswalkPages(db, { source: options.source, pageSize: options.pageSize })) {
    for (const { source, source_key, customer_id } of page) {
      const row = truth.rows.get(recordKey(source, source_key));
      if (row === undefined) {
        crosswalkRowsWithoutTruth++;
        continue;
      }
      customerOf[row] = customer_id;
      table.add(customer_id, truth.entityOf[row]!);
    }
  }

  const merges = falseMerges(table, limit);
  const missed = missedLinks(table, limit);
  // customer → entity → members, and entity → customer → members, for the listed ones only.
  const mergeMembers = new Map(merges.top.map((m) => [m.id, new Map(m.parts.map((p) => [p.id, [] as string[]]))]));
  const missedMembers = new Map(missed.top.map((m) => [m.id, new Map(m.parts.map((p) => [p.id, [] as string[]]))]));
  if (mergeMembers.size + missedMembers.size > 0) {
    for (const [key, row] of truth.rows) {
      const customer = customerOf[row]!;
      if (customer < 0) continue;
      const entity = truth.entityOf[row]!;
      mergeMembers.get(customer)?.get(entity)?.push(recordLabel(key));
      missedMembers.get(entity)?.get(customer)?.push(recordLabel(key));
    }
  }
  const sorted = (members: string[] | undefined) => (members ?? []).sort();

  return {
    records: table.records,
    truthRowsMissing: truth.entityOf.length - table.records,
    crosswalkRowsWithoutTruth,
    pairwise: pairwiseScores(table),
    bcubed: bcubedScores(table),
    falseMergeCount: merges.count,
    falseMerges: merges.top.map((m) => ({
      customerId: m.id,
      records: m.records,
      entities: m.parts.map((p) => ({ entity: truth.entities[p.id]!, members: sorted(mergeMembers.get(m.id)?.get(p.id)) })),
    })),
    missedLinkCount: missed.count,
    missedLinks: missed.top.map((m) => ({
      entity: truth.entities[m.id]!,
      records: m.records,
      customers: m.parts.map((p) => ({ customerId: p.id, members: sorted(missedMembers.get(m.id)?.get(p.id)) })),
    })),
  };
}
