import type { Session } from '../db/index.js';
import { cluster } from './cluster.js';

const PAGE = 200_000;
const NEW_RANK = 2 ** 40;

/** A node is a new record (its id) or an existing customer (minus its id). */
type NodeKey = number;

export interface GraphResult {
  joins: number;
  absorbed: number;
  review: number;
  refused: number;
}

const grow = <T extends Int32Array | Float64Array>(x: T): T => {
  const y = new (x.constructor as new (n: number) => T)(x.length * 2);
  y.set(x);
  return y;
};

/**
 * Node keys to dense indices: record ids (positive, dense) in a typed array, existing customers
 * (negative keys) in a Map. A Map of every record was 1.2 s of a first load's clustering.
 */
class NodeIndex {
  private records = new Int32Array(1024).fill(-1);
  private readonly customers = new Map<NodeKey, number>();
  get(key: NodeKey): number | undefined {
    if (key < 0) return this.customers.get(key);
    const i = key < this.records.length ? this.records[key]! : -1;
    return i < 0 ? undefined : i;
  }
  has(key: NodeKey): boolean {
    return this.get(key) !== undefined;
  }
  set(key: NodeKey, i: number): void {
    if (key < 0) {
      this.customers.set(key, i);
      return;
    }
    if (key >= this.records.length) {
      const bigger = new Int32Array(Math.max(key + 1, this.records.length * 2)).fill(-1);
      bigger.set(this.records);
      this.records = bigger;
    }
    this.records[key] = i;
  }
}

/** Edges in typed arrays (a million edges as JS objects would cost hundreds of MB). */
class Growable {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  /** The pair's crosswalk record ids (node a stands for record l, b for r). */
  l = new Int32Array(1024);
  r = new Int32Array(1024);
  weight = new Float64Array(1024);
  count = 0;
  push(a: number, b: number, w: number, l = 0, r = 0) {
    if (this.count === this.a.length) {
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.l = grow(this.l);
      this.r = grow(this.r);
      this.weight = grow(this.weight);
    }
    this.a[this.count] = a;
    this.b[this.count] = b;
    this.l[this.count] = l;
    this.r[this.count] = r;
    this.weight[this.count++] = w;
  }
}

async function* copyLines(rows: Iterable<string>): AsyncIterable<string> {
  let chunk = '';
  for (const line of rows) {
    chunk += line;
    if (chunk.length > 1 << 17) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Clusters the scored pairs in Node (the design keeps O(matches) here): reads rs_edges page by
 * page into typed arrays, runs the guarded greedy clustering, and writes the outcome back as
 * rs_assign (new record → cluster), rs_absorb (existing customer → survivor), rs_joins (one
 * row per join, for merge_log) and rs_review (pairs for a person to decide).
 */
export async function clusterGraph(tx: Session, autoMergeWeight: number): Promise<GraphResult> {
  const customerOf = new Map<number, number>();
  for (const r of await tx.query<{ id: number; customer_id: number }>('SELECT id, customer_id FROM rs_recs WHERE customer_id IS NOT NULL')) {
    customerOf.set(Number(r.id), Number(r.customer_id));
  }
  const nodeKeyOfRecord = (record: number): NodeKey => {
    const c = customerOf.get(record);
    return c === undefined ? record : -c;
  };
  const index = new NodeIndex();
  const keys: NodeKey[] = [];
  const nodeIndex = (key: NodeKey): number => {
    let i = index.get(key);
    if (i === undefined) {
      i = keys.length;
      index.set(key, i);
      keys.push(key);
    }
    return i;
  };

  // Edges in code order (left id, right id), so node indices are deterministic. A page comes as
  // one row holding its edges as lines of text, not as a row object per edge: a first load's
  // 3.35M edges took 3.25 s to read as rows, 1.8 s as lines, and left no garbage per edge.
  const strong = new Growable();
  const weak = new Growable(); // review band: kept to report pairs left apart
  const negative = new Growable();
  let after = '-1';
  for (;;) {
    const [page] = (await tx.query<{ n: number; last: string | null; lines: string | null }>(
      `SELECT count(*) AS n, max(code)::text AS last,
         string_agg(concat_ws(',', code >> 31, code & 2147483647, negative::int, weight), E'\\n' ORDER BY code) AS lines
       FROM (SELECT code, weight, negative FROM rs_edges WHERE code > $1::bigint ORDER BY code LIMIT ${PAGE}) e`,
      [after],
    )) as [{ n: number; last: string | null; lines: string | null }];
    const n = Number(page.n);
    const text = page.lines ?? '';
    // Each line: left id, right id, 1 when negative else 0, weight.
    for (let i = 0, at = 0; i < n; i++) {
      const c1 = text.indexOf(',', at);
      const c2 = text.indexOf(',', c1 + 1);
      const c3 = c2 + 2;
      let end = text.indexOf('\n', c3);
      if (end < 0) end = text.length;
      const l = digits(text, at, c1);
      const r = digits(text, c1 + 1, c2);
      const w = Number(text.slice(c3 + 1, end));
      const a = nodeIndex(nodeKeyOfRecord(l));
      const b = nodeIndex(nodeKeyOfRecord(r));
      if (text.charCodeAt(c2 + 1) === 49) negative.push(a, b, w);
      else if (w >= autoMergeWeight) strong.push(a, b, w, l, r);
      else weak.push(a, b, w, l, r);
      at = end + 1;
    }
    if (n < PAGE) break;
    after = page.last!;
  }

  // Explicit overrides: links join first, splits are guards.
  const mustLink = new Growable();
  // Overrides name records by source:key; look them up by index when there are any.
  const [{ any }] = (await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM match_overrides) AS any')) as [{ any: boolean }];
  if (any) await tx.exec('CREATE INDEX ON rs_delta (source, source_key)');
  const overrides = await tx.query<{ kind: string; a: number | null; b: number | null; ra: number | null; rb: number | null }>(
    `WITH refs AS (
       SELECT o.id, o.kind, o.left_source AS ls, o.left_key AS lk, o.right_source AS rs, o.right_key AS rk FROM match_overrides o
     ), ends AS (
       SELECT r.id, r.kind,
         (SELECT CASE WHEN d.change = 'new' THEN d.id ELSE -d.customer_id END FROM rs_delta d WHERE d.source = r.ls AND d.source_key = r.lk) AS da,
         (SELECT -cs.customer_id FROM customer_sources cs WHERE cs.source = r.ls AND cs.source_key = r.lk) AS ca,
         (SELECT CASE WHEN d.change = 'new' THEN d.id ELSE -d.customer_id END FROM rs_delta d WHERE d.source = r.rs AND d.source_key = r.rk) AS db,
         (SELECT -cs.customer_id FROM customer_sources cs WHERE cs.source = r.rs AND cs.source_key = r.rk) AS cb,
         coalesce((SELECT d.id FROM rs_delta d WHERE d.source = r.ls AND d.source_key = r.lk),
                  (SELECT cs.id FROM customer_sources cs WHERE cs.source = r.ls AND cs.source_key = r.lk)) AS ra,
         coalesce((SELECT d.id FROM rs_delta d WHERE d.source = r.rs AND d.source_key = r.rk),
                  (SELECT cs.id FROM customer_sources cs WHERE cs.source = r.rs AND cs.source_key = r.rk)) AS rb
       FROM refs r
     )
     SELECT kind, coalesce(da, ca) AS a, coalesce(db, cb) AS b, ra, rb FROM ends ORDER BY id`,
  );
  for (const o of overrides) {
    if (o.a === null || o.b === null) continue; // a record not loaded yet: applies once it is
    const a = Number(o.a);
    const b = Number(o.b);
    if (a === b) continue;
    if (o.kind === 'cannot_link') {
      if (index.has(a) || index.has(b)) negative.push(nodeIndex(a), nodeIndex(b), -Infinity);
    } else {
      mustLink.push(nodeIndex(a), nodeIndex(b), Infinity, Number(o.ra), Number(o.rb));
    }
  }

  const rank = new Float64Array(keys.length);
  keys.forEach((k, i) => (rank[i] = k < 0 ? -k : NEW_RANK + k));
  const result = cluster({ nodeCount: keys.length, rank, strong, negative, mustLink });

  // Each cluster's key: minus its surviving customer, or its smallest new record id.
  const clusterKey = new Map<number, number>();
  for (let i = 0; i < keys.length; i++) {
    const root = result.find(i);
    const k = keys[i]!;
    const current = clusterKey.get(root);
    if (current === undefined || rankOf(k) < rankOf(current)) clusterKey.set(root, k);
  }
  const size = new Map<number, number>();
  for (let i = 0; i < keys.length; i++) size.set(result.find(i), (size.get(result.find(i)) ?? 0) + 1);

  // Keys are added once the rows are in: one index build each rather than an insert into it per
  // row (first load, 1M assignments and 850k joins: 4.8 s written, 3.8 s with the keys after).
  await tx.exec('CREATE UNLOGGED TABLE rs_assign (record_id bigint NOT NULL, cluster bigint NOT NULL)');
  await tx.exec('CREATE UNLOGGED TABLE rs_absorb (loser bigint NOT NULL, survivor bigint NOT NULL)');
  await tx.exec(`CREATE UNLOGGED TABLE rs_joins (seq int NOT NULL, cluster bigint NOT NULL, left_record bigint, right_record bigint,
    weight float8, kind text NOT NULL, new_records bigint[] NOT NULL, customers bigint[] NOT NULL)`);
  await tx.exec('CREATE UNLOGGED TABLE rs_review (left_record bigint NOT NULL, right_record bigint NOT NULL, weight float8)');

  // Written as generated: nothing here holds one string per record.
  let absorbed = 0;
  function* assignLines(): Generator<string> {
    for (let i = 0; i < keys.length; i++) {
      const root = result.find(i);
      const k = keys[i]!;
      if (k > 0 && size.get(root)! > 1) yield `${k}\t${clusterKey.get(root)!}\n`;
    }
  }
  function* absorbLines(): Generator<string> {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const ck = clusterKey.get(result.find(i))!;
      if (k < 0 && k !== ck) {
        absorbed++;
        yield `${-k}\t${-ck}\n`;
      }
    }
  }
  await tx.copyFrom('rs_assign', ['record_id', 'cluster'], copyLines(assignLines()));
  await tx.copyFrom('rs_absorb', ['loser', 'survivor'], copyLines(absorbLines()));

  function* joinLines(): Generator<string> {
    let seq = 0;
    for (const j of result.joins) {
      const [edges, e, kind] = j.edge >= 0 ? [strong, j.edge, 'auto'] : [mustLink, -1 - j.edge, 'link'];
      const w = j.edge >= 0 ? String(edges.weight[e]) : '\\N';
      const absorbedKeys = j.absorbed.map((n) => keys[n]!);
      const records = absorbedKeys.filter((k) => k > 0);
      const customers = absorbedKeys.filter((k) => k < 0).map((k) => -k);
      const ck = clusterKey.get(result.find(j.absorbed[0]!))!;
      yield `${++seq}\t${ck}\t${edges.l[e]}\t${edges.r[e]}\t${w}\t${kind}\t{${records.join(',')}}\t{${customers.join(',')}}\n`;
    }
  }
  await tx.copyFrom('rs_joins', ['seq', 'cluster', 'left_record', 'right_record', 'weight', 'kind', 'new_records', 'customers'], copyLines(joinLines()));

  // Review: review-band pairs, and strong pairs the guards refused, left in different clusters.
  let reviewCount = 0;
  function* reviewLines(): Generator<string> {
    // Each candidate pair is one edge, weak and strong are disjoint: no pair comes twice.
    const one = function* (edges: Growable, e: number): Generator<string> {
      if (result.find(edges.a[e]!) === result.find(edges.b[e]!)) return;
      reviewCount++;
      yield `${edges.l[e]}\t${edges.r[e]}\t${edges.weight[e]}\n`;
    };
    for (let e = 0; e < weak.count; e++) yield* one(weak, e);
    for (const e of result.refused) yield* one(strong, e);
  }
  await tx.copyFrom('rs_review', ['left_record', 'right_record', 'weight'], copyLines(reviewLines()));
  await tx.exec(`ALTER TABLE rs_assign ADD PRIMARY KEY (record_id); ALTER TABLE rs_absorb ADD PRIMARY KEY (loser);
    ALTER TABLE rs_joins ADD PRIMARY KEY (seq); ALTER TABLE rs_review ADD PRIMARY KEY (left_record, right_record)`);
  for (const t of ['rs_assign', 'rs_absorb', 'rs_joins', 'rs_review']) await tx.exec(`ANALYZE ${t}`);
  return { joins: result.joins.length, absorbed, review: reviewCount, refused: result.refused.length };
}

/** The non-negative integer written in text[from, to). */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

function rankOf(key: NodeKey): number {
  return key < 0 ? -key : NEW_RANK + key;
}
