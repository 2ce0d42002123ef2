import type { GoldenConfig } from '../config/index.js';
import type { Queryable, Session } from '../db/index.js';
import { ExitCode, UserError } from '../errors.js';
import { ATTRIBUTE_COLUMNS } from './columns.js';
import { GOLDEN_COLUMNS, survivorshipSql, survivorshipUpdateSet } from './survivorship.js';

/**
 * Hand edits of the resolution: merge two customers (`golden link`, `golden review accept`),
 * move records out of a customer into a restored or new one (`golden unmerge`, `golden split`),
 * and the overrides that make the next resolve respect them. They keep write.ts's invariants:
 * customer and merge ids come from max()+1 and are never reused, every merge is logged with
 * its undo data before anything moves, and a customer's golden values and identifiers are
 * recomputed from the crosswalk rows it holds. Everything is set-based SQL; the callers run one
 * transaction per command.
 */

/** A crosswalk record, named the way users name it. */
export interface RecordRef {
  id: number;
  source: string;
  key: string;
  /** "source:key" */
  ref: string;
  customerId: number;
}

/** How a customer id that was merged away was followed to the customer it lives in now. */
export interface CustomerHop {
  mergeId: number;
  from: number;
  into: number;
}

export interface CustomerLocation {
  requested: number;
  customerId: number;
  via: CustomerHop[];
}

/** A reference given on the command line: a record (source:key) or a customer id. */
export interface Reference {
  text: string;
  customerId: number;
  record?: RecordRef;
  /** Set when a customer id was followed through merges. */
  location?: CustomerLocation;
}

export interface MergeResult {
  mergeId: number;
  survivorId: number;
  mergedId: number;
  /** Records that joined the survivor (source:key). */
  records: string[];
  activities: number;
}

export interface DetachResult {
  from: number;
  into: number;
  /** The customer got its original id and row back from the merge's undo data. */
  restored: boolean;
  records: string[];
  /** Activities now in the detached customer. */
  activities: number;
}

export interface UnmergeResult {
  mergeId: number;
  kind: string;
  left: string | null;
  right: string | null;
  /** null when none of the merge's records were still with the survivor. */
  moved: DetachResult | null;
  cannotLinkStored: boolean;
  mustLinksRemoved: number;
}

export interface CustomerUnmergeResult {
  location: CustomerLocation;
  merges: UnmergeResult[];
}

export interface LinkResult {
  left: RecordRef;
  right: RecordRef;
  overrideStored: boolean;
  cannotLinksRemoved: number;
  /** null when the two were already in one customer. */
  merge: MergeResult | null;
  customerId: number;
}

export interface SplitResult {
  left: RecordRef;
  right: RecordRef;
  overrideStored: boolean;
  mustLinksRemoved: number;
  /** null when the two were already in different customers. */
  moved: DetachResult | null;
}

export interface ReviewRecord {
  id: number;
  ref: string;
  customerId: number;
  name: string | null;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
  postcode: string | null;
}

export interface ReviewItem {
  id: number;
  probability: number;
  left: ReviewRecord;
  right: ReviewRecord;
  sameCustomer: boolean;
  createdAt: Date;
}

export interface ReviewDecision {
  id: number;
  status: 'accepted' | 'rejected';
  left: string;
  right: string;
  /** accept: the merge it made (null when already in one customer). */
  merge?: MergeResult | null;
  /** reject: whether a new cannot-link was stored; sameCustomer warns that they are merged anyway. */
  overrideStored?: boolean;
  sameCustomer?: boolean;
}

type OverrideKind = 'must_link' | 'cannot_link';

const toNumbers = (values: readonly unknown[] | null | undefined): number[] => (values ?? []).map((v) => Number(v));

/** "source:key" → its parts (the key may itself contain ':'; source names never do). */
export function parseRecordRef(text: string): { source: string; key: string } | null {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) return null;
  return { source: text.slice(0, at), key: text.slice(at + 1) };
}

const CUSTOMER_ID = /^\d+$/;

function positiveId(text: string, what: string): number {
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (!CUSTOMER_ID.test(trimmed) || !Number.isSafeInteger(n) || n < 1) throw new UserError(`${what} "${text}": expected a whole number from 1 up`, ExitCode.usage);
  return n;
}

async function recordsWhere(db: Queryable, where: string, params: unknown[]): Promise<RecordRef[]> {
  const rows = await db.query<{ id: number; source: string; source_key: string; customer_id: number }>(
    `SELECT id, source, source_key, customer_id FROM customer_sources WHERE ${where} ORDER BY id`,
    params,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    source: r.source,
    key: r.source_key,
    ref: `${r.source}:${r.source_key}`,
    customerId: Number(r.customer_id),
  }));
}

/** The crosswalk record named "source:key"; a UserError (exit 2) naming it when there is none. */
export async function findRecord(db: Queryable, text: string): Promise<RecordRef> {
  const parsed = parseRecordRef(text);
  if (parsed === null) throw new UserError(`"${text}" is not a source:key reference (e.g. web_shop:W00100001)`, ExitCode.usage);
  const [record] = await recordsWhere(db, 'source = $1 AND source_key = $2', [parsed.source, parsed.key]);
  if (record === undefined) {
    throw new UserError(`unknown record ${text}: no source record ${parsed.source} with key "${parsed.key}" in the crosswalk (imported and resolved?)`, ExitCode.usage);
  }
  return record;
}

export async function findRecordById(db: Queryable, id: number): Promise<RecordRef> {
  const [record] = await recordsWhere(db, 'id = $1', [id]);
  if (record === undefined) throw new Error(`crosswalk record ${id} does not exist`);
  return record;
}

/**
 * A customer id, followed to the customer it lives in now: an id merged away leads, through the
 * not-undone merge that absorbed it, to the customer holding most of that merge's records (the
 * merge's survivor when none are left).
 */
export async function locateCustomer(db: Queryable, id: number): Promise<CustomerLocation> {
  const via: CustomerHop[] = [];
  const seen = new Set<number>();
  let current = id;
  for (;;) {
    const exists = await db.query('SELECT 1 FROM customers WHERE id = $1', [current]);
    if (exists.length > 0) return { requested: id, customerId: current, via };
    seen.add(current);
    const [hop] = await db.query<{ id: number; survivor_id: number; holder: number | null }>(
      `SELECT m.id, m.survivor_id,
         (SELECT cs.customer_id FROM customer_sources cs WHERE cs.id = ANY (m.records)
          GROUP BY cs.customer_id ORDER BY count(*) DESC, cs.customer_id LIMIT 1) AS holder
       FROM merge_log m WHERE m.merged_id = $1 AND m.undone_at IS NULL ORDER BY m.id DESC LIMIT 1`,
      [current],
    );
    if (hop === undefined) {
      throw new UserError(
        via.length === 0 ? `unknown customer ${id}: no customer with that id, and no merge absorbed one` : `customer ${id} cannot be followed past customer ${current}`,
        ExitCode.usage,
      );
    }
    const next = Number(hop.holder ?? hop.survivor_id);
    via.push({ mergeId: Number(hop.id), from: current, into: next });
    if (seen.has(next)) throw new UserError(`customer ${id} cannot be followed: its merges form a loop`, ExitCode.usage);
    current = next;
  }
}

/** "source:key" → that record and its customer; a number → that customer (followed through merges). */
export async function resolveReference(db: Queryable, text: string): Promise<Reference> {
  const trimmed = text.trim();
  if (CUSTOMER_ID.test(trimmed)) {
    const location = await locateCustomer(db, positiveId(trimmed, 'customer'));
    return { text, customerId: location.customerId, location };
  }
  if (parseRecordRef(trimmed) === null) {
    throw new UserError(`"${text}" is neither a customer id nor a source:key reference (e.g. 42 or web_shop:W00100001)`, ExitCode.usage);
  }
  const record = await findRecord(db, trimmed);
  return { text, customerId: record.customerId, record };
}

/** The record a reference stands for: itself, or a customer's first crosswalk record (lowest id). */
async function representative(db: Queryable, reference: Reference): Promise<RecordRef> {
  if (reference.record) return reference.record;
  const [record] = await recordsWhere(db, 'customer_id = $1', [reference.customerId]);
  if (record === undefined) throw new UserError(`customer ${reference.customerId} has no source records`, ExitCode.usage);
  return record;
}

async function nextCustomerId(tx: Queryable): Promise<number> {
  const [row] = await tx.query<{ n: number }>(
    `SELECT greatest((SELECT max(id) FROM customers), (SELECT max(merged_id) FROM merge_log), (SELECT max(survivor_id) FROM merge_log), 0) + 1 AS n`,
  );
  return Number(row!.n);
}

const SAME_PAIR = `((left_source = $1 AND left_key = $2 AND right_source = $3 AND right_key = $4)
  OR (left_source = $3 AND left_key = $4 AND right_source = $1 AND right_key = $2))`;

const pairParams = (a: RecordRef, b: RecordRef) => [a.source, a.key, b.source, b.key];

/** Stores an override between two records unless the same one (either way round) exists. True when stored. */
async function storeOverride(tx: Queryable, kind: OverrideKind, a: RecordRef, b: RecordRef, note: string | null): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO match_overrides (kind, left_ref, right_ref, note, left_source, left_key, right_source, right_key)
     SELECT $5, $1 || ':' || $2, $3 || ':' || $4, $6, $1, $2, $3, $4
     WHERE NOT EXISTS (SELECT 1 FROM match_overrides WHERE kind = $5 AND ${SAME_PAIR})
     RETURNING id`,
    [...pairParams(a, b), kind, note],
  );
  return rows.length > 0;
}

async function removeOverrides(tx: Queryable, kind: OverrideKind, a: RecordRef, b: RecordRef): Promise<number> {
  const rows = await tx.query(`DELETE FROM match_overrides WHERE kind = $5 AND ${SAME_PAIR} RETURNING id`, [...pairParams(a, b), kind]);
  return rows.length;
}

/** Every e-mail and phone of the records of the given customers, as write.ts step 6 stores them. */
const DERIVED_IDENTIFIERS = `SELECT DISTINCT cs.customer_id, v.kind, v.value, cs.source
  FROM customer_sources cs
  CROSS JOIN LATERAL (
    SELECT 'email' AS kind, cs.email AS value UNION ALL SELECT 'email', cs.email_match
    UNION ALL SELECT 'email', lower(x) FROM unnest(cs.other_emails) x
    UNION ALL SELECT 'phone', cs.phone UNION ALL SELECT 'phone', x FROM unnest(cs.other_phones) x
  ) v
  WHERE v.value IS NOT NULL AND cs.customer_id = ANY ($1::bigint[])`;

/**
 * Identifiers of customers that exchanged records: each gets every identifier its records carry,
 * and loses those that now belong only to the records of another customer of the set. An
 * identifier no record carries any more (an earlier version of a record) stays where it was.
 */
export async function refreshIdentifiers(tx: Queryable, customerIds: readonly number[]): Promise<void> {
  await tx.query(
    `WITH derived AS (${DERIVED_IDENTIFIERS})
     DELETE FROM customer_identifiers ci WHERE ci.customer_id = ANY ($1::bigint[])
       AND NOT EXISTS (SELECT 1 FROM derived d WHERE d.customer_id = ci.customer_id AND d.kind = ci.kind AND d.value = ci.value)
       AND EXISTS (SELECT 1 FROM derived d WHERE d.customer_id <> ci.customer_id AND d.kind = ci.kind AND d.value = ci.value)`,
    [customerIds],
  );
  await tx.query(
    `INSERT INTO customer_identifiers (customer_id, kind, value, source)
     SELECT DISTINCT ON (customer_id, kind, value) customer_id, kind, value, source FROM (${DERIVED_IDENTIFIERS}) d
     ORDER BY customer_id, kind, value, source
     ON CONFLICT DO NOTHING`,
    [customerIds],
  );
}

/**
 * Activities that name their customer by e-mail or phone go, among the given customers, to the
 * one holding that identifier (the lowest id when several do, as resolve attaches them). An
 * activity whose identifier none of them holds stays where it is.
 */
export async function reattachActivities(tx: Queryable, customerIds: readonly number[]): Promise<void> {
  await tx.query(
    `UPDATE activities a SET customer_id = h.holder
     FROM (
       SELECT x.id, (SELECT min(ci.customer_id) FROM customer_identifiers ci
                     WHERE ci.kind = x.customer_ref_by AND ci.value = x.customer_ref AND ci.customer_id = ANY ($1::bigint[])) AS holder
       FROM activities x WHERE x.customer_id = ANY ($1::bigint[]) AND x.customer_ref_by IN ('email', 'phone')
     ) h
     WHERE a.id = h.id AND h.holder IS NOT NULL AND h.holder <> a.customer_id`,
    [customerIds],
  );
}

function survivorshipFrom(config: GoldenConfig): string {
  return survivorshipSql(
    config,
    `(SELECT cs.customer_id, cs.id, cs.source, cs.last_seen_batch AS seen, ${ATTRIBUTE_COLUMNS.map((c) => `cs.${c}`).join(', ')}
       FROM customer_sources cs WHERE cs.customer_id = ANY ($1::bigint[]))`,
  );
}

/**
 * Golden values of customers, from the records they hold. 'merge' (the customer only gained
 * records) is write.ts step 5: a group no record fills keeps its value, lineage and
 * customer_since accumulate. 'full' (records left, or a customer was re-created) recomputes
 * everything: a group no remaining record fills becomes empty, or the golden record would keep
 * a value that came from a record it no longer holds.
 */
export async function recomputeCustomers(tx: Queryable, config: GoldenConfig, customerIds: readonly number[], mode: 'merge' | 'full'): Promise<void> {
  if (customerIds.length === 0) return;
  const set =
    mode === 'merge'
      ? `${survivorshipUpdateSet()}, customer_since = least(c.customer_since, s.customer_since), lineage = c.lineage || s.lineage`
      : `${GOLDEN_COLUMNS.map((c) => `${c} = s.${c}`).join(', ')}, customer_since = s.customer_since, lineage = s.lineage`;
  await tx.query(`UPDATE customers c SET ${set}, updated_at = now() FROM (${survivorshipFrom(config)}) s WHERE c.id = s.customer_id`, [customerIds]);
}

/**
 * Merges the customers of two records (nothing when they are already one): the lower id
 * survives. Like write.ts, the merge is logged first with the loser's row and activity ids as
 * undo data; then the loser's crosswalk rows, activities and identifiers move and it is deleted.
 */
export async function mergeCustomers(
  tx: Session,
  config: GoldenConfig,
  left: RecordRef,
  right: RecordRef,
  kind: 'link' | 'review',
  evidence: Record<string, unknown>,
): Promise<MergeResult | null> {
  const l = await findRecordById(tx, left.id);
  const r = await findRecordById(tx, right.id);
  if (l.customerId === r.customerId) return null;
  const survivor = Math.min(l.customerId, r.customerId);
  const loser = Math.max(l.customerId, r.customerId);
  const [logged] = await tx.query<{ id: number; records: string[] }>(
    `INSERT INTO merge_log (id, survivor_id, merged_id, score, evidence, undo, kind, left_record_id, right_record_id, weight, records)
     SELECT (SELECT coalesce(max(id), 0) + 1 FROM merge_log), $1::bigint, $2::bigint, 1, $3::jsonb,
       jsonb_build_object(
         'customers', (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.id) FROM customers c WHERE c.id = $2::bigint),
         'activities', (SELECT coalesce(jsonb_agg(a.id ORDER BY a.id), '[]') FROM activities a WHERE a.customer_id = $2::bigint)),
       $4, $5::bigint, $6::bigint, NULL,
       ARRAY(SELECT cs.id FROM customer_sources cs WHERE cs.customer_id = $2::bigint ORDER BY cs.id)
     RETURNING id, ARRAY(SELECT cs.source || ':' || cs.source_key FROM customer_sources cs WHERE cs.customer_id = $2::bigint ORDER BY cs.id) AS records`,
    [survivor, loser, JSON.stringify({ override: true, ...evidence }), kind, l.id, r.id],
  );
  await tx.query('UPDATE customer_sources SET customer_id = $1 WHERE customer_id = $2', [survivor, loser]);
  const moved = await tx.query('UPDATE activities SET customer_id = $1 WHERE customer_id = $2 RETURNING id', [survivor, loser]);
  await tx.query(
    `INSERT INTO customer_identifiers (customer_id, kind, value, source)
     SELECT $1, kind, value, source FROM customer_identifiers WHERE customer_id = $2 ON CONFLICT DO NOTHING`,
    [survivor, loser],
  );
  await tx.query('DELETE FROM customer_identifiers WHERE customer_id = $1', [loser]);
  await tx.query('DELETE FROM customers WHERE id = $1', [loser]);
  await recomputeCustomers(tx, config, [survivor], 'merge');
  return { mergeId: Number(logged!.id), survivorId: survivor, mergedId: loser, records: logged!.records, activities: moved.length };
}

/**
 * Moves records out of customer `from` into a customer of their own: `restore` re-creates a
 * customer from its row in a merge's undo data (original id, created_at and values), otherwise
 * a new customer gets the next unused id. Activities naming a moved record by source key go
 * with it, as do `activities` (a merge's undo list) that are still with `from`; activities by
 * e-mail or phone go to whichever of the two holds the identifier. Identifiers and golden values
 * of both are recomputed. Refused (null) when it would leave `from` without records.
 */
export async function detachRecords(
  tx: Session,
  config: GoldenConfig,
  from: number,
  recordIds: readonly number[],
  options: { restore?: Record<string, unknown>; activities?: readonly number[] } = {},
): Promise<DetachResult | null> {
  const [counts] = await tx.query<{ moving: number; total: number }>(
    'SELECT count(*) FILTER (WHERE id = ANY ($2::bigint[])) AS moving, count(*) AS total FROM customer_sources WHERE customer_id = $1',
    [from, recordIds],
  );
  const moving = Number(counts?.moving ?? 0);
  if (moving === 0 || moving === Number(counts!.total)) return null;

  let into: number;
  let restored = false;
  const restoreId = options.restore?.id === undefined ? null : Number(options.restore.id);
  if (restoreId !== null && (await tx.query('SELECT 1 FROM customers WHERE id = $1', [restoreId])).length === 0) {
    await tx.query('INSERT INTO customers SELECT * FROM jsonb_populate_record(NULL::customers, $1::jsonb)', [JSON.stringify(options.restore)]);
    into = restoreId;
    restored = true;
  } else if (restoreId !== null) {
    into = restoreId;
  } else {
    into = await nextCustomerId(tx);
    await tx.query('INSERT INTO customers (id) VALUES ($1)', [into]);
  }

  const records = await tx.query<{ ref: string }>(
    `UPDATE customer_sources SET customer_id = $1 WHERE customer_id = $2 AND id = ANY ($3::bigint[]) RETURNING source || ':' || source_key AS ref`,
    [into, from, recordIds],
  );
  await tx.query(
    `UPDATE activities a SET customer_id = $1 WHERE a.customer_id = $2 AND (
       (a.customer_ref_by = 'source_key' AND EXISTS (
          SELECT 1 FROM customer_sources cs WHERE cs.customer_id = $1 AND cs.source = a.customer_ref_source AND cs.source_key = a.customer_ref))
       OR (a.customer_ref_by <> 'source_key' AND a.id = ANY ($3::bigint[])))`,
    [into, from, options.activities ?? []],
  );
  await refreshIdentifiers(tx, [from, into]);
  await reattachActivities(tx, [from, into]);
  await recomputeCustomers(tx, config, [from, into], 'full');
  const [acts] = await tx.query<{ n: number }>('SELECT count(*) AS n FROM activities WHERE customer_id = $1', [into]);
  return { from, into, restored, records: records.map((r) => r.ref).sort(), activities: Number(acts?.n ?? 0) };
}

interface MergeRow {
  id: number;
  survivor_id: number;
  merged_id: number | null;
  kind: string;
  undo: { customers?: Record<string, unknown>[]; activities?: number[] };
  records: unknown[];
  left_record_id: number | null;
  right_record_id: number | null;
  undone_at: Date | null;
}

/**
 * Undoes one merge: the merge's records still in the customer on the survivor's side of its
 * linking pair move out, to the absorbed customer re-created from the undo data (merged_id) or
 * to a new customer (new records joined); a cannot-link between the linking pair keeps the next
 * resolve from joining them again (a must-link between them is removed); the merge is marked
 * undone. Records that joined later through the moved ones stay where they are.
 */
export async function undoMerge(tx: Session, config: GoldenConfig, mergeId: number): Promise<UnmergeResult> {
  const [row] = await tx.query<MergeRow>(
    `SELECT id, survivor_id, merged_id, kind, undo, records, left_record_id, right_record_id, undone_at FROM merge_log WHERE id = $1`,
    [mergeId],
  );
  if (row === undefined) throw new UserError(`unknown merge ${mergeId} (golden explain lists a customer's merges)`, ExitCode.usage);
  if (row.undone_at !== null) {
    throw new UserError(`merge ${mergeId} was already undone on ${new Date(row.undone_at).toISOString()}`, ExitCode.usage);
  }
  const records = toNumbers(row.records);
  const pair = toNumbers([row.left_record_id, row.right_record_id].filter((x) => x !== null));
  const ends = pair.length > 0 ? await recordsWhere(tx, 'id = ANY ($1::bigint[])', [pair]) : [];
  const left = ends.find((e) => e.id === Number(row.left_record_id)) ?? null;
  const right = ends.find((e) => e.id === Number(row.right_record_id)) ?? null;

  // The survivor's side: the end of the linking pair that did not join in this merge.
  const anchor = ends.find((e) => !records.includes(e.id));
  let current: number | null = anchor?.customerId ?? null;
  if (current === null) current = await locateCustomer(tx, Number(row.survivor_id)).then((l) => l.customerId, () => null);

  let moved: DetachResult | null = null;
  if (current !== null) {
    const mergedId = row.merged_id === null ? null : Number(row.merged_id);
    const restore = mergedId === null ? undefined : row.undo.customers?.find((c) => Number(c.id) === mergedId);
    moved = await detachRecords(tx, config, current, records, { restore, activities: toNumbers(row.undo.activities) });
  }

  let cannotLinkStored = false;
  let mustLinksRemoved = 0;
  if (left && right) {
    mustLinksRemoved = await removeOverrides(tx, 'must_link', left, right);
    cannotLinkStored = await storeOverride(tx, 'cannot_link', left, right, `golden unmerge ${mergeId}`);
  }
  await tx.query('UPDATE merge_log SET undone_at = now() WHERE id = $1', [mergeId]);
  return { mergeId, kind: row.kind, left: left?.ref ?? null, right: right?.ref ?? null, moved, cannotLinkStored, mustLinksRemoved };
}

/** Undoes every not-undone merge into a customer (merge_log survivor), latest first: each piece it absorbed comes back whole. */
export async function unmergeCustomer(tx: Session, config: GoldenConfig, reference: string): Promise<CustomerUnmergeResult> {
  const resolved = await resolveReference(tx, reference);
  const location = resolved.location ?? { requested: resolved.customerId, customerId: resolved.customerId, via: [] };
  const merges = await tx.query<{ id: number }>('SELECT id FROM merge_log WHERE survivor_id = $1 AND undone_at IS NULL ORDER BY id DESC', [
    location.customerId,
  ]);
  if (merges.length === 0) throw new UserError(`customer ${location.customerId} has no merges to undo`, ExitCode.usage);
  const results: UnmergeResult[] = [];
  for (const m of merges) results.push(await undoMerge(tx, config, Number(m.id)));
  return { location, merges: results };
}

/**
 * `golden link`: stores a must-link between two records (a customer id stands for its first
 * record), drops a cannot-link between them, and merges their customers now.
 */
export async function linkRecords(
  tx: Session,
  config: GoldenConfig,
  a: string | Reference,
  b: string | Reference,
  options: { note?: string | null; kind?: 'link' | 'review'; evidence?: Record<string, unknown> } = {},
): Promise<LinkResult> {
  const left = await representative(tx, typeof a === 'string' ? await resolveReference(tx, a) : a);
  const right = await representative(tx, typeof b === 'string' ? await resolveReference(tx, b) : b);
  if (left.id === right.id) throw new UserError(`cannot link ${left.ref} to itself`, ExitCode.usage);
  const note = options.note ?? null;
  const cannotLinksRemoved = await removeOverrides(tx, 'cannot_link', left, right);
  const overrideStored = await storeOverride(tx, 'must_link', left, right, note);
  const merge = await mergeCustomers(tx, config, left, right, options.kind ?? 'link', { ...(note === null ? {} : { note }), ...options.evidence });
  return { left, right, overrideStored, cannotLinksRemoved, merge, customerId: merge?.survivorId ?? left.customerId };
}

/**
 * `golden split`: stores a cannot-link between two records, drops a must-link between them, and
 * when they are in one customer moves B's record (and the activities naming it) to a new one.
 */
export async function splitRecords(tx: Session, config: GoldenConfig, a: string, b: string, options: { note?: string | null } = {}): Promise<SplitResult> {
  for (const text of [a, b]) {
    if (CUSTOMER_ID.test(text.trim())) throw new UserError(`split takes two records (source:key), not a customer id: "${text}"`, ExitCode.usage);
  }
  const left = await findRecord(tx, a.trim());
  const right = await findRecord(tx, b.trim());
  if (left.id === right.id) throw new UserError(`cannot split ${left.ref} from itself`, ExitCode.usage);
  const mustLinksRemoved = await removeOverrides(tx, 'must_link', left, right);
  const overrideStored = await storeOverride(tx, 'cannot_link', left, right, options.note ?? null);
  const moved = left.customerId === right.customerId ? await detachRecords(tx, config, right.customerId, [right.id]) : null;
  return { left, right: moved ? { ...right, customerId: moved.into } : right, overrideStored, mustLinksRemoved, moved };
}

/** Open review items, most probable first, with both records side by side. */
export async function listReview(db: Queryable): Promise<ReviewItem[]> {
  const side = (t: string) => `${t}.id AS ${t}_id, ${t}.source || ':' || ${t}.source_key AS ${t}_ref, ${t}.customer_id AS ${t}_customer,
    nullif(concat_ws(' ', ${t}.title, ${t}.given_name, ${t}.middle_name, ${t}.family_name, ${t}.name_suffix), '') AS ${t}_name,
    ${t}.birth_date AS ${t}_birth, ${t}.email AS ${t}_email, ${t}.phone AS ${t}_phone, ${t}.postcode AS ${t}_postcode`;
  const rows = await db.query<Record<string, unknown>>(
    `SELECT q.id, q.score, q.created_at, ${side('l')}, ${side('r')}
     FROM review_queue q JOIN customer_sources l ON l.id = q.left_record_id JOIN customer_sources r ON r.id = q.right_record_id
     WHERE q.status = 'open' ORDER BY q.score DESC, q.id`,
  );
  const record = (row: Record<string, unknown>, t: string): ReviewRecord => ({
    id: Number(row[`${t}_id`]),
    ref: String(row[`${t}_ref`]),
    customerId: Number(row[`${t}_customer`]),
    name: (row[`${t}_name`] as string | null) ?? null,
    birthDate: (row[`${t}_birth`] as string | null) ?? null,
    email: (row[`${t}_email`] as string | null) ?? null,
    phone: (row[`${t}_phone`] as string | null) ?? null,
    postcode: (row[`${t}_postcode`] as string | null) ?? null,
  });
  return rows.map((row) => {
    const left = record(row, 'l');
    const right = record(row, 'r');
    return {
      id: Number(row.id),
      probability: Number(row.score),
      left,
      right,
      sameCustomer: left.customerId === right.customerId,
      createdAt: row.created_at as Date,
    };
  });
}

interface QueueRow {
  id: number;
  status: string;
  score: number;
  evidence: Record<string, unknown>;
  left_record_id: number;
  right_record_id: number;
}

async function openItems(tx: Queryable, ids: readonly number[]): Promise<QueueRow[]> {
  const rows = await tx.query<QueueRow>(
    'SELECT id, status, score, evidence, left_record_id, right_record_id FROM review_queue WHERE id = ANY ($1::bigint[])',
    [ids],
  );
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.map((id) => {
    const row = byId.get(id);
    if (row === undefined) throw new UserError(`unknown review item ${id} (golden review lists the open ones)`, ExitCode.usage);
    if (row.status !== 'open') throw new UserError(`review item ${id} is already ${row.status}`, ExitCode.usage);
    return row;
  });
}

function reviewIds(ids: readonly (string | number)[]): number[] {
  const out = [...new Set(ids.map((id) => (typeof id === 'number' ? id : positiveId(id, 'review item'))))];
  if (out.length === 0) throw new UserError('name at least one review item id', ExitCode.usage);
  return out;
}

/** `golden review accept`: each pair is linked like `golden link` (merge_log kind 'review'). */
export async function acceptReview(tx: Session, config: GoldenConfig, ids: readonly (string | number)[]): Promise<ReviewDecision[]> {
  const items = await openItems(tx, reviewIds(ids));
  const out: ReviewDecision[] = [];
  for (const item of items) {
    const left = await findRecordById(tx, Number(item.left_record_id));
    const right = await findRecordById(tx, Number(item.right_record_id));
    const linked = await linkRecords(
      tx,
      config,
      { text: left.ref, customerId: left.customerId, record: left },
      { text: right.ref, customerId: right.customerId, record: right },
      { kind: 'review', note: `golden review accept ${item.id}`, evidence: { reviewId: Number(item.id), reviewScore: Number(item.score), ...item.evidence } },
    );
    await tx.query("UPDATE review_queue SET status = 'accepted', decided_at = now() WHERE id = $1", [item.id]);
    out.push({ id: Number(item.id), status: 'accepted', left: left.ref, right: right.ref, merge: linked.merge });
  }
  return out;
}

/** `golden review reject`: a cannot-link between each pair, so resolve keeps them apart. */
export async function rejectReview(tx: Session, ids: readonly (string | number)[]): Promise<ReviewDecision[]> {
  const items = await openItems(tx, reviewIds(ids));
  const out: ReviewDecision[] = [];
  for (const item of items) {
    const left = await findRecordById(tx, Number(item.left_record_id));
    const right = await findRecordById(tx, Number(item.right_record_id));
    await removeOverrides(tx, 'must_link', left, right);
    const overrideStored = await storeOverride(tx, 'cannot_link', left, right, `golden review reject ${item.id}`);
    await tx.query("UPDATE review_queue SET status = 'rejected', decided_at = now() WHERE id = $1", [item.id]);
    out.push({ id: Number(item.id), status: 'rejected', left: left.ref, right: right.ref, overrideStored, sameCustomer: left.customerId === right.customerId });
  }
  return out;
}

/** Open review items whose two records are now in one customer are settled (as resolve does). */
export async function settleReview(tx: Queryable): Promise<number> {
  const rows = await tx.query(
    `DELETE FROM review_queue q USING customer_sources l, customer_sources r
     WHERE q.status = 'open' AND l.id = q.left_record_id AND r.id = q.right_record_id AND l.customer_id = r.customer_id RETURNING q.id`,
  );
  return rows.length;
}
