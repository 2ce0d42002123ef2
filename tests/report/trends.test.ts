import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/index.js';
import { UserError } from '../../src/errors.js';
import { trendsReport } from '../../src/report/trends.js';
import type { Cell, Report, Table } from '../../src/report/types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { attachments, loadDataSet, makeDataSet, readActivities, type DataSet, type FileActivity } from './fixture.js';

/**
 * The trends report on generated data, on both databases. Monthly volumes are checked against
 * facts.json (the generator's own counts); revenue, customers, satisfaction, the change columns,
 * the rising ticket category and the unusual months against figures recomputed here from the
 * generated files (the database gives only which customer resolve attached each row to).
 */

const PERSONS = 300;
const SEED = 22;

let data: DataSet;
let files: FileActivity[];
let asOf: string;
let months: string[];

beforeAll(async () => {
  data = await makeDataSet(PERSONS, SEED);
  files = readActivities(data);
  asOf = data.facts.options.endDate;
  months = monthsBetween(data.facts.options.startDate.slice(0, 7), asOf.slice(0, 7));
});
afterAll(() => data?.remove());

function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (;;) {
    const label = `${y}-${String(m).padStart(2, '0')}`;
    if (label > last) return out;
    out.push(label);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
}

function table(report: Report, title: string): Table {
  for (const s of report.sections) for (const t of s.tables) if (t.title === title) return t;
  throw new Error(`no table "${title}" in ${report.sections.flatMap((s) => s.tables.map((t) => t.title)).join(', ')}`);
}

/** A month-by-month table column as { month: value }. */
function column(t: Table, key: string): Record<string, Cell> {
  return Object.fromEntries(t.rows.map((r) => [String(r.month), r[key] ?? null]));
}

/** A dimension table (tickets by category/channel) as { name: { month: n } }. */
function dimension(t: Table): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of t.columns.filter((c) => c.key !== 'month' && c.key !== 'total')) {
    out[c.label] = Object.fromEntries(t.rows.map((r) => [String(r.month), Number(r[c.key])]));
  }
  return out;
}

interface MonthFigures {
  orders: number;
  transactions: number;
  tickets: number;
  answers: number;
  cents: number;
  active: Set<number>;
  csat: number[];
  nps: number[];
}

type Series = 'active' | 'new_customers' | 'revenue' | 'orders' | 'transactions' | 'tickets' | 'answers' | 'csat' | 'nps';
const POINTS: ReadonlySet<Series> = new Set(['csat', 'nps']);

/** Every monthly series recomputed from the files, for the given months. */
async function expectedSeries(db: Queryable, ms: string[]): Promise<Record<Series, (number | null)[]>> {
  const links = await attachments(db);
  const by = new Map<string, MonthFigures>(ms.map((m) => [m, { orders: 0, transactions: 0, tickets: 0, answers: 0, cents: 0, active: new Set(), csat: [], nps: [] }]));
  const firstMonth = new Map<number, string>();
  for (const a of files) {
    if (a.day > asOf) continue;
    const id = links.get(`${a.source}:${a.key}`) ?? null;
    if (id !== null && (firstMonth.get(id) ?? '9999') > a.month) firstMonth.set(id, a.month);
    const f = by.get(a.month);
    if (f === undefined) continue;
    if (id !== null) f.active.add(id);
    if (a.kind === 'order') f.orders++;
    if (a.kind === 'transaction') f.transactions++;
    if (a.kind === 'ticket') f.tickets++;
    if (a.kind === 'feedback') f.answers++;
    if (a.cents !== null) f.cents += a.cents;
    if (a.csat !== null) f.csat.push(a.csat);
    if (a.nps !== null) f.nps.push(a.nps);
  }
  const figures = ms.map((m) => by.get(m)!);
  return {
    active: figures.map((f) => f.active.size),
    new_customers: ms.map((m) => [...firstMonth.values()].filter((x) => x === m).length),
    revenue: figures.map((f) => f.cents / 100),
    orders: figures.map((f) => f.orders),
    transactions: figures.map((f) => f.transactions),
    tickets: figures.map((f) => f.tickets),
    answers: figures.map((f) => f.answers),
    csat: figures.map((f) => (f.csat.length === 0 ? null : f.csat.reduce((s, x) => s + x, 0) / f.csat.length)),
    nps: figures.map((f) => (f.nps.length === 0 ? null : (100 * (f.nps.filter((x) => x >= 9).length - f.nps.filter((x) => x <= 6).length)) / f.nps.length)),
  };
}

function change(series: Series, value: number | null, before: number | null | undefined): number | null {
  if (value === null || before === null || before === undefined) return null;
  if (POINTS.has(series)) return value - before;
  return before === 0 ? null : (100 * (value - before)) / Math.abs(before);
}

function expectClose(actual: Cell, wanted: number | null, label: string): void {
  if (wanted === null) expect(actual, label).toBeNull();
  else expect(Number(actual), label).toBeCloseTo(wanted, 6);
}

describeEachDatabase('trends report', (db) => {
  let report: Report;
  let expected: Record<Series, (number | null)[]>;

  beforeAll(async () => {
    await loadDataSet(db(), data);
    report = await trendsReport(db(), { asOf });
    expected = await expectedSeries(db(), months);
  });

  it('counts orders, transactions, tickets and answers per month as facts.json does, every month present', () => {
    const volumes = table(report, 'Orders, transactions and tickets by month');
    expect(volumes.rows.map((r) => r.month)).toEqual(months);
    expect(column(volumes, 'orders')).toEqual(data.facts.activities.retail_orders.byMonth);
    expect(column(volumes, 'transactions')).toEqual(data.facts.activities.card_transactions.byMonth);
    expect(column(volumes, 'tickets')).toEqual(data.facts.activities.support_tickets.byMonth);
    expect(column(table(report, 'Satisfaction by month'), 'answers')).toEqual(data.facts.activities.survey_feedback.byMonth);
  });

  it('counts tickets by category as facts.json does, and by channel', () => {
    const categories = dimension(table(report, 'Tickets by category'));
    const lastSix = Object.keys(data.facts.tickets.lastSixMonths);
    expect(lastSix).toEqual(months.slice(-6));
    for (const m of lastSix) {
      for (const [category, n] of Object.entries(data.facts.tickets.lastSixMonths[m]!)) expect(categories[category]?.[m] ?? 0, `${m} ${category}`).toBe(n);
    }
    const totals = Object.fromEntries(Object.entries(categories).map(([c, byMonth]) => [c, Object.values(byMonth).reduce((s, n) => s + n, 0)]));
    expect(totals).toEqual(Object.fromEntries(Object.entries(data.facts.tickets.byCategory).filter(([, n]) => n > 0)));
    const channels = dimension(table(report, 'Tickets by channel'));
    for (const m of months) {
      const wanted: Record<string, number> = {};
      for (const a of files) if (a.kind === 'ticket' && a.month === m) wanted[a.channel!] = (wanted[a.channel!] ?? 0) + 1;
      for (const [channel, byMonth] of Object.entries(channels)) expect(byMonth[m], `${m} ${channel}`).toBe(wanted[channel] ?? 0);
    }
    const chart = report.sections.find((s) => s.title === 'Tickets')!.charts[0]!;
    expect(chart.kind).toBe('stacked-bar');
    expect(chart.x).toEqual(months);
    expect(months.map((_, i) => chart.series.reduce((s, x) => s + (x.values[i] ?? 0), 0))).toEqual(months.map((m) => data.facts.activities.support_tickets.byMonth[m]));
  });

  it('sums revenue with refunds subtracted, and counts active and new customers per month', async () => {
    const t = table(report, 'Customers and revenue by month');
    months.forEach((m, i) => {
      expectClose(column(t, 'revenue')[m]!, expected.revenue[i]!, `revenue ${m}`);
      expect(column(t, 'active')[m], `active ${m}`).toBe(expected.active[i]);
      expect(column(t, 'new_customers')[m], `new ${m}`).toBe(expected.new_customers[i]);
    });
    const purchases = files.filter((a) => a.cents !== null);
    const gross = purchases.filter((a) => a.cents! > 0).reduce((s, a) => s + a.cents!, 0);
    const refunds = purchases.filter((a) => a.cents! < 0).reduce((s, a) => s + a.cents!, 0);
    expect(refunds).toBeLessThan(0);
    const total = Math.round(t.rows.reduce((s, r) => s + Number(r.revenue), 0) * 100);
    expect(total).toBe(gross + refunds);
    // Every customer with an activity is new exactly once.
    const links = await attachments(db());
    const customers = new Set(files.filter((a) => a.day <= asOf).map((a) => links.get(`${a.source}:${a.key}`)).filter((id) => id !== null && id !== undefined));
    expect(t.rows.reduce((s, r) => s + Number(r.new_customers), 0)).toBe(customers.size);
    const lines = report.sections.find((s) => s.title === 'Customers and revenue')!.charts;
    expect(lines.map((c) => c.kind)).toEqual(['line', 'line']);
    expect(lines[0]!.series[0]!.values).toEqual(expected.active);
  });

  it('computes mean CSAT and NPS per month', () => {
    const t = table(report, 'Satisfaction by month');
    months.forEach((m, i) => {
      expectClose(column(t, 'csat')[m]!, expected.csat[i]!, `csat ${m}`);
      expectClose(column(t, 'nps')[m]!, expected.nps[i]!, `nps ${m}`);
    });
  });

  it('gives month-over-month and year-over-year changes', () => {
    const where: Record<Series, string> = {
      active: 'Customers and revenue by month',
      new_customers: '',
      revenue: 'Customers and revenue by month',
      orders: 'Orders, transactions and tickets by month',
      transactions: 'Orders, transactions and tickets by month',
      tickets: 'Orders, transactions and tickets by month',
      answers: '',
      csat: 'Satisfaction by month',
      nps: 'Satisfaction by month',
    };
    for (const [series, title] of Object.entries(where) as [Series, string][]) {
      if (title === '') continue;
      const t = table(report, title);
      const values = expected[series];
      months.forEach((m, i) => {
        expectClose(column(t, `${series}_mom`)[m]!, change(series, values[i]!, i >= 1 ? values[i - 1] : null), `${series} MoM ${m}`);
        expectClose(column(t, `${series}_yoy`)[m]!, change(series, values[i]!, i >= 12 ? values[i - 12] : null), `${series} YoY ${m}`);
      });
    }
  });

  it('finds the rising ticket category facts.json plants', () => {
    const rows = table(report, 'Rising ticket categories (last 3 months against the 12 before)').rows;
    expect(rows[0]!.category).toBe(data.facts.tickets.risingCategory);
    expect(rows[0]!.rising).toBe('yes');
    // The whole ranking, recomputed: share of the last three months against the twelve before.
    const last3 = new Set(months.slice(-3));
    const before = new Set(months.slice(-15, -3));
    const tickets = files.filter((a) => a.kind === 'ticket');
    const count = (set: Set<string>, c?: string) => tickets.filter((a) => set.has(a.month) && (c === undefined || a.category === c)).length;
    const categories = [...new Set(tickets.filter((a) => last3.has(a.month) || before.has(a.month)).map((a) => a.category!))];
    const ranked = categories
      .map((c) => ({ c, change: (100 * count(last3, c)) / count(last3) - (100 * count(before, c)) / count(before), diff: count(last3, c) - count(before, c) }))
      .sort((a, b) => b.change - a.change || b.diff - a.diff || (a.c < b.c ? -1 : 1));
    expect(rows.map((r) => r.category)).toEqual(ranked.map((r) => r.c));
    rows.forEach((r, i) => expect(Number(r.share_change)).toBeCloseTo(ranked[i]!.change, 9));
    expect(report.sections.find((s) => s.title === 'Tickets')!.summary.join(' ')).toContain(`fastest-rising category: ${data.facts.tickets.risingCategory}`);
  });

  it('flags months outside mean ± 2·sd of the previous twelve', () => {
    const flagged = table(report, 'Unusual months').rows.map((r) => `${r.month} ${r.series}`).sort();
    const labels: Record<Series, string> = {
      active: 'active customers', new_customers: 'new customers', revenue: 'revenue', orders: 'orders', transactions: 'transactions',
      tickets: 'tickets', answers: 'survey answers', csat: 'mean CSAT', nps: 'NPS',
    };
    const wanted: string[] = [];
    for (const [series, values] of Object.entries(expected) as [Series, (number | null)[]][]) {
      values.forEach((v, i) => {
        const base = values.slice(Math.max(0, i - 12), i).filter((x): x is number => x !== null);
        if (v === null || base.length < 6) return;
        const mean = base.reduce((s, x) => s + x, 0) / base.length;
        const sd = Math.sqrt(base.reduce((s, x) => s + (x - mean) ** 2, 0) / (base.length - 1));
        if (sd > 0 && Math.abs(v - mean) > 2 * sd) wanted.push(`${months[i]} ${labels[series]}`);
      });
    }
    expect(flagged).toEqual(wanted.sort());
    expect(flagged.length).toBeGreaterThan(0);
  });

  it('shows a --from/--to window, with history before it for year-over-year', async () => {
    const w = await trendsReport(db(), { asOf, from: '2024-03-15', to: '2024-08-31' });
    expect(w.filters).toEqual({ from: '2024-03-15', to: '2024-08-31' });
    const t = table(w, 'Orders, transactions and tickets by month');
    expect(t.rows.map((r) => r.month)).toEqual(['2024-03', '2024-04', '2024-05', '2024-06', '2024-07', '2024-08']);
    const byMonth = data.facts.activities.retail_orders.byMonth;
    expect(column(t, 'orders')['2024-03']).toBe(files.filter((a) => a.kind === 'order' && a.day >= '2024-03-15' && a.month === '2024-03').length);
    for (const m of ['2024-04', '2024-05', '2024-06', '2024-07', '2024-08']) expect(column(t, 'orders')[m]).toBe(byMonth[m]);
    expect(Number(column(t, 'orders_yoy')['2024-05'])).toBeCloseTo((100 * (byMonth['2024-05']! - byMonth['2023-05']!)) / byMonth['2023-05']!, 9);
    // The partial first month is never flagged.
    expect(table(w, 'Unusual months').rows.filter((r) => r.month === '2024-03')).toEqual([]);
  });

  it('shows months without data as zeros, and an as-of day before all data without a crash', async () => {
    const early = await trendsReport(db(), { asOf: '2022-06-30' });
    expect(early.sections[0]!.summary[0]).toBe('no activity up to 2022-06-30');
    const empty = await trendsReport(db(), { asOf: '2022-06-30', from: '2022-01-01' });
    const t = table(empty, 'Orders, transactions and tickets by month');
    expect(t.rows.map((r) => [r.month, r.orders, r.transactions, r.tickets])).toEqual(
      ['2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06'].map((m) => [m, 0, 0, 0]),
    );
    expect(table(empty, 'Customers and revenue by month').rows.every((r) => r.active === 0 && r.revenue === 0 && r.new_customers === 0)).toBe(true);
    expect(table(empty, 'Rising ticket categories (last 3 months against the 12 before)').rows).toEqual([]);
    const before = await trendsReport(db(), { asOf, from: '2022-10-01' });
    const rows = table(before, 'Orders, transactions and tickets by month').rows;
    expect(rows.length).toBe(months.length + 3);
    expect(rows.slice(0, 3).map((r) => r.orders)).toEqual([0, 0, 0]);
  });

  it('with a business unit counts only its activities', async () => {
    const retail = await trendsReport(db(), { asOf, businessUnit: 'Retail' });
    const t = table(retail, 'Orders, transactions and tickets by month');
    expect(column(t, 'orders')).toEqual(data.facts.activities.retail_orders.byMonth);
    expect(t.rows.every((r) => r.transactions === 0 && r.tickets === 0)).toBe(true);
    const revenue = column(table(retail, 'Customers and revenue by month'), 'revenue');
    for (const m of months) {
      const cents = files.filter((a) => a.kind === 'order' && a.month === m).reduce((s, a) => s + a.cents!, 0);
      expect(Math.round(Number(revenue[m]) * 100), m).toBe(cents);
    }
  });

  it('refuses bad windows', async () => {
    await expect(trendsReport(db(), { asOf, from: '2025-06-01', to: '2025-05-01' })).rejects.toThrow(UserError);
    await expect(trendsReport(db(), { asOf: '31.12.2025' })).rejects.toThrow(UserError);
    await expect(trendsReport(db(), { asOf, from: '2025-02-29' })).rejects.toThrow(UserError);
  });
});
