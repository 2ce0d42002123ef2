/**
 * Clustering accuracy against a truth labelling, computed from counts only: the contingency
 * table n(cluster, entity) and the cluster and entity sizes. Enumerating pairs would cost
 * O(n²) for a big cluster; these sums cost O(records).
 */

export type ClusterId = number | string;
export type EntityId = number | string;

export interface PairwiseScores {
  precision: number;
  recall: number;
  f1: number;
  /** Pairs in the same cluster and the same entity. */
  truePositives: number;
  /** Pairs in the same cluster. */
  predictedPairs: number;
  /** Pairs in the same entity. */
  truePairs: number;
}

export interface BCubedScores {
  precision: number;
  recall: number;
  f1: number;
}

/** Predicted clusters (customers) crossed with truth entities, built one record at a time. */
export class Contingency<C extends ClusterId = ClusterId, E extends EntityId = EntityId> {
  /** cluster → entity → records in both. */
  readonly cells = new Map<C, Map<E, number>>();
  readonly clusterSizes = new Map<C, number>();
  readonly entitySizes = new Map<E, number>();
  records = 0;

  add(cluster: C, entity: E): void {
    let row = this.cells.get(cluster);
    if (!row) this.cells.set(cluster, (row = new Map()));
    row.set(entity, (row.get(entity) ?? 0) + 1);
    this.clusterSizes.set(cluster, (this.clusterSizes.get(cluster) ?? 0) + 1);
    this.entitySizes.set(entity, (this.entitySizes.get(entity) ?? 0) + 1);
    this.records++;
  }

  static from<C extends ClusterId, E extends EntityId>(records: Iterable<readonly [C, E]>): Contingency<C, E> {
    const table = new Contingency<C, E>();
    for (const [cluster, entity] of records) table.add(cluster, entity);
    return table;
  }
}

/** Pairs among n records. */
export function pairs(n: number): number {
  return (n * (n - 1)) / 2;
}

function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function sumPairs(sizes: Iterable<number>): number {
  let sum = 0;
  for (const n of sizes) sum += pairs(n);
  return sum;
}

/** Pairwise scores. With nothing predicted nothing is wrong (precision 1); with nothing to find nothing is missed (recall 1). */
export function pairwiseScores(table: Contingency): PairwiseScores {
  let truePositives = 0;
  for (const row of table.cells.values()) truePositives += sumPairs(row.values());
  const predictedPairs = sumPairs(table.clusterSizes.values());
  const truePairs = sumPairs(table.entitySizes.values());
  const precision = predictedPairs === 0 ? 1 : truePositives / predictedPairs;
  const recall = truePairs === 0 ? 1 : truePositives / truePairs;
  return { precision, recall, f1: f1(precision, recall), truePositives, predictedPairs, truePairs };
}

/**
 * B-cubed: per record, the share of its cluster that is its entity (precision) and the share of
 * its entity that is in its cluster (recall), averaged over records. The n records of a cell
 * each score n/|cluster| and n/|entity|, so a cell adds n²/|cluster| and n²/|entity|.
 */
export function bcubedScores(table: Contingency): BCubedScores {
  if (table.records === 0) return { precision: 1, recall: 1, f1: 1 };
  let precision = 0;
  let recall = 0;
  for (const [cluster, row] of table.cells) {
    const clusterSize = table.clusterSizes.get(cluster)!;
    for (const [entity, n] of row) {
      precision += (n * n) / clusterSize;
      recall += (n * n) / table.entitySizes.get(entity)!;
    }
  }
  precision /= table.records;
  recall /= table.records;
  return { precision, recall, f1: f1(precision, recall) };
}

export interface Split<K, P> {
  /** The cluster (false merge) or entity (missed link). */
  id: K;
  records: number;
  /** Its parts, largest first: entities of a cluster, or clusters of an entity. */
  parts: { id: P; records: number }[];
}

function compareIds(a: ClusterId, b: ClusterId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function bySizeThenId<K extends ClusterId>(a: { id: K; records: number }, b: { id: K; records: number }): number {
  return b.records - a.records || compareIds(a.id, b.id);
}

/** The `limit` largest items (candidates are at most one per record, so collecting them is O(records)). */
function largest<K extends ClusterId>(items: Iterable<{ id: K; records: number }>, limit: number): { id: K; records: number }[] {
  return [...items].sort(bySizeThenId).slice(0, limit);
}

/** Clusters holding records of more than one entity: how many, and the `limit` largest. */
export function falseMerges<C extends ClusterId, E extends EntityId>(table: Contingency<C, E>, limit: number): { count: number; top: Split<C, E>[] } {
  let count = 0;
  function* merged() {
    for (const [id, row] of table.cells) {
      if (row.size < 2) continue;
      count++;
      yield { id, records: table.clusterSizes.get(id)! };
    }
  }
  const top = largest(merged(), limit).map(({ id, records }) => ({
    id,
    records,
    parts: [...table.cells.get(id)!].map(([entity, n]) => ({ id: entity, records: n })).sort(bySizeThenId),
  }));
  return { count, top };
}

/** Entities whose records are spread over more than one cluster: how many, and the `limit` largest. */
export function missedLinks<C extends ClusterId, E extends EntityId>(table: Contingency<C, E>, limit: number): { count: number; top: Split<E, C>[] } {
  const clustersOf = new Map<E, number>();
  for (const row of table.cells.values()) for (const entity of row.keys()) clustersOf.set(entity, (clustersOf.get(entity) ?? 0) + 1);
  let count = 0;
  function* split() {
    for (const [id, clusters] of clustersOf) {
      if (clusters < 2) continue;
      count++;
      yield { id, records: table.entitySizes.get(id)! };
    }
  }
  const top = largest(split(), limit);
  // One more pass over the cells collects the clusters of the few entities listed.
  const parts = new Map<E, { id: C; records: number }[]>(top.map((t) => [t.id, []]));
  for (const [cluster, row] of table.cells) {
    for (const [entity, n] of row) parts.get(entity)?.push({ id: cluster, records: n });
  }
  return { count, top: top.map(({ id, records }) => ({ id, records, parts: parts.get(id)!.sort(bySizeThenId) })) };
}
