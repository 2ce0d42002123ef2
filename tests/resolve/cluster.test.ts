import { describe, expect, it } from 'vitest';
import { cluster, type ClusterInput, type ClusterResult, type EdgeList, type WeightedEdges } from '../../src/resolve/cluster.js';
import { prng, shuffled } from './helpers.js';

/** Greedy clustering with guards on small hand-made graphs. */

type Edge = [number, number];
type Strong = [number, number, number];

function edges(list: readonly Edge[]): EdgeList {
  return { a: Int32Array.from(list.map((e) => e[0])), b: Int32Array.from(list.map((e) => e[1])), count: list.length };
}

function weighted(list: readonly Strong[]): WeightedEdges {
  return { ...edges(list.map(([a, b]) => [a, b])), weight: Float64Array.from(list.map((e) => e[2])) };
}

function input(
  nodeCount: number,
  { strong = [], negative = [], mustLink = [], rank }: { strong?: Strong[]; negative?: Edge[]; mustLink?: Edge[]; rank?: number[] },
): ClusterInput {
  return {
    nodeCount,
    rank: Float64Array.from(rank ?? Array.from({ length: nodeCount }, (_, i) => i)),
    strong: weighted(strong),
    negative: edges(negative),
    mustLink: edges(mustLink),
  };
}

/** The partition as sorted groups of nodes, sorted: free of which node is the root. */
function partition(result: ClusterResult, nodeCount: number): number[][] {
  const groups = new Map<number, number[]>();
  for (let x = 0; x < nodeCount; x++) {
    const root = result.find(x);
    let list = groups.get(root);
    if (list === undefined) groups.set(root, (list = []));
    list.push(x);
  }
  return [...groups.values()].map((g) => g.sort((p, q) => p - q)).sort((p, q) => p[0]! - q[0]!);
}

const together = (r: ClusterResult, x: number, y: number) => r.find(x) === r.find(y);

describe('cluster', () => {
  it('joins the records of strong edges and leaves the rest alone', () => {
    const result = cluster(input(6, { strong: [[0, 1, 12], [1, 2, 9], [3, 4, 8]] }));
    expect(partition(result, 6)).toEqual([[0, 1, 2], [3, 4], [5]]);
    expect(result.refused).toEqual([]);
    expect(result.joins.map((j) => j.edge).sort()).toEqual([0, 1, 2]);
  });

  it('takes edges best first and skips those inside one group', () => {
    // A triangle: the weakest edge closes no new join.
    const result = cluster(input(3, { strong: [[0, 2, 3], [0, 1, 10], [1, 2, 7]] }));
    expect(partition(result, 3)).toEqual([[0, 1, 2]]);
    expect(result.joins.map((j) => j.edge)).toEqual([1, 2]);
    expect(result.refused).toEqual([]);
  });

  it('never chains a and c together across their own non-match, refusing the weaker edge', () => {
    // a–b strong, b–c weaker, a–c a clear non-match.
    const [a, b, c] = [0, 1, 2];
    const one = cluster(input(3, { strong: [[b, c, 5], [a, b, 10]], negative: [[a, c]] }));
    expect(together(one, a, b)).toBe(true);
    expect(together(one, a, c)).toBe(false);
    expect(together(one, b, c)).toBe(false);
    expect(one.refused).toEqual([0]); // the b–c edge
    expect(one.joins.map((j) => j.edge)).toEqual([1]);

    // The other way round: b–c is now the stronger, a–b is refused.
    const two = cluster(input(3, { strong: [[a, b, 5], [b, c, 10]], negative: [[c, a]] }));
    expect(together(two, b, c)).toBe(true);
    expect(together(two, a, c)).toBe(false);
    expect(two.refused).toEqual([0]);
  });

  it('checks non-matches between whole groups, not only the two ends of an edge', () => {
    // {0,1} and {2,3} form first; 1 and 3 are a non-match, so 0–2 must be refused.
    const result = cluster(input(4, { strong: [[0, 1, 20], [2, 3, 19], [0, 2, 10]], negative: [[1, 3]] }));
    expect(partition(result, 4)).toEqual([[0, 1], [2, 3]]);
    expect(result.refused).toEqual([2]);
    // A longer chain: 0–1–2–3–4 with 0 and 4 a non-match: the weakest link on the path breaks.
    const chain = cluster(input(5, { strong: [[0, 1, 9], [1, 2, 8], [2, 3, 2], [3, 4, 7]], negative: [[4, 0]] }));
    expect(partition(chain, 5)).toEqual([[0, 1, 2], [3, 4]]);
    expect(chain.refused).toEqual([2]);
  });

  it('joins explicit links first, even across a non-match', () => {
    const result = cluster(input(3, { strong: [[1, 2, 10]], negative: [[0, 1], [0, 2]], mustLink: [[0, 2]] }));
    expect(together(result, 0, 2)).toBe(true);
    // The explicit link came first (edge −1 − 0) …
    expect(result.joins[0]!.edge).toBe(-1);
    // … and the non-match still guards strong edges: 1 stays out.
    expect(together(result, 0, 1)).toBe(false);
    expect(result.refused).toEqual([0]);

    // A link between groups already joined by strong edges is no join at all.
    const chained = cluster(input(3, { mustLink: [[0, 1], [1, 2], [0, 2]] }));
    expect(partition(chained, 3)).toEqual([[0, 1, 2]]);
    expect(chained.joins.map((j) => j.edge)).toEqual([-1, -2]);
  });

  it('lists the group with the higher rank as absorbed; the lowest rank survives', () => {
    // Ranks: node 2 is the oldest customer.
    const rank = [10, 11, 1, 20];
    const result = cluster(input(4, { rank, strong: [[0, 1, 10], [1, 2, 5], [3, 0, 4]] }));
    expect(result.joins).toHaveLength(3);
    expect(result.joins[0]).toEqual({ edge: 0, absorbed: [1] });
    // {0, 1} (best rank 10) joins node 2 (rank 1): the pair is absorbed, whichever is larger.
    expect(result.joins[1]!.edge).toBe(1);
    expect([...result.joins[1]!.absorbed].sort()).toEqual([0, 1]);
    // Node 3 (rank 20) is absorbed into the group of 2.
    expect(result.joins[2]).toEqual({ edge: 2, absorbed: [3] });
    expect(partition(result, 4)).toEqual([[0, 1, 2, 3]]);
  });

  it('absorbs a big group into a small older one and keeps the survivor through later joins', () => {
    // Nodes 0–4 form a big group of newer records; node 5 is older (rank 0) and alone.
    const rank = [5, 6, 7, 8, 9, 0, 3];
    const strong: Strong[] = [[0, 1, 30], [1, 2, 29], [2, 3, 28], [3, 4, 27], [4, 5, 20], [6, 0, 10]];
    const result = cluster(input(7, { rank, strong }));
    const join = (edge: number) => result.joins.find((j) => j.edge === edge)!;
    expect([...join(4).absorbed].sort()).toEqual([0, 1, 2, 3, 4]);
    // Node 6 (rank 3) meets the group whose best rank is now 0: 6 is absorbed.
    expect(join(5).absorbed).toEqual([6]);
  });

  it('gives the same partition and refusals whatever order the edges come in', () => {
    const random = prng(42);
    const n = 60;
    const strong: Strong[] = [];
    for (let i = 0; i < 150; i++) {
      const a = Math.floor(random() * n);
      let b = Math.floor(random() * n);
      if (b === a) b = (a + 1) % n;
      // Few distinct weights, so ties are common.
      strong.push([Math.min(a, b), Math.max(a, b), Math.floor(random() * 6)]);
    }
    const negative: Edge[] = [];
    for (let i = 0; i < 40; i++) negative.push([Math.floor(random() * n), Math.floor(random() * n)]);
    const mustLink: Edge[] = [[3, 4], [10, 50]];
    const rank = Array.from({ length: n }, () => random());

    const outcome = (list: Strong[]) => {
      const result = cluster(input(n, { strong: list, negative, mustLink, rank }));
      return {
        partition: partition(result, n),
        refused: result.refused.map((e) => list[e]!.join(' ')).sort(),
        absorbed: result.joins.map((j) => [...j.absorbed].sort((p, q) => p - q).join(' ')).sort(),
      };
    };
    const reference = outcome(strong);
    // Guards did something in this graph.
    expect(reference.refused.length).toBeGreaterThan(0);
    expect(reference.partition.length).toBeLessThan(n);
    for (let round = 0; round < 20; round++) {
      const shuffledStrong = shuffled(strong, random);
      expect(outcome(shuffledStrong)).toEqual(reference);
      // Negative edges in another order and direction change nothing either.
      const flipped = shuffled(negative, random).map(([a, b]) => [b, a] as Edge);
      const result = cluster(input(n, { strong: shuffledStrong, negative: flipped, mustLink, rank }));
      expect(partition(result, n)).toEqual(reference.partition);
    }
    // No group holds both ends of a negative edge unless an explicit link put them there.
    const result = cluster(input(n, { strong, negative, mustLink: [], rank }));
    for (const [a, b] of negative) if (a !== b) expect(together(result, a, b), `${a}–${b}`).toBe(false);
  });
});
