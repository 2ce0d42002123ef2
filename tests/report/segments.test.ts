import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/index.js';
import { UserError } from '../../src/errors.js';
import {
  customerSegments,
  type CustomSegment,
  NO_PURCHASES,
  SEGMENT_RULES,
  segmentsReport,
  type SegmentRule,
  type SegmentSettings,
} from '../../src/report/segments.js';
import type { Cell, Report, ReportOptions, Table } from '../../src/report/types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import {
  addDays,
  attachments,
  crosswalkOf,
  daysBetween,
  loadDataSet,
  makeDataSet,
  readActivities,
  resolveErrors,
  type DataSet,
  type FileActivity,
} from './fixture.js';

/**
 * The segments report on generated data, on both databases, against figures recomputed here
 * in TypeScript from the generated files: the activity files give dates, amounts and
 * categories, the database gives only which customer resolve attached each row to and the
 * crosswalk. Where the generator's facts.json counts persons, the report's customer counts
 * must equal them when the resolve is exact (seed 22 at 300 persons is), and stay within the
 * resolve's errors otherwise.
 */

const PERSONS = 300;
const SEED = 22;

let data: DataSet;
let files: FileActivity[];
let asOf: string;
let churnDays: number;
let settings: SegmentSettings;

beforeAll(async () => {
  data = await makeDataSet(PERSONS, SEED);
  files = readActivities(data);
  asOf = data.facts.options.endDate;
  churnDays = daysBetween(data.facts.churn.cutoff, asOf);
  settings = {
    churnDays,
    units: Object.entries(data.config.sources).map(([source, s]) => ({ source, businessUnit: s.businessUnit })),
  };
});
afterAll(() => data?.remove());

function table(report: Report, title: string): Table {
  for (const s of report.sections) for (const t of s.tables) if (t.title === title) return t;
  throw new Error(`no table "${title}" in ${report.sections.flatMap((s) => s.tables.map((t) => t.title)).join(', ')}`);
}

function metric(report: Report, title: string, name: string): Cell {
  const row = table(report, title).rows.find((r) => r.metric === name);
  if (row === undefined) throw new Error(`no metric "${name}" in "${title}"`);
  return row.value ?? null;
}

interface Expected {
  id: number;
  activities: number;
  purchases: number;
  tickets: number;
  cents: number;
  lastPurchase: string | null;
  lastActive: string | null;
  csat: number[];
  nps: number[];
  units: Set<string>;
  r: number | null;
  f: number | null;
  m: number | null;
  fm: number | null;
  segment: string;
}

/**
 * A quintile score as the report defines it: the cut points are PostgreSQL's percentile_disc at
 * 0.2, 0.4, 0.6 and 0.8 (the value at row ceil(q·n) of the sorted values), and a value scores 1
 * plus the number of cut points below it, so equal values always score the same.
 */
function quintileScores<T>(values: T[], compare: (a: T, b: T) => number): (v: T) => number {
  const sorted = [...values].sort(compare);
  const cuts = [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.max(Math.ceil(q * sorted.length), 1) - 1]!);
  return (v) => 1 + cuts.filter((c) => compare(c, v) < 0).length;
}

/**
 * Every customer's figures, scores and segment, recomputed from the files: rows up to `asOf`
 * (and of one unit), attached to the customer resolve chose.
 */
async function expected(db: Queryable, o: { asOf: string; unit?: string; rules?: readonly SegmentRule[] }): Promise<Map<number, Expected>> {
  const links = await attachments(db);
  const cw = await crosswalkOf(db);
  const ids = (await db.query<{ id: number }>('SELECT id FROM customers')).map((r) => Number(r.id));
  const unitOf = new Map(settings.units!.map((u) => [u.source, u.businessUnit]));
  const out = new Map<number, Expected>();
  for (const id of ids) {
    out.set(id, {
      id, activities: 0, purchases: 0, tickets: 0, cents: 0, lastPurchase: null, lastActive: null, csat: [], nps: [],
      units: new Set(), r: null, f: null, m: null, fm: null, segment: NO_PURCHASES,
    });
  }
  for (const [ref, id] of cw) out.get(id)!.units.add(unitOf.get(ref.slice(0, ref.indexOf(':')))!);
  const max = (a: string | null, b: string) => (a === null || b > a ? b : a);
  const inUnit = new Set<number>();
  for (const a of files) {
    const id = links.get(`${a.source}:${a.key}`);
    if (id === null || id === undefined || a.day > o.asOf) continue;
    const c = out.get(id)!;
    if (a.kind !== 'feedback') c.units.add(a.businessUnit);
    if (o.unit !== undefined && a.businessUnit !== o.unit) continue;
    inUnit.add(id);
    c.activities++;
    if (a.kind === 'order' || a.kind === 'transaction') {
      c.purchases++;
      c.cents += a.cents!;
      c.lastPurchase = max(c.lastPurchase, a.day);
    }
    if (a.kind === 'ticket') c.tickets++;
    if (a.kind !== 'feedback') c.lastActive = max(c.lastActive, a.day);
    if (a.csat !== null) c.csat.push(a.csat);
    if (a.nps !== null) c.nps.push(a.nps);
  }
  if (o.unit !== undefined) for (const [id, c] of out) if (!c.units.has(o.unit) && !inUnit.has(id)) out.delete(id);

  const buyers = [...out.values()].filter((c) => c.purchases > 0);
  const score = (key: 'r' | 'f' | 'm', order: (a: Expected, b: Expected) => number) => {
    const scoreOf = quintileScores(buyers, order);
    for (const c of buyers) c[key] = scoreOf(c);
  };
  score('r', (a, b) => a.lastPurchase!.localeCompare(b.lastPurchase!));
  score('f', (a, b) => a.purchases - b.purchases);
  score('m', (a, b) => a.cents - b.cents);
  for (const c of buyers) {
    c.fm = Math.round((c.f! + c.m!) / 2);
    const rule = (o.rules ?? SEGMENT_RULES).find((s) => c.r! >= s.r[0] && c.r! <= s.r[1] && c.fm! >= s.fm[0] && c.fm! <= s.fm[1]);
    c.segment = rule?.name ?? 'Other';
  }
  return out;
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
const nps = (xs: number[]) => (xs.length === 0 ? null : (100 * (xs.filter((x) => x >= 9).length - xs.filter((x) => x <= 6).length)) / xs.length);

describeEachDatabase('segments report', (db) => {
  let report: Report;
  let exp: Map<number, Expected>;
  let exact: boolean;
  let slack: number;

  beforeAll(async () => {
    await loadDataSet(db(), data);
    const errors = resolveErrors(await crosswalkOf(db()), data.truth);
    exact = errors.splitPersons === 0 && errors.mixedCustomers === 0;
    slack = 2 * (errors.splitPersons + errors.mixedCustomers);
    report = await segmentsReport(db(), { asOf }, settings);
    exp = await expected(db(), { asOf });
  });

  /** A report figure that counts customers against facts.json's count of persons. */
  const againstFacts = (actual: number, persons: number) => {
    if (exact) expect(actual).toBe(persons);
    else expect(Math.abs(actual - persons)).toBeLessThanOrEqual(slack);
  };

  it('scores every purchasing customer 1–5 by quintile cut points and names its segment by the rules', async () => {
    const rows = await customerSegments(db(), { asOf }, settings);
    expect(rows.length).toBe(exp.size);
    for (const row of rows) {
      const e = exp.get(row.customerId)!;
      expect({ id: row.customerId, purchases: row.purchases, cents: Math.round(row.revenue * 100), r: row.r, f: row.f, m: row.m, fm: row.fm, segment: row.segment }).toEqual({
        id: e.id, purchases: e.purchases, cents: e.cents, r: e.r, f: e.f, m: e.m, fm: e.fm, segment: e.segment,
      });
      if (row.purchases > 0) {
        for (const score of [row.r, row.f, row.m, row.fm]) {
          expect(score).toBeGreaterThanOrEqual(1);
          expect(score).toBeLessThanOrEqual(5);
        }
        expect(row.recencyDays).toBe(daysBetween(e.lastPurchase!, asOf));
      } else {
        expect([row.r, row.f, row.m, row.segment]).toEqual([null, null, null, NO_PURCHASES]);
      }
    }
    // Customers with equal figures score the same; a higher figure never scores lower.
    const buyers = rows.filter((r) => r.purchases > 0);
    for (const [a, b] of buyers.slice(1).map((b, i) => [buyers[i]!, b] as const)) {
      if (a.purchases === b.purchases) expect(a.f).toBe(b.f);
      if (a.purchases < b.purchases) expect(a.f!).toBeLessThanOrEqual(b.f!);
      if (a.lastPurchase! < b.lastPurchase!) expect(a.r!).toBeLessThanOrEqual(b.r!);
    }
    // Every score is used when the values spread (recency here has hundreds of distinct days).
    for (let s = 1; s <= 5; s++) expect(rows.filter((r) => r.r === s).length).toBeGreaterThan(0);
  });

  it('the rules cover every R × FM cell exactly once', () => {
    for (let r = 1; r <= 5; r++) {
      for (let fm = 1; fm <= 5; fm++) {
        expect(SEGMENT_RULES.filter((s) => r >= s.r[0] && r <= s.r[1] && fm >= s.fm[0] && fm <= s.fm[1]).length, `R ${r} FM ${fm}`).toBe(1);
      }
    }
  });

  it('sums each segment: customers, share, revenue, orders, tickets, CSAT, NPS', () => {
    const rows = table(report, 'Segments').rows;
    expect(rows.map((r) => r.segment)).toEqual([...SEGMENT_RULES.map((s) => s.name), NO_PURCHASES]);
    for (const row of rows) {
      const members = [...exp.values()].filter((c) => c.segment === row.segment);
      expect(row.customers, String(row.segment)).toBe(members.length);
      expect(Math.round(Number(row.revenue) * 100)).toBe(members.reduce((s, c) => s + c.cents, 0));
      expect(row.orders).toBe(members.reduce((s, c) => s + c.purchases, 0));
      expect(row.tickets).toBe(members.reduce((s, c) => s + c.tickets, 0));
      const csat = mean(members.flatMap((c) => c.csat));
      const score = nps(members.flatMap((c) => c.nps));
      if (csat === null) expect(row.csat).toBeNull();
      else expect(row.csat).toBeCloseTo(csat, 9);
      if (score === null) expect(row.nps).toBeNull();
      else expect(row.nps).toBeCloseTo(score, 9);
      expect(row.share).toBeCloseTo((100 * members.length) / exp.size, 9);
    }
    expect(rows.reduce((s, r) => s + Number(r.share), 0)).toBeCloseTo(100, 9);
    const chart = report.sections.find((s) => s.title === 'Segments')!.charts[0]!;
    expect(chart.series[0]!.values).toEqual(rows.map((r) => r.customers));
    const grid = table(report, 'Customers by R and FM score').rows;
    const cells = grid.flatMap((g) => [1, 2, 3, 4, 5].map((fm) => Number(g[`fm${fm}`])));
    expect(cells.reduce((s, n) => s + n, 0)).toBe([...exp.values()].filter((c) => c.purchases > 0).length);
  });

  it('counts customers without activity as facts.json does persons', () => {
    const none = [...exp.values()].filter((c) => c.activities === 0).length;
    expect(metric(report, 'Customers', 'without any activity')).toBe(none);
    againstFacts(none, data.facts.personsWithoutActivity);
    expect(metric(report, 'Customers', 'customers')).toBe(exp.size);
  });

  it('subtracts refunds from revenue', () => {
    const purchases = files.filter((a) => a.kind === 'order' || a.kind === 'transaction');
    const refunds = purchases.filter((a) => a.cents! < 0);
    expect(refunds.filter((a) => a.kind === 'order').length).toBe(data.facts.refunds.retail_orders);
    expect(refunds.filter((a) => a.kind === 'transaction').length).toBe(data.facts.refunds.card_transactions);
    expect(refunds.length).toBeGreaterThan(0);
    const gross = purchases.filter((a) => a.cents! > 0).reduce((s, a) => s + a.cents!, 0);
    const net = [...exp.values()].reduce((s, c) => s + c.cents, 0);
    expect(net).toBe(gross + refunds.reduce((s, a) => s + a.cents!, 0));
    expect(Math.round(Number(metric(report, 'Customers', 'revenue')) * 100)).toBe(net);
    expect(net).toBeLessThan(gross);
  });

  it('puts customers into value tiers by revenue', () => {
    const rows = table(report, 'Value tiers').rows;
    const tiers = [
      { name: 'Platinum', min: 500000 },
      { name: 'Gold', min: 100000 },
      { name: 'Silver', min: 25000 },
      { name: 'Bronze', min: 0 },
    ];
    const tierOf = (c: Expected) => (c.purchases === 0 ? NO_PURCHASES : (tiers.find((t) => c.cents >= t.min)?.name ?? 'Below all tiers'));
    const counts = new Map<string, { n: number; cents: number }>();
    for (const c of exp.values()) {
      const t = counts.get(tierOf(c)) ?? { n: 0, cents: 0 };
      counts.set(tierOf(c), { n: t.n + 1, cents: t.cents + c.cents });
    }
    for (const row of rows) {
      expect(row.customers, String(row.tier)).toBe(counts.get(String(row.tier))?.n ?? 0);
      expect(Math.round(Number(row.revenue) * 100)).toBe(counts.get(String(row.tier))?.cents ?? 0);
    }
    expect(rows.reduce((s, r) => s + Number(r.customers), 0)).toBe(exp.size);
    expect(rows.slice(0, 4).map((r) => r.tier)).toEqual(tiers.map((t) => t.name));
  });

  it('counts the business units each customer uses, and each pair of units', () => {
    const rows = table(report, 'Units used per customer').rows;
    const histogram = new Map<number, number>();
    for (const c of exp.values()) histogram.set(c.units.size, (histogram.get(c.units.size) ?? 0) + 1);
    expect(rows.map((r) => [r.units, r.customers])).toEqual([1, 2, 3, 4].map((n) => [n, histogram.get(n) ?? 0]));
    // The truth's persons by number of sources reproduce facts.json; the report's customers match them.
    const sourcesOf = new Map<string, Set<string>>();
    for (const rec of data.truth.records.values()) (sourcesOf.get(rec.person) ?? sourcesOf.set(rec.person, new Set()).get(rec.person)!).add(rec.source);
    for (const n of [1, 2, 3, 4]) {
      expect([...sourcesOf.values()].filter((s) => s.size === n).length).toBe(data.facts.personsBySourceCount[String(n)]);
      againstFacts(histogram.get(n) ?? 0, data.facts.personsBySourceCount[String(n)]!);
    }
    const pairs = table(report, 'Unit pairs (customers in both)').rows;
    expect(pairs.length).toBe(6);
    for (const p of pairs) {
      const both = [...exp.values()].filter((c) => c.units.has(String(p.unit_a)) && c.units.has(String(p.unit_b))).length;
      expect(p.customers, `${p.unit_a} + ${p.unit_b}`).toBe(both);
    }
  });

  it('finds the customers at churn risk that facts.json plants', () => {
    const cutoff = addDays(asOf, -churnDays);
    expect(cutoff).toBe(data.facts.churn.cutoff);
    const atRisk = [...exp.values()].filter((c) => c.lastActive !== null && c.lastActive < cutoff);
    expect(metric(report, 'Churn risk', 'customers at risk')).toBe(atRisk.length);
    expect(metric(report, 'Churn risk', 'customers ever active')).toBe([...exp.values()].filter((c) => c.lastActive !== null).length);
    expect(Math.round(Number(metric(report, 'Churn risk', 'revenue at risk')) * 100)).toBe(atRisk.reduce((s, c) => s + c.cents, 0));
    const top = atRisk.sort((a, b) => b.cents - a.cents || a.id - b.id).slice(0, 20);
    const list = table(report, 'Top 20 customers at risk by revenue').rows;
    expect(list.map((r) => r.customer_id)).toEqual(top.map((c) => c.id));
    expect(list.map((r) => r.days_silent)).toEqual(top.map((c) => daysBetween(c.lastActive!, asOf)));
    // the list's rows are scored on their own (without a segment filter): the same segments as the whole report's
    expect(list.map((r) => r.segment)).toEqual(top.map((c) => c.segment));
    // facts.json's definition by persons, recomputed from the files and truth.csv, then against the report.
    const lastOfPerson = new Map<string, string>();
    for (const a of files) {
      if (a.ref === null) continue;
      const person = data.truth.records.get(a.ref)!.person;
      if ((lastOfPerson.get(person) ?? '') < a.day) lastOfPerson.set(person, a.day);
    }
    expect([...lastOfPerson.values()].filter((d) => d < cutoff).length).toBe(data.facts.churn.persons);
    againstFacts(atRisk.length, data.facts.churn.persons);
  });

  it('keeps a customer whose last activity falls on the cutoff day out of the churn risk', async () => {
    const lastDays = [...exp.values()].map((c) => c.lastActive).filter((d): d is string => d !== null).sort();
    const cutoff = lastDays[Math.floor(lastDays.length / 3)]!;
    const days = daysBetween(cutoff, asOf);
    const onCutoff = [...exp.values()].filter((c) => c.lastActive === cutoff).length;
    expect(onCutoff).toBeGreaterThan(0);
    const r = await segmentsReport(db(), { asOf }, { ...settings, churnDays: days });
    expect(metric(r, 'Churn risk', 'customers at risk')).toBe([...exp.values()].filter((c) => c.lastActive !== null && c.lastActive < cutoff).length);
  });

  it('counts activities through the end of the as-of day', async () => {
    // A day with a card transaction posted after midnight: it counts on that day, not the next.
    const day = files.find((a) => a.kind === 'transaction' && a.day > '2024-06-01')!.day;
    const r = await segmentsReport(db(), { asOf: day }, settings);
    const e = await expected(db(), { asOf: day });
    expect(metric(r, 'Customers', 'transactions')).toBe(files.filter((a) => a.kind === 'transaction' && a.day <= day).length);
    expect(Math.round(Number(metric(r, 'Customers', 'revenue')) * 100)).toBe([...e.values()].reduce((s, c) => s + c.cents, 0));
  });

  it('gives zeros for an as-of day before all data', async () => {
    const early = await segmentsReport(db(), { asOf: '2022-06-30' }, settings);
    expect(metric(early, 'Customers', 'with a purchase')).toBe(0);
    expect(metric(early, 'Customers', 'revenue')).toBe(0);
    expect(metric(early, 'Customers', 'without any activity')).toBe(exp.size);
    expect(metric(early, 'Churn risk', 'customers at risk')).toBe(0);
    expect(metric(early, 'Churn risk', 'revenue at risk')).toBe(0);
    expect(table(early, 'Top 20 customers at risk by revenue').rows).toEqual([]);
    const segments = table(early, 'Segments').rows;
    expect(segments.filter((r) => r.segment !== NO_PURCHASES).every((r) => r.customers === 0 && r.revenue === 0)).toBe(true);
    expect(segments.find((r) => r.segment === NO_PURCHASES)!.share).toBe(100);
    expect(table(early, 'Value tiers').rows.find((r) => r.tier === NO_PURCHASES)!.customers).toBe(exp.size);
    // Holdings still count the crosswalk (records carry no date).
    expect(table(early, 'Units used per customer').rows.reduce((s, r) => s + Number(r.customers), 0)).toBe(exp.size);
  });

  it('with a business unit counts only its activities and its customers', async () => {
    const unit = 'Cards';
    const cards = await segmentsReport(db(), { asOf, businessUnit: unit }, settings);
    const e = await expected(db(), { asOf, unit });
    expect(cards.filters).toEqual({ 'business unit': unit });
    expect(metric(cards, 'Customers', 'customers')).toBe(e.size);
    expect(metric(cards, 'Customers', 'orders')).toBe(0);
    expect(metric(cards, 'Customers', 'tickets')).toBe(0);
    expect(metric(cards, 'Customers', 'transactions')).toBe(files.filter((a) => a.kind === 'transaction').length);
    expect(Math.round(Number(metric(cards, 'Customers', 'revenue')) * 100)).toBe([...e.values()].reduce((s, c) => s + c.cents, 0));
    const rows = await customerSegments(db(), { asOf, businessUnit: unit }, settings);
    expect(rows.map((r) => [r.customerId, r.r, r.f, r.m, r.segment])).toEqual([...e.values()].sort((a, b) => a.id - b.id).map((c) => [c.id, c.r, c.f, c.m, c.segment]));
  });

  it('with a segment covers only that segment', async () => {
    const champions = await segmentsReport(db(), { asOf, segment: 'Champions' }, settings);
    const members = [...exp.values()].filter((c) => c.segment === 'Champions');
    expect(members.length).toBeGreaterThan(0);
    expect(metric(champions, 'Customers', 'customers')).toBe(members.length);
    expect(table(champions, 'Segments').rows.map((r) => [r.segment, r.customers, r.share])).toEqual([['Champions', members.length, 100]]);
    expect(table(champions, 'Value tiers').rows.reduce((s, r) => s + Number(r.customers), 0)).toBe(members.length);
    await expect(segmentsReport(db(), { asOf, segment: 'Whales' }, settings)).rejects.toThrow(UserError);
    await expect(segmentsReport(db(), { asOf, segment: 'Whales' }, settings)).rejects.toThrow(/Champions/);
  });

  it('adds custom segments from rules over the figures, and filters by one', async () => {
    const customSegments: CustomSegment[] = [
      { name: 'Big spenders gone quiet', where: { revenue: { min: 100 }, daysSilent: { min: 90 } } },
      { name: 'Card holders without a ticket', where: { usesUnits: ['Cards'], tickets: { max: 0 } } },
      { name: 'Champions and loyal, unhappy', where: { segment: ['Champions', 'Loyal'], csat: { max: 3 } } },
      { name: 'Retail only', where: { usesUnits: ['Retail'], unitsUsed: { max: 1 } } },
    ];
    const r = await segmentsReport(db(), { asOf }, { ...settings, customSegments });
    const all = [...exp.values()];
    const csatMean = (c: Expected) => mean(c.csat);
    const members: Record<string, Expected[]> = {
      'Big spenders gone quiet': all.filter((c) => c.cents >= 10000 && c.lastActive !== null && daysBetween(c.lastActive, asOf) >= 90),
      'Card holders without a ticket': all.filter((c) => c.units.has('Cards') && c.tickets === 0),
      'Champions and loyal, unhappy': all.filter((c) => ['Champions', 'Loyal'].includes(c.segment) && csatMean(c) !== null && csatMean(c)! <= 3),
      'Retail only': all.filter((c) => c.units.has('Retail') && c.units.size === 1),
    };
    const rows = table(r, 'Custom segments (from the config; a customer may be in several)').rows;
    expect(rows.map((row) => row.segment)).toEqual(customSegments.map((c) => c.name));
    for (const row of rows) {
      const m = members[String(row.segment)]!;
      expect(row.customers, String(row.segment)).toBe(m.length);
      expect(Math.round(Number(row.revenue) * 100)).toBe(m.reduce((sum, c) => sum + c.cents, 0));
      expect(row.tickets).toBe(m.reduce((sum, c) => sum + c.tickets, 0));
    }
    expect(members['Big spenders gone quiet']!.length).toBeGreaterThan(0);
    expect(members['Card holders without a ticket']!.length).toBeGreaterThan(0);
    // Filtering by a custom segment narrows every section to its members.
    const quiet = await segmentsReport(db(), { asOf, segment: 'Big spenders gone quiet' }, { ...settings, customSegments });
    expect(metric(quiet, 'Customers', 'customers')).toBe(members['Big spenders gone quiet']!.length);
    const rows2 = await customerSegments(db(), { asOf, segment: 'Retail only' }, { ...settings, customSegments });
    expect(rows2.map((c) => c.customerId)).toEqual(members['Retail only']!.map((c) => c.id).sort((a, b) => a - b));
    // Bad declarations name the segment and the problem.
    await expect(segmentsReport(db(), { asOf }, { ...settings, customSegments: [{ name: 'Empty', where: {} }] })).rejects.toThrow(/"Empty".*no condition/);
    await expect(segmentsReport(db(), { asOf }, { ...settings, customSegments: [{ name: 'X', where: { segment: ['Whales'] } }] })).rejects.toThrow(/Whales/);
    await expect(segmentsReport(db(), { asOf }, { ...settings, customSegments: [{ name: 'Champions', where: { r: { min: 5 } } }] })).rejects.toThrow(/taken/);
  });

  it('takes its own segment rules', async () => {
    const rules: SegmentRule[] = [
      { name: 'Best', r: [4, 5], fm: [4, 5] },
      { name: 'Recent', r: [4, 5], fm: [1, 5] },
    ];
    const custom = await segmentsReport(db(), { asOf }, { ...settings, segmentRules: rules });
    const e = await expected(db(), { asOf, rules });
    const rows = table(custom, 'Segments').rows;
    expect(rows.map((r) => r.segment)).toEqual(['Best', 'Recent', 'Other', NO_PURCHASES]);
    for (const row of rows) expect(row.customers).toBe([...e.values()].filter((c) => c.segment === row.segment).length);
    await expect(segmentsReport(db(), { asOf }, { ...settings, segmentRules: [{ name: 'Bad', r: [0, 6], fm: [1, 5] }] })).rejects.toThrow(UserError);
    await expect(segmentsReport(db(), { asOf: '2025-02-30' } as ReportOptions, settings)).rejects.toThrow(UserError);
  });
});
