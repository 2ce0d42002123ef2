/**
 * Greedy clustering with guards. Strong edges are taken best first; two groups join only when
 * no clear non-match or cannot-link pair lies between them, so a chain a–b–c never joins a and
 * c when their own comparison says they are different people. Nodes are dense indices; each
 * node has a rank, and when two groups join the one holding the lowest rank survives (the
 * oldest existing customer, so golden ids never drift).
 */
export interface EdgeList {
  a: Int32Array;
  b: Int32Array;
  count: number;
}

export interface WeightedEdges extends EdgeList {
  weight: Float64Array;
}

export interface ClusterInput {
  nodeCount: number;
  /** Lower rank survives a join. */
  rank: Float64Array;
  /** Candidate edges at or above the auto-merge weight, any order. */
  strong: WeightedEdges;
  /** Clear non-matches and cannot-links. */
  negative: EdgeList;
  /** Explicit links (`golden link`): applied first; they override non-match evidence. */
  mustLink: EdgeList;
}

export interface Join {
  /** Index into strong edges, or −1 − index into mustLink. */
  edge: number;
  /** Nodes of the absorbed group at the time of the join. */
  absorbed: number[];
}

export interface ClusterResult {
  find(node: number): number;
  joins: Join[];
  /** Strong edges refused because of a non-match between the two groups. */
  refused: number[];
}

export function cluster(input: ClusterInput): ClusterResult {
  const n = input.nodeCount;
  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  const best = Float64Array.from(input.rank);
  const next = new Int32Array(n); // circular member lists, spliced on union
  for (let i = 0; i < n; i++) {
    parent[i] = i;
    next[i] = i;
  }
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[x] !== root) {
      const up = parent[x]!;
      parent[x] = root;
      x = up;
    }
    return root;
  };

  // Negative neighbours per group root; merged small into large.
  const negatives = new Map<number, number[]>();
  const addNegative = (x: number, y: number) => {
    let list = negatives.get(x);
    if (list === undefined) negatives.set(x, (list = []));
    list.push(y);
  };
  for (let i = 0; i < input.negative.count; i++) {
    addNegative(input.negative.a[i]!, input.negative.b[i]!);
    addNegative(input.negative.b[i]!, input.negative.a[i]!);
  }

  const conflict = (ra: number, rb: number): boolean => {
    const la = negatives.get(ra);
    const lb = negatives.get(rb);
    if (la === undefined || lb === undefined) return false;
    const [list, other] = la.length <= lb.length ? [la, rb] : [lb, ra];
    for (const node of list) if (find(node) === other) return true;
    return false;
  };

  const members = (root: number): number[] => {
    const out = [root];
    for (let x = next[root]!; x !== root; x = next[x]!) out.push(x);
    return out;
  };

  const joins: Join[] = [];
  const union = (ra: number, rb: number, edge: number) => {
    // The survivor is the group with the lowest rank; the absorbed one is listed for undo.
    const [keep, gone] = best[ra]! <= best[rb]! ? [ra, rb] : [rb, ra];
    joins.push({ edge, absorbed: members(gone) });
    // Union by size for the tree; the survivor's identity is the lowest rank, kept in best[].
    const [big, small] = size[keep]! >= size[gone]! ? [keep, gone] : [gone, keep];
    parent[small] = big;
    size[big]! += size[small]!;
    best[big] = Math.min(best[big]!, best[small]!);
    const t = next[big]!;
    next[big] = next[small]!;
    next[small] = t;
    const ls = negatives.get(small);
    if (ls !== undefined) {
      const lb = negatives.get(big);
      if (lb === undefined) negatives.set(big, ls);
      else for (const x of ls) lb.push(x);
      negatives.delete(small);
    }
  };

  for (let i = 0; i < input.mustLink.count; i++) {
    const ra = find(input.mustLink.a[i]!);
    const rb = find(input.mustLink.b[i]!);
    if (ra !== rb) union(ra, rb, -1 - i);
  }

  const order = Array.from({ length: input.strong.count }, (_, i) => i);
  const w = input.strong.weight;
  // Best first; ties by node ids so the result never depends on input order.
  order.sort((x, y) => w[y]! - w[x]! || input.strong.a[x]! - input.strong.a[y]! || input.strong.b[x]! - input.strong.b[y]!);
  const refused: number[] = [];
  for (const e of order) {
    const ra = find(input.strong.a[e]!);
    const rb = find(input.strong.b[e]!);
    if (ra === rb) continue;
    if (conflict(ra, rb)) {
      refused.push(e);
      continue;
    }
    union(ra, rb, e);
  }
  return { find, joins, refused };
}
