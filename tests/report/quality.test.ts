import { renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/index.js';
import { resolve } from '../../src/resolve/index.js';
import { importAll } from '../../src/importer/index.js';
import { FILL_FIELDS, qualityReport, reasonGroup, tallyHoldings, type QualitySettings } from '../../src/report/quality.js';
import type { Report, Table } from '../../src/report/types.js';
import { describeEachDatabase, engines } from '../helpers/databases.js';
import { readPlainCsv } from '../generator/helpers.js';
import { Workspace } from '../helpers/workspace.js';
import { crosswalk, generateData, loadData, near, resolutionErrors, truth, type Generated } from './fixture-service.js';

/**
 * The data-quality report on 300 generated persons with planted bad rows: loads and rejects
 * against facts.json and dirty.csv, fill rates, duplicates, overlap and single-unit customers
 * against the crosswalk read row by row and against truth.csv.
 */

let data: Generated;
let settings: QualitySettings;
beforeAll(async () => {
  data = await generateData();
  settings = { units: Object.entries(data.config.sources).map(([source, s]) => ({ source, businessUnit: s.businessUnit })) };
});
afterAll(async () => {
  await data?.remove();
});

// Far ahead: the batches are imported "today", and nothing imported after asOf counts.
const AS_OF = '2999-12-31';

function table(report: Report, title: string): Table {
  const found = report.sections.flatMap((s) => s.tables).find((t) => t.title === title);
  if (!found) throw new Error(`no table "${title}"`);
  return found;
}

/** The generator's kind of bad row, told from the importer's reason. */
function dirtyKind(reason: string): string {
  const columns = /expected (\d+) columns, found (\d+)/.exec(reason);
  if (columns) return Number(columns[2]) < Number(columns[1]) ? 'missing_column' : 'extra_column';
  if (/quot/i.test(reason)) return 'broken_quote';
  if (/source key/.test(reason)) return 'blank_key';
  if (/impossible date/.test(reason)) return 'impossible_date';
  return `unknown: ${reason}`;
}

describeEachDatabase('quality report', (db) => {
  beforeAll(async () => {
    await loadData(db(), data);
  });

  it('counts rows read, loaded and rejected per source as the generator wrote them', async () => {
    const report = await qualityReport(db(), { asOf: AS_OF }, settings);
    const rows = new Map(table(report, 'Rows per source').rows.map((r) => [String(r.source), r]));
    for (const [source, f] of Object.entries(data.facts.records)) {
      expect(rows.get(source), source).toMatchObject({ kind: 'customers', files: 1, rows_read: f.rows, rows_loaded: f.clean, rows_rejected: f.dirty });
      expect(near(rows.get(source)!.rejected_pct, (100 * f.dirty) / f.rows, 1)).toBe(true);
    }
    for (const [name, a] of Object.entries(data.facts.activities)) {
      expect(rows.get(name), name).toMatchObject({ kind: 'activities', rows_read: a.rows, rows_loaded: a.rows, rows_rejected: 0 });
    }
  });

  it('groups the rejects files by reason: per source and kind as dirty.csv lists them', async () => {
    const report = await qualityReport(db(), { asOf: AS_OF }, settings);
    const rejects = table(report, 'Rejected rows by reason').rows;
    const got: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    for (const r of rejects) {
      const kind = dirtyKind(String(r.reason));
      got[`${r.source} ${kind}`] = (got[`${r.source} ${kind}`] ?? 0) + Number(r.rows);
      byKind[kind] = (byKind[kind] ?? 0) + Number(r.rows);
      expect(r.group).toBe(reasonGroup(String(r.reason)));
    }
    const files = Object.fromEntries(Object.entries(data.config.sources).map(([name, s]) => [String(s.files), name]));
    const expected: Record<string, number> = {};
    for (const d of await readPlainCsv(path.join(data.dir, 'dirty.csv'))) {
      const key = `${files[d.file!]} ${d.kind}`;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    expect(got).toEqual(expected);
    expect(byKind).toEqual(Object.fromEntries(Object.entries(data.facts.dirtyRows.byKind).filter(([, n]) => n > 0)));
    expect(rejects.reduce((n, r) => n + Number(r.rows), 0)).toBe(data.facts.dirtyRows.total);
    // The first line of each reason is an input line dirty.csv names.
    const lines = new Set((await readPlainCsv(path.join(data.dir, 'dirty.csv'))).map((d) => `${d.file} line ${d.line_no}`));
    for (const r of rejects) expect(lines.has(String(r.example)), String(r.example)).toBe(true);
    expect(report.sections[0]!.summary.some((l) => /is missing/.test(l))).toBe(false);
  });

  it('says so when a rejects file is missing, and counts the others', async () => {
    const file = path.join(data.dir, 'web_shop.rejects.csv');
    renameSync(file, `${file}.away`);
    try {
      const report = await qualityReport(db(), { asOf: AS_OF }, settings);
      expect(report.sections[0]!.summary.join('\n')).toContain(`${file} (web_shop, ${data.facts.records.web_shop.dirty} rows) is missing`);
      const rejects = table(report, 'Rejected rows by reason').rows;
      expect(rejects.some((r) => r.source === 'web_shop')).toBe(false);
      expect(rejects.reduce((n, r) => n + Number(r.rows), 0)).toBe(data.facts.dirtyRows.total - data.facts.records.web_shop.dirty);
    } finally {
      renameSync(`${file}.away`, file);
    }
  });

  it('gives fill rates in [0, 100] that match the source records row by row', async () => {
    const report = await qualityReport(db(), { asOf: AS_OF }, settings);
    const fill = table(report, 'Fill rate per field');
    const records = await db().query<Record<string, unknown>>(`SELECT source, ${FILL_FIELDS.join(', ')} FROM customer_sources`);
    const sources = Object.keys(data.facts.records).sort();
    expect(fill.columns.slice(1).map((c) => c.key)).toEqual(sources);
    expect(fill.rows.map((r) => r.field)).toEqual([...FILL_FIELDS]);
    for (const row of fill.rows) {
      for (const source of sources) {
        const value = row[source];
        expect(typeof value === 'number' && value >= 0 && value <= 100, `${source} ${row.field}`).toBe(true);
        const mine = records.filter((r) => r.source === source);
        const filled = mine.filter((r) => {
          const v = r[String(row.field)];
          return Array.isArray(v) ? v.length > 0 : v !== null;
        }).length;
        expect(near(value, (100 * filled) / mine.length, 1), `${source} ${row.field}: ${value}`).toBe(true);
      }
    }
    // Every source carries names; the card export has no customer_since column.
    expect(fill.rows.find((r) => r.field === 'family_name')).toMatchObject(Object.fromEntries(sources.map((s) => [s, 100])));
    expect(fill.rows.find((r) => r.field === 'customer_since')!.card_services).toBe(0);
  });

  it('counts duplicates inside each source, overlap between sources and single-unit customers as truth.csv has them', async () => {
    const report = await qualityReport(db(), { asOf: AS_OF }, settings);
    const cross = await crosswalk(db());
    const errors = resolutionErrors(await truth(data), cross);
    expect(errors).toBe(0); // seed 8 resolves exactly; the figures below are then the generator's.

    const perSource = new Map<string, Map<number, number>>();
    for (const [ref, customer] of cross) {
      const source = ref.slice(0, ref.indexOf(':'));
      const m = perSource.get(source) ?? perSource.set(source, new Map()).get(source)!;
      m.set(customer, (m.get(customer) ?? 0) + 1);
    }
    const dups = new Map(table(report, 'Duplicates inside each source').rows.map((r) => [String(r.source), r]));
    for (const [source, f] of Object.entries(data.facts.records)) {
      const counts = [...perSource.get(source)!.values()];
      expect(dups.get(source), source).toMatchObject({
        records: f.clean,
        customers: f.persons,
        customers_with_duplicates: f.personsWithTwoRecords,
        duplicate_records: counts.filter((n) => n > 1).reduce((a, b) => a + b, 0),
      });
    }

    const overlap = table(report, 'Customers in both sources');
    for (const row of overlap.rows) {
      const left = perSource.get(String(row.source))!;
      for (const right of overlap.columns.slice(1).map((c) => c.key)) {
        const both = [...left.keys()].filter((c) => perSource.get(right)!.has(c)).length;
        expect(row[right], `${row.source} × ${right}`).toBe(both);
      }
      expect(row[String(row.source)]).toBe(data.facts.records[row.source as keyof Generated['facts']['records']].persons);
    }

    // Each generated source is its own unit, so "one unit only" is "one source only".
    const units = new Map(table(report, 'Customers by business unit').rows.map((r) => [String(r.unit), r]));
    expect(units.get('All')).toMatchObject({ customers: data.facts.persons, only_here: data.facts.personsBySourceCount['1'] });
    for (const [source, s] of Object.entries(data.config.sources)) {
      const only = [...perSource.get(source)!.keys()].filter((c) => [...perSource].every(([other, m]) => other === source || !m.has(c))).length;
      expect(units.get(s.businessUnit), s.businessUnit).toMatchObject({ sources: source, customers: perSource.get(source)!.size, only_here: only });
    }
  });

  it('counts nothing imported after asOf', async () => {
    const report = await qualityReport(db(), { asOf: '2000-01-01' }, settings);
    expect(table(report, 'Rows per source').rows).toEqual([]);
    expect(table(report, 'Rejected rows by reason').rows).toEqual([]);
    expect(table(report, 'Duplicates inside each source').rows).toEqual([]);
    expect(report.sections[0]!.summary[0]).toBe('No files loaded by the report day.');
  });
});

/**
 * Invalid e-mails and phones are noted by the importer in staging_records.issues, which only
 * lives until resolve: the report counts them for batches not resolved yet.
 */
for (const engine of engines) {
  it(`counts invalid e-mails and phones before and after resolve [${engine.name}]`, async () => {
    const ws = new Workspace();
    const created = await engine.create();
    const db = await openDatabase(created.options);
    try {
      await migrate(db);
      ws.write('shop.csv', 'id,name,email,phone\n1,Ann Lee,ann@@example,555\n2,Bob Ray,bob.ray@gmail.com,(212) 555-0142\n3,Cy Ho,not an address,\n');
      const config = ws.config({
        sources: { shop: { businessUnit: 'Web', files: 'shop.csv', key: 'id', columns: { id: null, name: 'full_name', email: 'email', phone: 'phone' } } },
      });
      await importAll(db, config);
      const counts = async () => {
        const report = await qualityReport(db, { asOf: AS_OF });
        const invalid = table(report, 'Invalid e-mails and phones').rows;
        const count = (field: string) => invalid.filter((r) => r.source === 'shop' && r.field === field).reduce((n, r) => n + Number(r.rows), 0);
        return { email: count('email'), phone: count('phone'), summary: report.sections[2]!.summary.join('\n') };
      };
      const staged = await counts();
      expect(staged).toMatchObject({ email: 2, phone: 1 });
      expect(staged.summary).toMatch(/1 customer batches \(3 records\) are not resolved yet/);
      // Resolve empties staging; the crosswalk keeps each record's issues.
      await resolve(db, config);
      const resolved = await counts();
      expect(resolved).toMatchObject({ email: 2, phone: 1 });
      expect(resolved.summary).not.toMatch(/not resolved yet/);
    } finally {
      await db.close();
      await created.drop();
      ws.remove();
    }
  });
}

it('sums overlap and business units over the combinations of sources customers hold', () => {
  const unitOf = new Map([
    ['card', 'Cards'],
    ['loyalty', 'Retail'],
    ['shop', 'Retail'],
  ]);
  const { overlap, unitRows } = tallyHoldings(
    [
      { sources: ['loyalty'], customers: 5 },
      { sources: ['loyalty', 'shop'], customers: 3 },
      { sources: ['card', 'shop'], customers: 2 },
      { sources: ['card'], customers: 1 },
    ],
    unitOf,
  );
  const cell = (l: string, r: string) => overlap.find((o) => o.left_source === l && o.right_source === r)?.customers;
  expect(overlap.map((o) => `${o.left_source}/${o.right_source}`)).toEqual([
    'card/card',
    'card/shop',
    'loyalty/loyalty',
    'loyalty/shop',
    'shop/card',
    'shop/loyalty',
    'shop/shop',
  ]);
  expect([cell('card', 'card'), cell('card', 'shop'), cell('loyalty', 'loyalty'), cell('loyalty', 'shop'), cell('shop', 'shop')]).toEqual([3, 2, 8, 3, 5]);
  // loyalty + shop is one unit (Retail): those 3 customers are in Retail only
  expect(unitRows).toEqual([
    { g: 0, unit: 'Cards', sources: 'card', customers: 3, only_here: 1, only_pct: (100 * 1) / 3 },
    { g: 0, unit: 'Retail', sources: 'loyalty, shop', customers: 10, only_here: 8, only_pct: 80 },
    { g: 1, unit: null, sources: null, customers: 11, only_here: 9, only_pct: (100 * 9) / 11 },
  ]);
  expect(tallyHoldings([], new Map()).unitRows).toEqual([{ g: 1, unit: null, sources: null, customers: 0, only_here: 0, only_pct: null }]);
});
