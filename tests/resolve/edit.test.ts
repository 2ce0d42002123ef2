import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type GoldenConfig } from '../../src/config/index.js';
import type { Database, Queryable } from '../../src/db/index.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { importAll } from '../../src/importer/index.js';
import {
  acceptReview,
  explainCustomer,
  linkRecords,
  listReview,
  locateCustomer,
  rejectReview,
  resolve,
  splitRecords,
  undoMerge,
  unmergeCustomer,
} from '../../src/resolve/index.js';
import { golden } from '../helpers/cli.js';
import { describeEachDatabase, engines } from '../helpers/databases.js';
import { demoWorkspace as copyOfDemo, type Workspace } from '../helpers/workspace.js';

/**
 * Hand edits of the resolution (explain, unmerge, link, split, review) on the 60-person demo:
 * each scenario loads the demo into a clean database, edits, and checks the edit holds through
 * a later import and resolve.
 */

const workspaces: Workspace[] = [];
afterAll(() => workspaces.forEach((w) => w.remove()));

function demoWorkspace(): Workspace {
  const ws = copyOfDemo();
  workspaces.push(ws);
  return ws;
}

/**
 * Rewrites the row of one key in a demo export (delimiter-separated, no quoted delimiters on
 * the rows edited here). Bytes are read and written as latin1, so a windows-1252 file keeps
 * every byte it does not change.
 */
function editRow(ws: Workspace, file: string, key: string, change: (fields: string[]) => string[]): void {
  const full = ws.path(file);
  const text = readFileSync(full, 'latin1');
  const delimiter = file === 'retail_loyalty.csv' ? ';' : file === 'web_shop.csv' ? '\t' : ',';
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${key}${delimiter}`));
  if (at < 0) throw new Error(`${key} not in ${file}`);
  const cr = lines[at]!.endsWith('\r');
  const fields = lines[at]!.replace(/\r$/, '').split(delimiter);
  lines[at] = change(fields).join(delimiter) + (cr ? '\r' : '');
  writeFileSync(full, lines.join('\n'), 'latin1');
}

function editConfig(ws: Workspace, change: (json: Record<string, unknown>) => void): void {
  const file = ws.path('golden.config.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

async function reset(db: Database): Promise<void> {
  await db.exec(`TRUNCATE import_batches, staging_records, customers, customer_sources, customer_identifiers, activities, merge_log,
    match_overrides, review_queue, resolve_runs, match_models, match_term_frequencies, record_keys, resolve_state RESTART IDENTITY CASCADE`);
}

const configs = new Map<string, GoldenConfig>();

/** The workspace's config, as importAndResolve last loaded it. */
function config(ws: Workspace): GoldenConfig {
  const loaded = configs.get(ws.dir);
  if (loaded === undefined) throw new Error(`config of ${ws.dir} not loaded yet`);
  return loaded;
}

/** Imports what is new in the workspace and resolves it. */
async function importAndResolve(db: Database, ws: Workspace): Promise<{ config: GoldenConfig; refused: number }> {
  const config = await loadConfig(ws.path('golden.config.json'));
  configs.set(ws.dir, config);
  await importAll(db, config);
  const summary = await resolve(db, config);
  return { config, refused: summary.refusedByGuards };
}

async function customerOf(db: Queryable, ref: string): Promise<number> {
  const [source, key] = [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)];
  const rows = await db.query<{ customer_id: number }>('SELECT customer_id FROM customer_sources WHERE source = $1 AND source_key = $2', [source, key]);
  if (rows.length === 0) throw new Error(`no record ${ref}`);
  return Number(rows[0]!.customer_id);
}

async function membersById(db: Queryable): Promise<Map<number, string[]>> {
  const rows = await db.query<{ customer_id: number; refs: string[] }>(
    "SELECT customer_id, array_agg(source || ':' || source_key ORDER BY source, source_key) AS refs FROM customer_sources GROUP BY customer_id",
  );
  return new Map(rows.map((r) => [Number(r.customer_id), r.refs]));
}

interface Snapshot {
  /** Each customer as its sorted member refs. */
  customers: string[];
  /** Activity id → its customer's member set (null: not attached). */
  activities: Record<number, string | null>;
}

/** The resolution free of ids: who is with whom, and where each activity is. */
async function snapshot(db: Queryable): Promise<Snapshot> {
  const members = await membersById(db);
  const name = (id: number | null) => (id === null ? null : (members.get(Number(id))?.join(' ') ?? `(customer ${id} without records)`));
  const customers = (await db.query<{ id: number }>('SELECT id FROM customers')).map((c) => name(Number(c.id))!).sort();
  const activities: Snapshot['activities'] = {};
  for (const a of await db.query<{ id: number; customer_id: number | null }>('SELECT id, customer_id FROM activities ORDER BY id')) {
    activities[Number(a.id)] = name(a.customer_id === null ? null : Number(a.customer_id));
  }
  return { customers, activities };
}

/** Golden values and lineage of each customer, keyed by its sorted member refs. */
async function goldenValues(db: Queryable): Promise<Record<string, unknown>> {
  const members = await membersById(db);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id, given_name, family_name, email, phone, street, postcode, birth_date::text AS birth_date, customer_since::text AS customer_since, lineage FROM customers`,
  );
  return Object.fromEntries(rows.map(({ id, ...values }) => [members.get(Number(id))!.join(' '), values]));
}

async function overrides(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ kind: string; left_ref: string; right_ref: string }>('SELECT kind, left_ref, right_ref FROM match_overrides ORDER BY id');
  return rows.map((o) => `${o.kind} ${o.left_ref} ${o.right_ref}`);
}

const userError = { name: 'UserError', exitCode: ExitCode.usage };

describeEachDatabase('hand edits of the resolution', (db) => {
  it('weighs an e-mail or phone held by more records than sharedIdentifierLimit at its shared level', async () => {
    // The e-mail and phone levels of every merge, as explain shows them.
    const identifierLevels = async (): Promise<string[]> => {
      const merged = await db().query<{ id: number }>('SELECT DISTINCT customer_id AS id FROM customer_sources cs JOIN merge_log m ON cs.id = m.left_record_id');
      const levels: string[] = [];
      for (const { id } of merged) {
        for (const m of (await explainCustomer(db(), String(id))).merges) {
          for (const c of m.waterfall?.comparisons ?? []) if (c.comparison === 'email' || c.comparison === 'phone') levels.push(`${c.comparison}: ${c.levelLabel}`);
        }
      }
      return levels;
    };
    await reset(db());
    await importAndResolve(db(), demoWorkspace());
    const usual = await identifierLevels();
    await reset(db());
    const ws = demoWorkspace();
    editConfig(ws, (json) => {
      json.resolve = { ...(json.resolve as Record<string, unknown> | undefined), sharedIdentifierLimit: 2 };
    });
    await importAndResolve(db(), ws);
    const tight = await identifierLevels();
    // With the default limit (4) the demo's people hold their own addresses and numbers; with
    // 2, one held by three or more records is shared, and no longer counts as plain "same".
    const plain = (levels: string[]) => levels.filter((l) => l === 'email: same address' || l === 'phone: same number').length;
    const shared = (levels: string[]) => levels.filter((l) => l.endsWith(', shared by many records')).length;
    expect(plain(usual)).toBeGreaterThan(0);
    expect(shared(tight)).toBeGreaterThan(0);
    expect(plain(tight)).toBeLessThan(plain(usual));
  });

  it('explains every merged customer with weights that add up to the stored match weight', async () => {
    await reset(db());
    const ws = demoWorkspace();
    await importAndResolve(db(), ws);
    const merged = await db().query<{ id: number }>(
      'SELECT DISTINCT cs.customer_id AS id FROM merge_log m JOIN customer_sources cs ON cs.id = m.left_record_id ORDER BY 1',
    );
    expect(merged.length).toBeGreaterThan(10);
    const members = await membersById(db());
    let checked = 0;
    for (const { id } of merged) {
      const e = await explainCustomer(db(), String(id));
      expect(e.customerId).toBe(Number(id));
      expect(e.records.map((r) => r.ref).sort()).toEqual([...members.get(Number(id))!].sort());
      // Every golden group's lineage names a source one of its records comes from.
      for (const g of e.groups) if (g.source !== null) expect(e.records.map((r) => r.source)).toContain(g.source);
      expect(e.merges.length).toBe(members.get(Number(id))!.length - 1);
      for (const m of e.merges) {
        expect(m.kind).toBe('auto');
        expect(m.waterfall).not.toBeNull();
        const w = m.waterfall!;
        const sum = w.prior + w.comparisons.reduce((s, c) => s + c.weight, 0) + w.termFrequency;
        expect(Math.abs(sum - m.weight!)).toBeLessThan(1e-6);
        expect(Math.abs(w.total - m.weight!)).toBeLessThan(1e-6);
        expect(Math.abs(w.probability - m.score!)).toBeLessThan(1e-6);
        expect(w.comparisons.every((c) => (c.level === 0) === (c.levelLabel === 'missing'))).toBe(true);
        checked++;
      }
      // Merges come in merge order, and a record reference explains the same customer.
      expect(e.merges.map((m) => m.id)).toEqual([...e.merges.map((m) => m.id)].sort((a, b) => a - b));
      const byRecord = await explainCustomer(db(), e.records[0]!.ref);
      expect(byRecord.customerId).toBe(Number(id));
    }
    expect(checked).toBeGreaterThan(10);

    await expect(explainCustomer(db(), 'web_shop:NO-SUCH-KEY')).rejects.toMatchObject({ ...userError, message: expect.stringContaining('web_shop:NO-SUCH-KEY') });
    await expect(explainCustomer(db(), '999999')).rejects.toMatchObject({ ...userError, message: expect.stringContaining('999999') });
    await expect(explainCustomer(db(), 'nonsense')).rejects.toBeInstanceOf(UserError);
  });

  it('unmerges a merge back to the state before it, and the next resolve keeps the two apart', async () => {
    await reset(db());
    const ws = demoWorkspace();
    // R0000003 is a second loyalty card of Patricia Brown (R0000002). Loaded first under another
    // identity it is a customer of its own; restored, it merges into hers on the next resolve.
    const original = readFileSync(ws.path('retail_loyalty.csv'));
    editRow(ws, 'retail_loyalty.csv', 'R0000003', (f) => [f[0]!, 'Quentin', 'Zyxwerth', 'qzyxwerth@fastmail.net', '', '1 Nowhere Lane', '99501', 'Anchorage', 'AK', '01.01.1931', f[10]!]);
    await importAndResolve(db(), ws);
    const before = await snapshot(db());
    const valuesBefore = await goldenValues(db());
    const bBefore = await customerOf(db(), 'retail_loyalty:R0000003');
    expect(bBefore).not.toBe(await customerOf(db(), 'retail_loyalty:R0000002'));
    const [createdBefore] = await db().query<{ created_at: Date }>('SELECT created_at FROM customers WHERE id = $1', [bBefore]);
    const orders = await db().query<{ id: number }>("SELECT id FROM activities WHERE customer_ref = 'R0000003'");
    expect(orders.length).toBeGreaterThan(0);

    writeFileSync(ws.path('retail_loyalty.csv'), original);
    await importAndResolve(db(), ws);
    const together = await customerOf(db(), 'retail_loyalty:R0000002');
    expect(await customerOf(db(), 'retail_loyalty:R0000003')).toBe(together);
    const [merge] = await db().query<{ id: number; merged_id: number; survivor_id: number }>(
      'SELECT id, merged_id, survivor_id FROM merge_log WHERE merged_id = $1 AND undone_at IS NULL',
      [bBefore],
    );
    expect(merge).toBeDefined();
    expect(Number(merge!.survivor_id)).toBe(together);
    // A customer id merged away is followed to the customer it lives in now.
    expect((await locateCustomer(db(), bBefore)).customerId).toBe(together);
    expect((await explainCustomer(db(), String(bBefore))).location?.via[0]?.mergeId).toBe(Number(merge!.id));

    const result = await db().transaction((tx) => undoMerge(tx, config(ws), Number(merge!.id)));
    expect(result.moved).toMatchObject({ from: together, into: bBefore, restored: true, records: ['retail_loyalty:R0000003'] });
    expect(result.cannotLinkStored).toBe(true);
    expect(await snapshot(db())).toEqual(before);
    // Every customer but the restored one (its record changed) has its golden values as before.
    const { 'retail_loyalty:R0000003': restoredValues, ...others } = await goldenValues(db());
    const { 'retail_loyalty:R0000003': fakeValues, ...othersBefore } = valuesBefore;
    expect(others).toEqual(othersBefore);
    expect(restoredValues).toMatchObject({ family_name: 'Brown', lineage: { name: 'retail_loyalty' } });
    expect(fakeValues).toMatchObject({ family_name: 'Zyxwerth' });
    // The absorbed customer is back under its own id, as it was created.
    const [restored] = await db().query<{ created_at: Date; family_name: string }>('SELECT created_at, family_name FROM customers WHERE id = $1', [bBefore]);
    expect(restored!.created_at.getTime()).toBe(createdBefore!.created_at.getTime());
    expect(restored!.family_name).toBe('Brown');
    const [undone] = await db().query<{ undone_at: Date | null }>('SELECT undone_at FROM merge_log WHERE id = $1', [merge!.id]);
    expect(undone!.undone_at).not.toBeNull();
    expect(await overrides(db())).toHaveLength(1);
    expect((await overrides(db()))[0]).toMatch(/^cannot_link /);
    // Golden values come from the records each customer holds now.
    const identifiers = await db().query<{ customer_id: number; value: string }>(
      "SELECT customer_id, value FROM customer_identifiers WHERE kind = 'email' AND value = 'pbrown44@att.net'",
    );
    expect(identifiers.map((i) => Number(i.customer_id))).toEqual([together]);

    await expect(db().transaction((tx) => undoMerge(tx, config(ws), Number(merge!.id)))).rejects.toMatchObject({
      ...userError,
      message: expect.stringContaining('already undone'),
    });
    await expect(db().transaction((tx) => undoMerge(tx, config(ws), 99_999))).rejects.toMatchObject(userError);

    // A changed copy of the record comes in: it still matches her, but the cannot-link holds.
    editRow(ws, 'retail_loyalty.csv', 'R0000003', (f) => f.map((v, i) => (i === 10 ? '02.06.2022' : v)));
    const third = await importAndResolve(db(), ws);
    expect(third.refused).toBeGreaterThan(0);
    expect(await customerOf(db(), 'retail_loyalty:R0000003')).toBe(bBefore);
    expect(await customerOf(db(), 'retail_loyalty:R0000002')).toBe(together);
    expect((await snapshot(db())).customers).toEqual(before.customers);
  });

  it('unmerges a customer by id into every piece it absorbed', async () => {
    await reset(db());
    const ws = demoWorkspace();
    await importAndResolve(db(), ws);
    const members = await membersById(db());
    const [id, refs] = [...members].sort((a, b) => b[1].length - a[1].length || a[0] - b[0])[0]!;
    expect(refs.length).toBeGreaterThanOrEqual(3);
    const mergesInto = await db().query<{ id: number }>('SELECT id FROM merge_log WHERE survivor_id = $1', [id]);

    const result = await db().transaction((tx) => unmergeCustomer(tx, config(ws), refs[1]!));
    expect(result.location.customerId).toBe(id);
    expect(result.merges.map((m) => m.mergeId)).toEqual(mergesInto.map((m) => Number(m.id)).sort((a, b) => b - a));
    // Every merge of this first resolve joined single records, so each record stands alone again.
    const after = await Promise.all(refs.map((r) => customerOf(db(), r)));
    expect(new Set(after).size).toBe(refs.length);
    expect(after).toContain(id);
    const left = await membersById(db());
    for (const c of after) expect(left.get(c)).toHaveLength(1);
    // Each lone record's customer shows that record's values, and nothing left over from the others.
    const alone = await db().query<Record<string, unknown>>(
      `SELECT c.lineage, cs.source, c.email IS NOT DISTINCT FROM cs.email AND c.phone IS NOT DISTINCT FROM cs.phone
         AND c.street IS NOT DISTINCT FROM cs.street AND c.postcode IS NOT DISTINCT FROM cs.postcode
         AND c.family_name IS NOT DISTINCT FROM cs.family_name AND c.birth_date IS NOT DISTINCT FROM cs.birth_date AS same
       FROM customers c JOIN customer_sources cs ON cs.customer_id = c.id WHERE c.id = ANY ($1::bigint[])`,
      [after],
    );
    expect(alone).toHaveLength(refs.length);
    for (const row of alone) {
      expect(row.same).toBe(true);
      expect(new Set(Object.values(row.lineage as Record<string, string>))).toEqual(new Set([row.source]));
    }
    // Activities naming a record by key went with it.
    const misplaced = await db().query<{ n: number }>(
      `SELECT count(*) AS n FROM activities a JOIN customer_sources cs ON cs.source = a.customer_ref_source AND cs.source_key = a.customer_ref
       WHERE a.customer_ref_by = 'source_key' AND a.customer_id IS DISTINCT FROM cs.customer_id`,
    );
    expect(Number(misplaced[0]!.n)).toBe(0);
    expect((await overrides(db())).filter((o) => o.startsWith('cannot_link'))).toHaveLength(mergesInto.length);
    await expect(db().transaction((tx) => unmergeCustomer(tx, config(ws), String(id)))).rejects.toMatchObject({
      ...userError,
      message: expect.stringContaining('no merges'),
    });
  });

  it('links two customers now, and the link survives a later resolve with new data', async () => {
    await reset(db());
    const ws = demoWorkspace();
    await importAndResolve(db(), ws);
    // Two web shop customers of one record each; the survivor (lower id) lacks a phone the other has,
    // so undoing the link must take the phone away again.
    const [pair] = await db().query<{ a: number; ref_a: string; b: number; ref_b: string }>(
      `WITH single AS (
         SELECT customer_id, min(source || ':' || source_key) AS ref, min(phone) AS phone FROM customer_sources
         GROUP BY customer_id HAVING count(*) = 1 AND min(source) = 'web_shop')
       SELECT a.customer_id AS a, a.ref AS ref_a, b.customer_id AS b, b.ref AS ref_b
       FROM single a JOIN single b ON a.customer_id < b.customer_id
       ORDER BY (a.phone IS NULL AND b.phone IS NOT NULL) DESC, a.customer_id, b.customer_id LIMIT 1`,
    );
    expect(pair).toBeDefined();
    const [idA, refA, idB, refB] = [Number(pair!.a), pair!.ref_a, Number(pair!.b), pair!.ref_b];
    const valuesBefore = await goldenValues(db());
    const activitiesB = await db().query<{ id: number }>('SELECT id FROM activities WHERE customer_id = $1', [idB]);

    // One side named by record, the other by customer id.
    const result = await db().transaction((tx) => linkRecords(tx, config(ws), refA, String(idB), { note: 'same person, says the customer' }));
    expect(result.overrideStored).toBe(true);
    expect(result.merge).toMatchObject({ survivorId: idA, mergedId: idB, records: [refB], activities: activitiesB.length });
    expect(await customerOf(db(), refB)).toBe(idA);
    expect(await db().query('SELECT 1 FROM customers WHERE id = $1', [idB])).toHaveLength(0);
    const [logged] = await db().query<{ kind: string; undo: { customers: { id: number }[] }; evidence: Record<string, unknown> }>(
      'SELECT kind, undo, evidence FROM merge_log WHERE id = $1',
      [result.merge!.mergeId],
    );
    expect(logged).toMatchObject({ kind: 'link', evidence: { override: true, note: 'same person, says the customer' } });
    expect(logged!.undo.customers.map((c) => Number(c.id))).toEqual([idB]);
    const identifiers = await db().query('SELECT 1 FROM customer_identifiers WHERE customer_id = $1', [idB]);
    expect(identifiers).toHaveLength(0);
    expect(await overrides(db())).toEqual([`must_link ${refA} ${refB}`]);
    const explained = await explainCustomer(db(), String(idB));
    expect(explained.customerId).toBe(idA);
    expect(explained.merges.at(-1)).toMatchObject({ override: 'link', kind: 'link' });
    // Linking again changes nothing.
    const again = await db().transaction((tx) => linkRecords(tx, config(ws), refB, refA));
    expect(again).toMatchObject({ overrideStored: false, merge: null, customerId: idA });

    // New data: both linked records change and a new customer arrives; the link holds.
    editRow(ws, 'web_shop.csv', refA.slice('web_shop:'.length), (f) => f.map((v, i) => (i === 11 ? '2020-01-02 03:04:05' : v)));
    editRow(ws, 'web_shop.csv', refB.slice('web_shop:'.length), (f) => f.map((v, i) => (i === 11 ? '2020-01-02 03:04:05' : v)));
    const web = readFileSync(ws.path('web_shop.csv'), 'utf8');
    writeFileSync(ws.path('web_shop.csv'), `${web.replace(/\n?$/, '\n')}W09999999\tQuentin\tZyxwerth\tqzyx@fastmail.net\t\t1 Nowhere Lane\t\t99501\tAnchorage\tAK\t1931-01-01\t2020-01-01 00:00:00\n`);
    await importAndResolve(db(), ws);
    expect(await customerOf(db(), refA)).toBe(idA);
    expect(await customerOf(db(), refB)).toBe(idA);
    expect((await membersById(db())).get(await customerOf(db(), 'web_shop:W09999999'))).toEqual(['web_shop:W09999999']);

    // Undoing the link removes the must-link and keeps them apart from now on.
    const undone = await db().transaction((tx) => undoMerge(tx, config(ws), result.merge!.mergeId));
    expect(undone).toMatchObject({ mustLinksRemoved: 1, cannotLinkStored: true, moved: { into: idB, restored: true } });
    expect(await customerOf(db(), refB)).toBe(idB);
    expect((await db().query<{ id: number }>('SELECT id FROM activities WHERE customer_id = $1', [idB])).map((a) => a.id)).toEqual(activitiesB.map((a) => a.id));
    expect(await overrides(db())).toEqual([`cannot_link ${refA} ${refB}`]);
    // Both are back to the golden values they had before the link (B's record changed since: its customer_since).
    const valuesAfter = await goldenValues(db());
    expect(valuesAfter[refA]).toEqual({ ...(valuesBefore[refA] as object), customer_since: '2020-01-02' });
    expect(valuesAfter[refB]).toMatchObject({ ...(valuesBefore[refB] as object), customer_since: '2020-01-02' });
  });

  it('splits two records apart now, and the split survives a later resolve', async () => {
    await reset(db());
    const ws = demoWorkspace();
    await importAndResolve(db(), ws);
    // A loyalty record with orders, in a customer with other records.
    const [pick] = await db().query<{ customer_id: number; b: string; a: string }>(
      `SELECT cs.customer_id, cs.source || ':' || cs.source_key AS b,
         (SELECT o.source || ':' || o.source_key FROM customer_sources o WHERE o.customer_id = cs.customer_id AND o.id <> cs.id ORDER BY o.id LIMIT 1) AS a
       FROM customer_sources cs
       WHERE cs.source = 'retail_loyalty'
         AND EXISTS (SELECT 1 FROM activities x WHERE x.customer_ref_source = 'retail_loyalty' AND x.customer_ref = cs.source_key)
         AND (SELECT count(*) FROM customer_sources o WHERE o.customer_id = cs.customer_id) >= 2
       ORDER BY cs.id LIMIT 1`,
    );
    expect(pick).toBeDefined();
    const { a, b } = pick!;
    const id = Number(pick!.customer_id);
    const keyB = b.slice('retail_loyalty:'.length);
    const orders = await db().query<{ id: number }>("SELECT id FROM activities WHERE customer_ref_source = 'retail_loyalty' AND customer_ref = $1 ORDER BY id", [keyB]);

    const result = await db().transaction((tx) => splitRecords(tx, config(ws), a, b, { note: 'twins' }));
    expect(result.overrideStored).toBe(true);
    expect(result.moved).toMatchObject({ from: id, restored: false, records: [b] });
    const newId = result.moved!.into;
    expect(newId).toBeGreaterThan(id);
    expect(await customerOf(db(), a)).toBe(id);
    expect(await customerOf(db(), b)).toBe(newId);
    expect((await db().query<{ id: number }>('SELECT id FROM activities WHERE customer_id = $1 AND customer_ref_by = $2 ORDER BY id', [newId, 'source_key'])).map((x) => x.id)).toEqual(
      orders.map((o) => o.id),
    );
    // Golden values of each side come only from its own records.
    const [golden] = await db().query<{ lineage: Record<string, string> }>('SELECT lineage FROM customers WHERE id = $1', [newId]);
    expect(Object.values(golden!.lineage).every((s) => s === 'retail_loyalty')).toBe(true);
    expect(await overrides(db())).toEqual([`cannot_link ${a} ${b}`]);
    // Split only takes records; the same split again moves nothing.
    await expect(db().transaction((tx) => splitRecords(tx, config(ws), a, String(id)))).rejects.toMatchObject(userError);
    expect(await db().transaction((tx) => splitRecords(tx, config(ws), a, b))).toMatchObject({ overrideStored: false, moved: null });

    editRow(ws, 'retail_loyalty.csv', keyB, (f) => f.map((v, i) => (i === 10 ? '02.01.2020' : v)));
    await importAndResolve(db(), ws);
    expect(await customerOf(db(), b)).toBe(newId);
    expect(await customerOf(db(), a)).toBe(id);
  });

  it('accepts and rejects review items', async () => {
    await reset(db());
    const ws = demoWorkspace();
    // A high bar for merging leaves the weaker matches for review.
    editConfig(ws, (c) => (c.resolve = { autoMergeAt: 1 - 2 ** -20 }));
    await importAndResolve(db(), ws);
    const items = await listReview(db());
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((i) => !i.sameCustomer)).toBe(true);
    expect(items.map((i) => i.probability)).toEqual([...items.map((i) => i.probability)].sort((x, y) => y - x));
    const accept = items[0]!;
    // Another pair, apart from the first, with a record whose export row the test can change later.
    const editable = (ref: string) => ref.startsWith('web_shop:') || ref.startsWith('retail_loyalty:');
    const reject = items.find(
      (i) =>
        ![accept.left.customerId, accept.right.customerId].some((c) => c === i.left.customerId || c === i.right.customerId) &&
        (editable(i.left.ref) || editable(i.right.ref)) &&
        i.probability >= 0.999,
    )!;
    expect(reject).toBeDefined();

    const accepted = await db().transaction((tx) => acceptReview(tx, config(ws), [String(accept.id)]));
    expect(accepted[0]).toMatchObject({ id: accept.id, status: 'accepted', left: accept.left.ref, right: accept.right.ref });
    expect(await customerOf(db(), accept.left.ref)).toBe(await customerOf(db(), accept.right.ref));
    const [log] = await db().query<{ kind: string; evidence: { override: boolean; reviewId: number; pattern: number } }>(
      'SELECT kind, evidence FROM merge_log WHERE id = $1',
      [accepted[0]!.merge!.mergeId],
    );
    expect(log).toMatchObject({ kind: 'review', evidence: { override: true, reviewId: accept.id } });
    const explained = await explainCustomer(db(), accept.left.ref);
    const reviewed = explained.merges.find((m) => m.id === accepted[0]!.merge!.mergeId)!;
    expect(reviewed.override).toBe('review');
    expect(Math.abs(reviewed.waterfall!.probability - accept.probability)).toBeLessThan(1e-6);

    const rejected = await db().transaction((tx) => rejectReview(tx, [reject.id]));
    expect(rejected[0]).toMatchObject({ id: reject.id, status: 'rejected', overrideStored: true, sameCustomer: false });
    const decided = await db().query<{ id: number; status: string; decided_at: Date | null }>(
      'SELECT id, status, decided_at FROM review_queue WHERE id = ANY ($1::bigint[]) ORDER BY id',
      [[accept.id, reject.id]],
    );
    expect(Object.fromEntries(decided.map((d) => [Number(d.id), [d.status, d.decided_at !== null]]))).toEqual({
      [accept.id]: ['accepted', true],
      [reject.id]: ['rejected', true],
    });
    expect(await overrides(db())).toEqual([`must_link ${accept.left.ref} ${accept.right.ref}`, `cannot_link ${reject.left.ref} ${reject.right.ref}`]);
    expect((await listReview(db())).map((i) => i.id)).not.toContain(accept.id);
    await expect(db().transaction((tx) => acceptReview(tx, config(ws), [accept.id]))).rejects.toMatchObject({
      ...userError,
      message: expect.stringContaining('already accepted'),
    });
    await expect(db().transaction((tx) => rejectReview(tx, [123_456]))).rejects.toMatchObject(userError);

    // Both decisions hold when a record of the rejected pair comes in again, changed.
    const changed = editable(reject.right.ref) ? reject.right.ref : reject.left.ref;
    const [source, key] = [changed.slice(0, changed.indexOf(':')), changed.slice(changed.indexOf(':') + 1)];
    editRow(ws, `${source}.csv`, key, (f) =>
      source === 'web_shop' ? f.map((v, i) => (i === 11 ? '2020-01-02 03:04:05' : v)) : f.map((v, i) => (i === 10 ? '02.01.2020' : v)),
    );
    // Back to the default bar: the rejected pair now scores well above it, yet the cannot-link wins.
    editConfig(ws, (c) => delete c.resolve);
    const later = await importAndResolve(db(), ws);
    expect(later.refused).toBeGreaterThan(0);
    expect(await customerOf(db(), reject.left.ref)).not.toBe(await customerOf(db(), reject.right.ref));
    expect(await customerOf(db(), accept.left.ref)).toBe(await customerOf(db(), accept.right.ref));
    const [still] = await db().query<{ status: string }>('SELECT status FROM review_queue WHERE id = $1', [reject.id]);
    expect(still!.status).toBe('rejected');
  });
});

describe('golden explain and unmerge on the command line', () => {
  // One engine is enough here (the edits run on both above): the server when there is one, as
  // each spawn on the embedded database boots its WebAssembly PostgreSQL again.
  const engine = engines.find((e) => e.name === 'postgres') ?? engines[0]!;
  it(`prints explain --json and exits 0 / 2 for unmerge [${engine.name}]`, async () => {
    const ws = demoWorkspace();
    const created = engine.name === 'pglite' ? { options: { dbDir: ws.path('db') }, drop: async () => {} } : await engine.create();
    const flags = created.options.databaseUrl ? ['--database-url', created.options.databaseUrl] : ['--db', created.options.dbDir!];
    const run = (...args: string[]) => golden([...args, ...flags], { cwd: ws.dir });
    try {
      expect([ExitCode.ok, ExitCode.rejects]).toContain((await run('import')).code);
      expect((await run('resolve')).code).toBe(ExitCode.ok);

      const shown = await run('explain', 'retail_loyalty:R0000002', '--json');
      expect(shown.code, shown.stderr).toBe(ExitCode.ok);
      const explanation = JSON.parse(shown.stdout) as { customerId: number; records: { ref: string }[]; merges: { id: number; weight: number; waterfall: { total: number } }[] };
      expect(explanation.records.map((r) => r.ref)).toContain('retail_loyalty:R0000002');
      expect(explanation.merges.length).toBeGreaterThan(0);
      for (const m of explanation.merges) expect(Math.abs(m.waterfall.total - m.weight)).toBeLessThan(1e-6);
      const text = await run('explain', String(explanation.customerId));
      expect(text.code).toBe(ExitCode.ok);
      expect(text.stdout).toContain(`merge ${explanation.merges[0]!.id}:`);
      expect(text.stdout).toMatch(/match weight\s+\+\d+\.\d\d {2}probability/);

      const mergeId = String(explanation.merges.at(-1)!.id);
      const undone = await run('unmerge', mergeId);
      expect(undone.code, undone.stderr).toBe(ExitCode.ok);
      expect(undone.stdout).toContain(`merge ${mergeId}`);
      expect(undone.stdout).toContain('moved from customer');
      const twice = await run('unmerge', mergeId);
      expect(twice.code).toBe(ExitCode.usage);
      expect(twice.stderr).toContain(`merge ${mergeId} was already undone`);
      expect((await run('unmerge')).code).toBe(ExitCode.usage);
      const unknown = await run('explain', 'web_shop:NOPE');
      expect(unknown.code).toBe(ExitCode.usage);
      expect(unknown.stderr).toContain('web_shop:NOPE');
    } finally {
      await created.drop();
    }
  });
});
