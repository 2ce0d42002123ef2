import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type GoldenConfig } from '../../src/config/index.js';
import type { Database, Queryable } from '../../src/db/index.js';
import type { Facts } from '../../src/generator/facts.js';
import { generate } from '../../src/generator/generate.js';
import { importAll } from '../../src/importer/index.js';
import { resolve } from '../../src/resolve/index.js';
import { readTruth, resetDatabase, type Truth } from '../resolve/helpers.js';

/**
 * Shared by the report suites: a generated data set (files, facts.json, truth.csv) loaded into
 * a database by import + resolve, and the activity files read back independently of the
 * importer (plain line splitting: the generator writes no quoted cells in activity files), so
 * a test can recompute a report's figures in TypeScript.
 */

export interface DataSet {
  dir: string;
  config: GoldenConfig;
  facts: Facts;
  truth: Truth;
  remove(): void;
}

export async function makeDataSet(persons: number, seed: number): Promise<DataSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'golden-report-'));
  await generate({ persons, seed, outDir: dir, dirtyRate: 0 });
  return {
    dir,
    config: await loadConfig(path.join(dir, 'golden.config.json')),
    facts: JSON.parse(readFileSync(path.join(dir, 'facts.json'), 'utf8')) as Facts,
    truth: readTruth(path.join(dir, 'truth.csv')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Empties the database, imports every file of the data set and resolves it. */
export async function loadDataSet(db: Database, data: DataSet): Promise<void> {
  await resetDatabase(db);
  const imported = await importAll(db, data.config);
  const failed = imported.files.filter((f) => f.status === 'failed');
  if (failed.length > 0) throw new Error(`import failed: ${JSON.stringify(failed)}`);
  await resolve(db, data.config);
}

export type Kind = 'order' | 'transaction' | 'ticket' | 'feedback';

/** One activity row as the file has it. */
export interface FileActivity {
  /** Activity config name (= activities.source). */
  source: string;
  key: string;
  kind: Kind;
  businessUnit: string;
  /** Source key of the customer record it names (orders, transactions, tickets), "source:key". */
  ref: string | null;
  /** YYYY-MM-DD */
  day: string;
  /** YYYY-MM */
  month: string;
  /** Amount in cents (negative: refund); null for tickets and answers. */
  cents: number | null;
  category: string | null;
  channel: string | null;
  csat: number | null;
  nps: number | null;
}

const FILES: Record<string, { kind: Kind; delimiter: string; refSource?: string; parse(cells: string[]): Partial<FileActivity> & { day: string } }> = {
  retail_orders: {
    kind: 'order',
    delimiter: ';',
    refSource: 'retail_loyalty',
    // order_id;member_no;order_date(DD.MM.YYYY);channel;store_id;category;amount
    parse: (c) => ({ day: c[2]!.split('.').reverse().join('-'), channel: c[3]!, category: c[5]!, cents: cents(c[6]!) }),
  },
  card_transactions: {
    kind: 'transaction',
    delimiter: ',',
    refSource: 'card_services',
    // txn_id,acct_no,posted_at(YYYY-MM-DD HH:mm:ss),merchant_category,amount,currency
    parse: (c) => ({ day: c[2]!.slice(0, 10), category: c[3]!, cents: cents(c[4]!) }),
  },
  support_tickets: {
    kind: 'ticket',
    delimiter: ',',
    refSource: 'call_centre',
    // ticket_id,caller_id,opened_at(MM/DD/YYYY HH:mm),closed_at,channel,category,status
    parse: (c) => {
      const [m, d, y] = c[2]!.slice(0, 10).split('/');
      return { day: `${y}-${m}-${d}`, channel: c[4]!, category: c[5]! };
    },
  },
  survey_feedback: {
    kind: 'feedback',
    delimiter: ',',
    // response_id,email,answered_at(YYYY-MM-DD),channel,csat,nps
    parse: (c) => ({ day: c[2]!, channel: c[3]!, csat: Number(c[4]), nps: Number(c[5]) }),
  },
};

/** "-12.34" → -1234, exactly. */
function cents(text: string): number {
  const negative = text.startsWith('-');
  const [whole, frac = ''] = text.replace('-', '').split('.');
  const n = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return negative ? -n : n;
}

/** Every row of the four activity files. */
export function readActivities(data: DataSet): FileActivity[] {
  const out: FileActivity[] = [];
  for (const [source, spec] of Object.entries(FILES)) {
    const text = readFileSync(path.join(data.dir, `${source}.csv`), 'latin1');
    const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
    for (const line of lines.slice(1)) {
      const c = line.split(spec.delimiter);
      const parsed = spec.parse(c);
      out.push({
        source,
        key: c[0]!,
        kind: spec.kind,
        businessUnit: data.config.activities[source]!.businessUnit,
        ref: spec.refSource === undefined ? null : `${spec.refSource}:${c[1]!}`,
        month: parsed.day.slice(0, 7),
        cents: null,
        category: null,
        channel: null,
        csat: null,
        nps: null,
        ...parsed,
      });
    }
  }
  return out;
}

/** "source:key" of each activity row → the customer resolve attached it to (or null). */
export async function attachments(db: Queryable): Promise<Map<string, number | null>> {
  const rows = await db.query<{ ref: string; customer_id: number | null }>("SELECT source || ':' || source_key AS ref, customer_id FROM activities");
  return new Map(rows.map((r) => [r.ref, r.customer_id === null ? null : Number(r.customer_id)]));
}

/** Crosswalk: "source:key" → customer. */
export async function crosswalkOf(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ ref: string; customer_id: number }>("SELECT source || ':' || source_key AS ref, customer_id FROM customer_sources");
  return new Map(rows.map((r) => [r.ref, Number(r.customer_id)]));
}

/**
 * How far the resolve is from the truth: persons spread over several customers and customers
 * holding several persons. Zero means every person is exactly one customer, so counts of
 * customers must equal the generator's counts of persons.
 */
export function resolveErrors(cw: ReadonlyMap<string, number>, truth: Truth): { splitPersons: number; mixedCustomers: number } {
  const customersOf = new Map<string, Set<number>>();
  const personsOf = new Map<number, Set<string>>();
  for (const [ref, customer] of cw) {
    const person = truth.records.get(ref)?.person;
    if (person === undefined) continue;
    (customersOf.get(person) ?? customersOf.set(person, new Set()).get(person)!).add(customer);
    (personsOf.get(customer) ?? personsOf.set(customer, new Set()).get(customer)!).add(person);
  }
  return {
    splitPersons: [...customersOf.values()].filter((s) => s.size > 1).length,
    mixedCustomers: [...personsOf.values()].filter((s) => s.size > 1).length,
  };
}

/** Days between two YYYY-MM-DD days (b − a). */
export function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

/** YYYY-MM-DD plus n days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
