import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { GoldenConfig } from '../../src/config/index.js';
import type { Queryable } from '../../src/db/index.js';
import { csvLine } from '../../src/generator/csv.js';
import { readCsv, type CsvFormat } from '../../src/importer/index.js';

/**
 * Shared by the resolve suites: the state resolve leaves behind in a form two databases (or two
 * runs) can be compared by, the generator's ground truth, and small file tools.
 */

/** "source:key" of a crosswalk record. */
export type Ref = string;

/** Every crosswalk record and its customer. */
export async function crosswalk(db: Queryable): Promise<Map<Ref, number>> {
  const rows = await db.query<{ ref: string; customer_id: number }>(
    "SELECT source || ':' || source_key AS ref, customer_id FROM customer_sources ORDER BY 1",
  );
  return new Map(rows.map((r) => [r.ref, Number(r.customer_id)]));
}

/** Customer id → its records' refs, sorted. */
export function membersOf(cw: ReadonlyMap<Ref, number>): Map<number, Ref[]> {
  const out = new Map<number, Ref[]>();
  for (const [ref, customer] of cw) {
    let list = out.get(customer);
    if (list === undefined) out.set(customer, (list = []));
    list.push(ref);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** The clusters as a sorted list of "ref ref …" strings: what resolve decided, without any id. */
export function clusterSet(cw: ReadonlyMap<Ref, number>): string[] {
  return [...membersOf(cw).values()].map((m) => m.join(' ')).sort();
}

const GOLDEN = [
  'title', 'given_name', 'middle_name', 'family_name', 'name_suffix', 'email', 'phone', 'street', 'address_line2',
  'city', 'region', 'postcode', 'country', 'birth_date', 'gender', 'customer_since',
] as const;

export interface CanonicalDump {
  /** Golden values (and lineage) keyed by the customer's sorted member refs. */
  customers: Record<string, Record<string, unknown>>;
  /** Crosswalk ref → its customer's member set, and the record's attribute hash. */
  crosswalk: Record<Ref, { members: string; hash: string }>;
  /** Activity "source:key" → member sets of the customers its rows belong to (null: none yet). */
  activities: Record<string, (string | null)[]>;
  mergeLog: number;
  identifiers: string[];
  review: string[];
  models: number;
  /** customer_activity rows (kept by triggers) keyed like customers, as text. */
  activityTotals: Record<string, string>;
  /** Activity-totals rows that differ from what activities say now: 0 unless a trigger missed a change. */
  staleActivityTotals: number;
}

/**
 * Everything resolve writes, free of ids and timestamps: two databases resolved from the same
 * input must give equal dumps however they got there.
 */
export async function canonicalDump(db: Queryable): Promise<CanonicalDump> {
  const cw = await crosswalk(db);
  const members = new Map([...membersOf(cw)].map(([id, refs]) => [id, refs.join(' ')]));
  const key = (id: unknown): string | null => (id === null || id === undefined ? null : (members.get(Number(id)) ?? `(customer ${String(id)} without records)`));

  const customers: CanonicalDump['customers'] = {};
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id, ${GOLDEN.map((c) => (c === 'birth_date' || c === 'customer_since' ? `${c}::text AS ${c}` : c)).join(', ')}, lineage FROM customers ORDER BY id`,
  );
  for (const row of rows) {
    const { id, ...golden } = row;
    customers[key(id)!] = golden;
  }
  const hashes = await db.query<{ ref: string; hash: string }>(
    "SELECT source || ':' || source_key AS ref, attributes_hash AS hash FROM customer_sources ORDER BY 1",
  );
  const crosswalkDump: CanonicalDump['crosswalk'] = {};
  for (const h of hashes) crosswalkDump[h.ref] = { members: key(cw.get(h.ref))!, hash: h.hash };

  const activities: CanonicalDump['activities'] = {};
  for (const a of await db.query<{ ref: string; customer_id: number | null }>(
    "SELECT source || ':' || source_key AS ref, customer_id FROM activities ORDER BY 1, id",
  )) {
    (activities[a.ref] ??= []).push(key(a.customer_id));
  }
  for (const list of Object.values(activities)) list.sort((x, y) => String(x).localeCompare(String(y)));

  const identifiers = (await db.query<{ customer_id: number; kind: string; value: string; source: string }>(
    'SELECT customer_id, kind, value, source FROM customer_identifiers',
  ))
    .map((i) => `${key(i.customer_id)} | ${i.kind} | ${i.value} | ${i.source}`)
    .sort();
  const review = (await db.query<{ left_ref: string; right_ref: string; status: string }>('SELECT left_ref, right_ref, status FROM review_queue'))
    .map((r) => `${r.left_ref} ${r.right_ref} ${r.status}`)
    .sort();
  const [counts] = await db.query<{ merges: number; models: number }>(
    'SELECT (SELECT count(*) FROM merge_log)::int AS merges, (SELECT count(*) FROM match_models)::int AS models',
  );
  const activityTotals: CanonicalDump['activityTotals'] = {};
  for (const t of await db.query<{ customer_id: number; figures: string }>(
    'SELECT t.customer_id, row(t.*)::text AS figures FROM customer_activity t ORDER BY t.customer_id',
  )) {
    activityTotals[key(t.customer_id)!] = t.figures.replace(/^\(\d+,/, '(');
  }
  return {
    customers,
    crosswalk: crosswalkDump,
    activities,
    mergeLog: Number(counts!.merges),
    identifiers,
    review,
    models: Number(counts!.models),
    activityTotals,
    staleActivityTotals: await staleActivityTotals(db),
  };
}

/** Rows of the activity totals (customer_activity, source_activity, source_activity_issues, monthly_activity) that are not what their views compute from activities now, and missing rows. */
export async function staleActivityTotals(db: Queryable): Promise<number> {
  const differ = (table: string) =>
    `(SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM ${table}_live) x)
     + (SELECT count(*) FROM (SELECT * FROM ${table}_live EXCEPT ALL SELECT * FROM ${table}) y)`;
  const [row] = await db.query<{ n: number }>(
    `SELECT ${['customer_activity', 'source_activity', 'source_activity_issues', 'monthly_activity'].map(differ).join(' + ')} AS n`,
  );
  return Number(row!.n);
}

/** Customer ids by member set: a killed and rerun resolve must also end with the same ids. */
export async function customerIds(db: Queryable): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [id, refs] of membersOf(await crosswalk(db))) out[refs.join(' ')] = id;
  return out;
}

/** What resolve consumes: staged rows and batches not yet resolved. */
export async function pendingState(db: Queryable): Promise<{ staged: number; unresolvedBatches: number; customers: number; runs: number }> {
  const [row] = await db.query<{ staged: number; unresolved: number; customers: number; runs: number }>(
    `SELECT (SELECT count(*) FROM staging_records)::int AS staged,
       (SELECT count(*) FROM import_batches WHERE kind = 'customers' AND status = 'loaded' AND resolved_at IS NULL)::int AS unresolved,
       (SELECT count(*) FROM customers)::int AS customers,
       (SELECT count(*) FROM resolve_runs)::int AS runs`,
  );
  return { staged: Number(row!.staged), unresolvedBatches: Number(row!.unresolved), customers: Number(row!.customers), runs: Number(row!.runs) };
}

/** Empties every table (not the migration bookkeeping), so a suite can load again from scratch. */
export async function resetDatabase(db: Queryable): Promise<void> {
  const tables = await db.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'knex\\_%'",
  );
  await db.exec(`TRUNCATE ${tables.map((t) => `"${t.name}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

// ---------------------------------------------------------------------------------------------
// Ground truth

export interface TruthRecord {
  ref: Ref;
  source: string;
  key: string;
  person: string;
  groupKind: string;
  /** "kind:id" of the person's hard-negative group, or '' */
  group: string;
}

export interface Truth {
  records: Map<Ref, TruthRecord>;
  /** Person → their refs. */
  refsOf: Map<string, Ref[]>;
  /** "kind:id" → persons in that look-alike group. */
  groups: Map<string, string[]>;
}

/** truth.csv as written by the generator; rows of dirty lines without a key are skipped. */
export function readTruth(file: string): Truth {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const records = new Map<Ref, TruthRecord>();
  const refsOf = new Map<string, Ref[]>();
  const groups = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.source_key) continue;
    const ref = `${r.source}:${r.source_key}`;
    const group = r.group_kind ? `${r.group_kind}:${r.group_id}` : '';
    records.set(ref, { ref, source: r.source!, key: r.source_key, person: r.person_id!, groupKind: r.group_kind ?? '', group });
    let list = refsOf.get(r.person_id!);
    if (list === undefined) refsOf.set(r.person_id!, (list = []));
    list.push(ref);
    if (group) {
      let set = groups.get(group);
      if (set === undefined) groups.set(group, (set = new Set()));
      set.add(r.person_id!);
    }
  }
  return { records, refsOf, groups: new Map([...groups].map(([g, s]) => [g, [...s].sort()])) };
}

export interface Pairwise {
  precision: number;
  recall: number;
  truePositives: number;
  predictedPairs: number;
  truePairs: number;
  /** Crosswalk records the truth does not know. */
  unknown: Ref[];
}

/** Pairwise precision and recall of the crosswalk over the records both know. */
export function pairwise(cw: ReadonlyMap<Ref, number>, truth: Truth): Pairwise {
  const byCustomer = new Map<number, Map<string, number>>();
  const byPerson = new Map<string, number>();
  const unknown: Ref[] = [];
  for (const [ref, customer] of cw) {
    const t = truth.records.get(ref);
    if (t === undefined) {
      unknown.push(ref);
      continue;
    }
    let persons = byCustomer.get(customer);
    if (persons === undefined) byCustomer.set(customer, (persons = new Map()));
    persons.set(t.person, (persons.get(t.person) ?? 0) + 1);
    byPerson.set(t.person, (byPerson.get(t.person) ?? 0) + 1);
  }
  const pairs = (n: number) => (n * (n - 1)) / 2;
  let truePositives = 0;
  let predictedPairs = 0;
  for (const persons of byCustomer.values()) {
    let size = 0;
    for (const n of persons.values()) {
      truePositives += pairs(n);
      size += n;
    }
    predictedPairs += pairs(size);
  }
  let truePairs = 0;
  for (const n of byPerson.values()) truePairs += pairs(n);
  return {
    precision: predictedPairs === 0 ? 1 : truePositives / predictedPairs,
    recall: truePairs === 0 ? 1 : truePositives / truePairs,
    truePositives,
    predictedPairs,
    truePairs,
    unknown,
  };
}

/** Customers holding records of two persons of one look-alike group, described for a failure message. */
export function lookAlikeMerges(cw: ReadonlyMap<Ref, number>, truth: Truth, kinds: readonly string[]): string[] {
  const out: string[] = [];
  for (const [customer, refs] of membersOf(cw)) {
    const byGroup = new Map<string, Set<string>>();
    for (const ref of refs) {
      const t = truth.records.get(ref);
      if (!t || !t.group || !kinds.includes(t.groupKind)) continue;
      let persons = byGroup.get(t.group);
      if (persons === undefined) byGroup.set(t.group, (persons = new Set()));
      persons.add(t.person);
    }
    for (const [group, persons] of byGroup) {
      if (persons.size > 1) out.push(`customer ${customer} holds persons ${[...persons].join(', ')} of ${group}: ${refs.join(' ')}`);
    }
  }
  return out;
}

/**
 * Persons resolved exactly right, alone in one customer with all their records, outside any
 * look-alike group: safe subjects for incremental edits whose outcome the truth decides.
 */
export function cleanPersons(cw: ReadonlyMap<Ref, number>, truth: Truth): Map<string, number> {
  const members = membersOf(cw);
  const out = new Map<string, number>();
  for (const [person, refs] of truth.refsOf) {
    const first = truth.records.get(refs[0]!)!;
    if (first.group) continue;
    const customers = new Set(refs.map((r) => cw.get(r)));
    if (customers.size !== 1 || customers.has(undefined)) continue;
    const customer = [...customers][0]!;
    const held = members.get(customer)!;
    if (held.length !== refs.length || held.some((r) => truth.records.get(r)?.person !== person)) continue;
    out.set(person, customer);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Files

/** Copies every file of a generated data set into a new folder (each test edits its own copy). */
export function copyDataSet(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** A GoldenConfig like loadConfig returns for the given folder, with changes. */
export function withConfig(config: GoldenConfig, dir: string, change: (c: GoldenConfig) => void = () => {}): GoldenConfig {
  const copy = structuredClone(config);
  copy.baseDir = dir;
  copy.file = path.join(dir, path.basename(config.file));
  change(copy);
  return copy;
}

/** A seeded PRNG (mulberry32), for shuffles that are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Rewrites a CSV file with its data lines in another order, byte for byte otherwise: the
 * header line (with any byte-order mark) stays first, each line keeps its own ending (CRLF
 * files stay CRLF), and the bytes are never decoded, so windows-1252 files stay as they are.
 * Only for files without line breaks inside quoted cells (the generator writes none).
 */
export function shuffleLines(file: string, random: () => number): number {
  const bytes = readFileSync(file);
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < bytes.length) throw new Error(`${file}: last line has no line ending`);
  const [header, ...rows] = lines;
  if (header === undefined) return 0;
  const out = shuffled(rows, random);
  if (rows.length > 2 && out.every((row, i) => row === rows[i])) throw new Error(`${file}: the shuffle left the order unchanged`);
  writeFileSync(file, Buffer.concat([header, ...out]));
  return rows.length;
}

export function csvFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.csv') && !f.endsWith('.rejects.csv') && f !== 'truth.csv' && f !== 'dirty.csv');
}

/** A CSV file's header and well-formed rows as cells, read the way the importer reads it (broken rows left out). */
export async function readTable(file: string, format: CsvFormat): Promise<{ header: string[]; rows: string[][] }> {
  const rows: string[][] = [];
  let header: string[] | undefined;
  for await (const record of readCsv(file, format)) {
    if (header === undefined) header = record.fields;
    else if (!record.error && record.fields.length === header.length) rows.push(record.fields);
  }
  return { header: header ?? [], rows };
}

/** Writes rows as a UTF-8 CSV with LF line ends (as the web shop export is written). */
export function writeTable(file: string, header: readonly string[], rows: readonly (readonly string[])[], delimiter: string): void {
  writeFileSync(file, [header, ...rows].map((cells) => `${csvLine(cells, delimiter)}\n`).join(''));
}

// ---------------------------------------------------------------------------------------------
// Blocking, recomputed independently of resolve

/** A blocking field's value: a column, or one of the derived fields blocking.ts computes. */
function derived(record: Record<string, string | string[] | null>, field: string): string | null {
  if (field === 'name_pair') {
    const g = record.given_name_match as string | null;
    const f = record.family_name_match as string | null;
    // SQL: least(g, f) || '|' || greatest(g, f), null when either is null. Only the grouping
    // matters (either order gives one key), so any fixed order will do.
    if (g === null || f === null) return null;
    return Buffer.compare(Buffer.from(g), Buffer.from(f)) <= 0 ? `${g}|${f}` : `${f}|${g}`;
  }
  if (field === 'email_local') {
    const e = record.email_match as string | null;
    return e === null ? null : e.split('@')[0]!;
  }
  const value = record[field];
  if (Array.isArray(value)) throw new Error(`blocking field ${field} is not a single value`);
  return value ?? null;
}

/**
 * The candidate pairs of a first load recomputed in JavaScript from staging_records, rule by
 * rule, as the config describes blocking: records agreeing on all of a rule's parts (e-mails
 * and phones: any of a record's values), blocks of 2 … maxBlockSize records.
 */
export async function expectedBlocking(db: Queryable, config: GoldenConfig): Promise<{ rules: Map<string, Set<string>>; union: Set<string> }> {
  if (config.resolve.blocklist.length > 0) throw new Error('expectedBlocking does not model the blocklist');
  const records = await db.query<Record<string, string | string[] | null>>(
    `SELECT DISTINCT ON (source, source_key) source || ':' || source_key AS ref,
       given_name_match, given_name_formal, family_name_match, family_phonetic, street_match, house_number, postcode,
       city, region, birth_date::text AS birth_date, birth_year::text AS birth_year,
       email_match, other_emails, phone, other_phones
     FROM staging_records ORDER BY source, source_key, batch_id DESC, line_no DESC`,
  );
  const rules = new Map<string, Set<string>>();
  const union = new Set<string>();
  for (const rule of config.resolve.blocking) {
    const blocks = new Map<string, Set<string>>();
    for (const record of records) {
      let multi: string[] = [''];
      const fixed: string[] = [];
      let complete = true;
      for (const part of rule.on) {
        const [field, width] = part.split(':') as [string, string | undefined];
        const cut = (v: string) => (width === undefined ? v : Array.from(v).slice(0, Number(width)).join(''));
        if (field === 'emails' || field === 'phones') {
          const values =
            field === 'emails'
              ? [record.email_match as string | null, ...((record.other_emails as string[] | null) ?? []).map((x) => x.toLowerCase())]
              : [record.phone as string | null, ...((record.other_phones as string[] | null) ?? [])];
          multi = [...new Set(values.filter((v): v is string => v !== null && v !== ''))].map(cut).filter((v) => v !== '');
          fixed.push('\u0000');
        } else {
          const value = derived(record, field);
          if (value === null || value === undefined || cut(value) === '') complete = false;
          else fixed.push(cut(value));
        }
      }
      if (!complete) continue;
      for (const m of multi) {
        const key = fixed.map((f) => (f === '\u0000' ? m : f)).join('|');
        let block = blocks.get(key);
        if (block === undefined) blocks.set(key, (block = new Set()));
        block.add(record.ref as string);
      }
    }
    const pairs = new Set<string>();
    for (const block of blocks.values()) {
      if (block.size < 2 || block.size > config.resolve.maxBlockSize) continue;
      const list = [...block].sort();
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pairs.add(`${list[i]} ${list[j]}`);
    }
    rules.set(rule.name, pairs);
    for (const p of pairs) union.add(p);
  }
  return { rules, union };
}

/**
 * A later export of a UTF-8, LF-ended file whose key is its first cell: the lines of the keys in
 * `edits` rewritten by their edit, every other line byte for byte, then the `extra` rows.
 */
export function reExport(
  from: string,
  to: string,
  delimiter: string,
  edits: ReadonlyMap<string, (cells: string[]) => string[]>,
  extra: readonly (readonly string[])[] = [],
): void {
  const lines = readFileSync(from, 'utf8').split('\n');
  if (lines.pop() !== '') throw new Error(`${from}: expected LF line ends`);
  const found = new Set<string>();
  const out = lines.map((line, i) => {
    const cells = line.split(delimiter);
    const edit = i === 0 ? undefined : edits.get(cells[0]!);
    if (edit === undefined) return line;
    if (line.includes('"') || line.includes('\r')) throw new Error(`${from}: line ${i + 1} is quoted; pick another`);
    found.add(cells[0]!);
    return csvLine(edit(cells), delimiter);
  });
  const missing = [...edits.keys()].filter((k) => !found.has(k));
  if (missing.length > 0) throw new Error(`${from}: no line for ${missing.join(', ')}`);
  for (const cells of extra) out.push(csvLine(cells, delimiter));
  writeFileSync(to, `${out.join('\n')}\n`);
}
