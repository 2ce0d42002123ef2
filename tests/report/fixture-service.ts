import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type GoldenConfig } from '../../src/config/index.js';
import type { Database, Queryable } from '../../src/db/index.js';
import type { Facts } from '../../src/generator/facts.js';
import { generate } from '../../src/generator/generate.js';
import { importAll } from '../../src/importer/index.js';
import { resolve } from '../../src/resolve/index.js';
import { epochSeconds, parseWithFormats, readPlainCsv, readTable } from '../generator/helpers.js';

/**
 * Generated data for the report tests: one data set per test file (300 persons, a fixed seed,
 * some planted bad rows), loaded into each database by import + resolve, and read back from
 * its CSV files so the tests can compute every figure on their own, without SQL.
 */

/** Seed 8 at 300 persons resolves exactly as truth.csv says (no person split, no false merge). */
export const DATA = { persons: 300, seed: 8, dirtyRate: 0.03 } as const;

export interface Generated {
  dir: string;
  config: GoldenConfig;
  facts: Facts;
  remove(): Promise<void>;
}

export async function generateData(options: { persons: number; seed: number; dirtyRate: number } = DATA): Promise<Generated> {
  const dir = await mkdtemp(path.join(tmpdir(), 'golden-report-'));
  await generate({ ...options, outDir: dir });
  const config = await loadConfig(path.join(dir, 'golden.config.json'));
  const facts = JSON.parse(await readFile(path.join(dir, 'facts.json'), 'utf8')) as Facts;
  return { dir, config, facts, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Imports every file of the data set into a fresh database and resolves it. */
export async function loadData(db: Database, data: Generated): Promise<void> {
  await importAll(db, data.config);
  await resolve(db, data.config);
}

/** Rows of one generated export (customer source or activity file), read with its own dialect. */
export async function readExport(data: Generated, name: string): Promise<{ line: number; cells: Record<string, string> }[]> {
  const spec = data.config.sources[name] ?? data.config.activities[name];
  if (spec === undefined) throw new Error(`no file ${name} in the config`);
  const file = path.join(data.dir, Array.isArray(spec.files) ? (spec.files[0] as string) : (spec.files as string));
  const table = await readTable(file, { delimiter: spec.delimiter ?? ',', quote: spec.quote ?? '"', encoding: spec.encoding as 'utf-8' | 'windows-1252' });
  return table.rows.map((r) => ({ line: r.line, cells: Object.fromEntries(table.header.map((h, i) => [h, r.cells[i] ?? ''])) }));
}

/** A date cell of an export as UTC epoch seconds (null when blank). */
export function stamp(data: Generated, name: string, text: string): number | null {
  if (text.trim() === '') return null;
  const spec = data.config.activities[name] ?? data.config.sources[name];
  const dt = parseWithFormats(text, spec?.dateFormats ?? []);
  if (dt === null) throw new Error(`${name}: cannot read date "${text}"`);
  return epochSeconds(dt);
}

/** Epoch seconds of the start of a YYYY-MM-DD day (UTC). */
export const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;
/** The first second after a YYYY-MM-DD day: "nothing after asOf" means before this. */
export const dayEnd = (day: string): number => dayStart(day) + 86400;

/** truth.csv without the planted bad rows (dirty.csv): source:key → person id. */
export async function truth(data: Generated): Promise<Map<string, string>> {
  const dirty = new Set((await readPlainCsv(path.join(data.dir, 'dirty.csv'))).map((d) => `${d.file}\u0000${d.line_no}`));
  const files = Object.fromEntries(Object.entries(data.config.sources).map(([name, s]) => [name, path.basename(String(s.files))]));
  const out = new Map<string, string>();
  for (const t of await readPlainCsv(path.join(data.dir, 'truth.csv'))) {
    if (dirty.has(`${files[t.source!]}\u0000${t.line_no}`)) continue;
    out.set(`${t.source}:${t.source_key}`, t.person_id!);
  }
  return out;
}

/** The crosswalk as raw rows: source:key → customer id. */
export async function crosswalk(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ source: string; source_key: string; customer_id: number }>('SELECT source, source_key, customer_id FROM customer_sources');
  return new Map(rows.map((r) => [`${r.source}:${r.source_key}`, Number(r.customer_id)]));
}

/** Persons whose records resolve into more than one customer, plus customers holding more than one person. */
export function resolutionErrors(truthMap: Map<string, string>, cross: Map<string, number>): number {
  const customersOf = new Map<string, Set<number>>();
  const personsOf = new Map<number, Set<string>>();
  for (const [ref, person] of truthMap) {
    const customer = cross.get(ref);
    if (customer === undefined) continue;
    (customersOf.get(person) ?? customersOf.set(person, new Set()).get(person)!).add(customer);
    (personsOf.get(customer) ?? personsOf.set(customer, new Set()).get(customer)!).add(person);
  }
  return [...customersOf.values()].filter((s) => s.size > 1).length + [...personsOf.values()].filter((s) => s.size > 1).length;
}

export interface Activity {
  name: string;
  kind: 'order' | 'transaction' | 'ticket' | 'feedback';
  key: string;
  /** The customer the crosswalk (or, for feedback, the lowest customer holding the e-mail) gives it; null when none. */
  customer: number | null;
  /** The reference the row carries (source:key, or the e-mail). */
  ref: string;
  at: number;
  closedAt: number | null;
  status: string;
  channel: string;
  category: string;
  csat: number | null;
  nps: number | null;
}

/**
 * Every activity row of the four generated activity files, linked to its customer through the
 * raw crosswalk (by source key) or the raw e-mail identifiers (lowest customer id, as resolve
 * attaches them).
 */
export async function activities(data: Generated, db: Queryable): Promise<Activity[]> {
  const cross = await crosswalk(db);
  const emails = new Map<string, number>();
  for (const r of await db.query<{ value: string; customer_id: number }>("SELECT value, customer_id FROM customer_identifiers WHERE kind = 'email'")) {
    const id = Number(r.customer_id);
    emails.set(r.value, Math.min(id, emails.get(r.value) ?? id));
  }
  const out: Activity[] = [];
  for (const [name, spec] of Object.entries(data.config.activities)) {
    const columns = Object.entries(spec.columns);
    const col = (field: string) => columns.find(([, f]) => f === field)?.[0];
    for (const row of await readExport(data, name)) {
      const c = row.cells;
      const refValue = c[spec.customer.column] ?? '';
      const ref = spec.customer.by === 'source_key' ? `${spec.customer.source}:${refValue}` : refValue.trim().toLowerCase();
      const customer = spec.customer.by === 'source_key' ? (cross.get(ref) ?? null) : (emails.get(ref) ?? null);
      const text = (field: string) => {
        const column = col(field);
        return column === undefined ? '' : (c[column] ?? '');
      };
      const score = (field: string) => (text(field) === '' ? null : Number(text(field)));
      out.push({
        name,
        kind: spec.kind as Activity['kind'],
        key: c[spec.key] ?? '',
        customer,
        ref,
        at: stamp(data, name, text('occurred_at'))!,
        closedAt: stamp(data, name, text('closed_at')),
        status: text('status'),
        channel: text('channel'),
        category: text('category'),
        csat: score('csat'),
        nps: score('nps'),
      });
    }
  }
  return out;
}

/** PostgreSQL's percentile_cont: linear interpolation between the sorted values; null for none. */
export function percentileCont(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

/** Expects a figure the report rounded to `digits` decimals to match an exact one. */
export function near(actual: unknown, expected: number | null, digits: number): boolean {
  if (expected === null) return actual === null;
  return typeof actual === 'number' && Math.abs(actual - expected) <= 0.5 * 10 ** -digits + 1e-9;
}
