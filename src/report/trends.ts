import type { Queryable } from '../db/index.js';
import { UserError } from '../errors.js';
import { atOnce, checkDay, fmt, given, int, num, Params, pctSql, npsSql, type ReportSource, reportFilters } from './sql.js';
import type { Cell, Column, Report, ReportOptions, Section, Table } from './types.js';

/**
 * The trends report: monthly series from the first month of the window to the month of its
 * end, every month present (zero when nothing happened). All aggregation happens in the
 * database; Node only lays the rows out in tables and charts.
 *
 * Window: activities from `from` (default: the first month with any activity) through `to`,
 * never after the as-of day. With a business unit, only that unit's activities count.
 *
 * Per month: active customers (any attached activity that month), new customers (their first
 * activity ever, within the unit when filtered, falls in that month), revenue (orders and card
 * transactions, refunds negative), orders, transactions, tickets, survey answers, mean CSAT and
 * NPS (% promoters 9–10 minus % detractors 0–6). Volumes count every row, attached to a
 * customer or not. Change columns: month over month and year over year in % (CSAT and NPS in
 * points). Twelve months before the window (when there is data) feed the year-over-year and
 * usual-range figures without being shown.
 *
 * Rising ticket categories: each category's share of the tickets of the last three months of
 * the window against its share in the twelve months before them (fewer when the data is
 * younger), in percentage points; ranked by that change (then by the growth in count). A
 * twelve-month baseline rather than the three months before: with a few hundred tickets a
 * month, a three-month share swings by several points and lets a random category win. A
 * category is flagged rising when both its share and its tickets per month went up. The slope
 * of its monthly count over the last six months (least squares) is shown beside it. These look
 * back from the window's last month whatever `from` is.
 *
 * Unusual months: a series value outside mean ± 2·sd of the previous twelve months (at least
 * six of them with a value, sd > 0). A partial month (the window starts or ends inside it) is
 * never flagged.
 */

/** Months in one bitmask word of the active-customer count: 7 bytes, clear of the sign bit. */
const MONTHS_PER_WORD = 56;

/** Months since year 0 of a YYYY-MM-DD day. */
function monthIndex(day: string): number {
  return Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
}

/** Months of history a usual range needs before a month can be flagged. */
const MIN_BASELINE_MONTHS = 6;
/** How many standard deviations from the mean make a month unusual. */
const UNUSUAL_SD = 2;

const KINDS = `('order', 'transaction', 'ticket', 'feedback')`;

/** The series of the monthly query (keys are columns of its `series` step). `points`: changes in points, not %. */
const SERIES = [
  { key: 'active', label: 'active customers', points: false },
  { key: 'new_customers', label: 'new customers', points: false },
  { key: 'revenue', label: 'revenue', points: false },
  { key: 'orders', label: 'orders', points: false },
  { key: 'transactions', label: 'transactions', points: false },
  { key: 'tickets', label: 'tickets', points: false },
  { key: 'answers', label: 'survey answers', points: false },
  { key: 'csat', label: 'mean CSAT', points: true },
  { key: 'nps', label: 'NPS', points: true },
] as const;
type SeriesKey = (typeof SERIES)[number]['key'];

interface Window {
  /** First day of the first month shown. */
  firstMonth: string;
  /** First day of the last month shown. */
  lastMonth: string;
  /** First day of the first month computed (up to twelve months of history before firstMonth). */
  seriesStart: string;
  /** Last day counted. */
  end: string;
  from: string | undefined;
  /** First day of the first month with any activity (the window's start when there is none). */
  dataFirst: string;
}

/** Conditions on activities `a`: the business unit, and the window's `from` day (history months before it stay whole). */
function windowConditions(p: Params, w: Window, unit: string | undefined, withFrom: boolean): string {
  let sql = '';
  if (unit !== undefined) sql += ` AND a.business_unit = ${p.add(unit)}`;
  if (withFrom && w.from !== undefined) sql += ` AND (a.occurred_at >= ${p.add(w.from)}::date OR a.occurred_at < ${p.add(w.firstMonth)}::date)`;
  return sql;
}

export async function trendsReport(db: ReportSource, options: ReportOptions): Promise<Report> {
  checkDay('--as-of', options.asOf);
  const from = given(options.from);
  const to = given(options.to);
  if (from !== undefined) checkDay('--from', from);
  if (to !== undefined) checkDay('--to', to);
  const end = to !== undefined && to < options.asOf ? to : options.asOf;
  if (from !== undefined && from > end) throw new UserError(`--from ${from} is after the end of the window (${end}: --to or --as-of)`);
  const unit = given(options.businessUnit);

  // The window's months. The first activity up to the end: one probe of activities_occurred.
  const bp = new Params();
  const [bounds] = await db.query<{ data_first: string | null; first_month: string | null; last_month: string; series_start: string | null }>(
    `WITH b AS (
       SELECT date_trunc('month', min(a.occurred_at))::date AS data_first FROM activities a
       WHERE a.occurred_at < ${bp.add(end)}::date + 1${unit === undefined ? '' : ` AND a.business_unit = ${bp.add(unit)}`}
     ),
     f AS (SELECT coalesce(date_trunc('month', ${bp.add(from ?? null)}::date)::date, b.data_first) AS first_month, b.data_first FROM b)
     SELECT f.data_first, f.first_month, date_trunc('month', ${bp.add(end)}::date)::date AS last_month,
       least(f.first_month, greatest((f.first_month - interval '12 months')::date, coalesce(f.data_first, f.first_month)))::date AS series_start
     FROM f`,
    bp.values,
  );
  const filters = reportFilters(options, ['businessUnit', 'from', 'to']);
  const report = (sections: Section[]): Report => ({
    kind: 'trends',
    title: 'Trends',
    asOf: options.asOf,
    generatedAt: new Date().toISOString(),
    filters,
    sections,
  });
  const notes = given(options.segment) === undefined ? [] : ['the segment filter does not apply to trends: all customers are shown'];
  if (!bounds || bounds.first_month === null || bounds.series_start === null) {
    return report([{ title: 'Customers and revenue', summary: [`no activity up to ${end}`, ...notes], charts: [], tables: [] }]);
  }
  const w: Window = { firstMonth: bounds.first_month, lastMonth: bounds.last_month, seriesStart: bounds.series_start, end, from, dataFirst: bounds.data_first ?? bounds.first_month };

  // The monthly series run on both cores; the two ticket reads beside them where the snapshot
  // has a second session.
  const [long, [tickets, rising]] = await atOnce(
    db,
    (q) => monthlySeries(q, w, unit),
    async (q) => [await ticketsByMonth(q, w, unit), await risingCategories(q, w, unit)] as const,
  );
  return report(buildSections(long, tickets, rising, w, notes));
}

type LongRow = Record<string, unknown>;

type TicketCount = { dim: string; value: string; month: string; n: number };

/**
 * Whether monthly_activity, the sums per month, unit and kind kept by triggers (migration 0007),
 * holds exactly the window's volumes: whole months (no --from inside one) and no activity after
 * the window's end (one probe of activities_occurred).
 */
async function monthlyTotalsCover(db: Queryable, w: Window): Promise<boolean> {
  if (w.from !== undefined && w.from !== w.firstMonth) return false;
  const [row] = await db.query<{ covers: boolean }>(
    'SELECT coalesce(max(occurred_at) < $1::date + 1, true) AS covers FROM activities',
    [w.end],
  );
  return row?.covers === true;
}

/**
 * The CTEs `active` (customers with an activity, per month from the series' start) and `news`
 * (customers per month of their first activity) from the kept totals: each customer's first
 * activity and active months (migration 0010).
 */
const keptCustomerMonths = (start: string, startIdx: string): string => `-- the kept months (migration 0010): no activity is after the window's end
active AS (
  SELECT (${start}::date + make_interval(months => m.i - ${startIdx}::int))::date AS month, count(*) AS n
  FROM customer_activity t CROSS JOIN LATERAL unnest(t.months) AS m(i)
  WHERE m.i >= ${startIdx}::int
  GROUP BY m.i
),
news AS (SELECT date_trunc('month', t.first_at)::date AS month, count(*) AS n FROM customer_activity t GROUP BY 1),`;

/** The same CTEs from activities `a` up to the window's end that pass `inWindow` and `unitCondition`. */
function activityCustomerMonths(w: Window, start: string, startIdx: string, endP: string, inWindow: string, unitCondition: string): string {
  const months = monthIndex(w.lastMonth) - monthIndex(w.seriesStart) + 1;
  const words = Math.ceil(months / MONTHS_PER_WORD);
  // date_part, not extract: extract gives numeric, and this runs twice for each of 10M rows
  const monthIdx = `((date_part('year', a.occurred_at)::int * 12 + date_part('month', a.occurred_at)::int - 1) - ${startIdx}::int)`;
  const bytes: string[] = [];
  for (let k = 0; k < words; k++) for (let b = 0; b < MONTHS_PER_WORD / 8; b++) bytes.push(`((coalesce(w${k}, 0) >> ${8 * b}) & 255)::int`);
  return `per_customer AS (
  SELECT a.customer_id, date_trunc('month', min(a.occurred_at))::date AS first_month,
    ${Array.from({ length: words }, (_, k) => `bit_or(1::bigint << (${monthIdx} % ${MONTHS_PER_WORD})) FILTER (WHERE ${inWindow} AND ${monthIdx} / ${MONTHS_PER_WORD} = ${k}) AS w${k}`).join(',\n    ')}
  FROM activities a
  WHERE a.customer_id IS NOT NULL AND a.occurred_at < ${endP}::date + 1${unitCondition}
  GROUP BY a.customer_id
  ORDER BY a.customer_id
),
-- How many customers have each value of each byte of their month masks: one pass, one small
-- hash table per byte.
byte_counts AS (
  SELECT CASE ${bytes.map((_, i) => `WHEN GROUPING(b${i}) = 0 THEN ${i}`).join(' ')} END AS pos,
    coalesce(${bytes.map((_, i) => `b${i}`).join(', ')}) AS v, count(*) AS n
  FROM (SELECT ${bytes.map((e, i) => `${e} AS b${i}`).join(', ')} FROM per_customer) x
  GROUP BY GROUPING SETS (${bytes.map((_, i) => `(b${i})`).join(', ')})
),
active AS (
  -- byte pos, bit j: month index 8·pos + j (a word holds ${MONTHS_PER_WORD} months in ${MONTHS_PER_WORD / 8} bytes)
  SELECT (${start}::date + make_interval(months => bc.pos * 8 + bit.j))::date AS month, sum(bc.n) AS n
  FROM byte_counts bc JOIN generate_series(0, 7) AS bit(j) ON (bc.v >> bit.j) & 1 = 1
  GROUP BY 1
),
news AS (SELECT first_month AS month, count(*) AS n FROM per_customer GROUP BY first_month),`;
}

/** Every monthly series in long form (one row per series and month), with its changes and usual range. */
async function monthlySeries(db: Queryable, w: Window, unit: string | undefined): Promise<LongRow[]> {
  // Volumes: the kept monthly sums when they hold just the window's activities, else one pass
  // over the window grouped by month (parallel; the statistics object activities_month tells
  // the planner there are few months). Active and new customers: when the totals hold just the
  // window's activities and every unit counts, each customer's kept first activity and active
  // months (migration 0010); else one pass over each customer's activities in customer order
  // (the covering index activities_customer), giving its first activity and a bitmask of its
  // active months, the masks then counted byte by byte. Counting distinct customers per month
  // directly sorted all 10M rows (7 s); the first activity per customer as a hash aggregate
  // took 8 s; the masks take 5 s, the kept months 1.7 s.
  const totals = await monthlyTotalsCover(db, w);
  const keptMonths = totals && unit === undefined;
  const p = new Params();
  const start = p.add(w.seriesStart);
  const first = p.add(w.firstMonth);
  const last = p.add(w.lastMonth);
  const endP = p.add(w.end);
  const startIdx = p.add(monthIndex(w.seriesStart));
  // Only the volumes without the kept sums, and the customers without the kept months, read activities.
  const inWindow = keptMonths ? '' : `a.occurred_at >= ${start}::date${windowConditions(p, w, undefined, true)}`;
  const unitCondition = unit === undefined ? '' : ` AND a.business_unit = ${p.add(unit)}`;
  const customers = keptMonths ? keptCustomerMonths(start, startIdx) : activityCustomerMonths(w, start, startIdx, endP, inWindow, unitCondition);
  return db.query<Record<string, unknown>>(
    `WITH months AS (
  SELECT generate_series(${start}::date, ${last}::date, interval '1 month')::date AS month
),
volumes AS (${
    totals
      ? `
  -- the kept monthly sums (migration 0007): no activity is after the window's end
  SELECT m.month::timestamp AS month,
    sum(m.amount) FILTER (WHERE m.kind IN ('order', 'transaction')) AS revenue,
    sum(m.rows) FILTER (WHERE m.kind = 'order') AS orders,
    sum(m.rows) FILTER (WHERE m.kind = 'transaction') AS transactions,
    sum(m.rows) FILTER (WHERE m.kind = 'ticket') AS tickets,
    sum(m.rows) FILTER (WHERE m.kind = 'feedback') AS answers,
    (sum(m.csat_sum) / nullif(sum(m.csat_n), 0))::float8 AS csat,
    (100.0 * (sum(m.promoters) - sum(m.detractors)) / nullif(sum(m.nps_n), 0))::float8 AS nps
  FROM monthly_activity m
  WHERE m.month >= ${start}::date${unit === undefined ? '' : ` AND m.business_unit = ${p.add(unit)}`}
  GROUP BY m.month`
      : `
  SELECT date_trunc('month', a.occurred_at) AS month,
    sum(a.amount) FILTER (WHERE a.kind IN ('order', 'transaction')) AS revenue,
    count(*) FILTER (WHERE a.kind = 'order') AS orders,
    count(*) FILTER (WHERE a.kind = 'transaction') AS transactions,
    count(*) FILTER (WHERE a.kind = 'ticket') AS tickets,
    count(*) FILTER (WHERE a.kind = 'feedback') AS answers,
    avg(a.csat)::float8 AS csat,
    ${npsSql('a.nps')} AS nps
  FROM activities a
  WHERE a.kind IN ${KINDS} AND a.occurred_at < ${endP}::date + 1 AND ${inWindow}${unitCondition}
  GROUP BY date_trunc('month', a.occurred_at)`
  }
),
${customers}
agg AS (
  SELECT coalesce(v.month::date, ac.month) AS month, coalesce(ac.n, 0) AS active, v.revenue, v.orders, v.transactions, v.tickets, v.answers, v.csat, v.nps
  FROM volumes v FULL JOIN active ac ON ac.month = v.month::date
),
series AS (
  SELECT m.month, coalesce(g.active, 0) AS active, coalesce(n.n, 0) AS new_customers, round(coalesce(g.revenue, 0), 2) AS revenue,
    coalesce(g.orders, 0) AS orders, coalesce(g.transactions, 0) AS transactions, coalesce(g.tickets, 0) AS tickets,
    coalesce(g.answers, 0) AS answers, g.csat, g.nps
  FROM months m LEFT JOIN agg g ON g.month = m.month LEFT JOIN news n ON n.month = m.month
),
long AS (
  SELECT s.month, v.series, v.points, v.value
  FROM series s CROSS JOIN LATERAL (VALUES
    ${SERIES.map((x) => `('${x.key}', ${x.points}, s.${x.key}::float8)`).join(',\n    ')}
  ) AS v(series, points, value)
),
stats AS (
  SELECT l.*, lag(l.value) OVER w AS prev, lag(l.value, 12) OVER w AS last_year,
    avg(l.value) OVER b AS base_mean, stddev_samp(l.value) OVER b AS base_sd, count(l.value) OVER b AS base_n
  FROM long l
  WINDOW w AS (PARTITION BY l.series ORDER BY l.month),
         b AS (PARTITION BY l.series ORDER BY l.month ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING)
),
flagged AS (
  SELECT st.*,
    (st.month = ${last}::date AND ${endP}::date < (st.month + interval '1 month - 1 day')::date)
      OR (st.month = ${first}::date AND ${p.add(w.from ?? null)}::date > st.month) AS partial
  FROM stats st
)
SELECT to_char(f.month, 'YYYY-MM') AS month, f.series, f.value,
  CASE WHEN f.points THEN f.value - f.prev ELSE 100 * (f.value - f.prev) / nullif(abs(f.prev), 0) END AS mom,
  CASE WHEN f.points THEN f.value - f.last_year ELSE 100 * (f.value - f.last_year) / nullif(abs(f.last_year), 0) END AS yoy,
  f.base_mean, f.base_sd, f.base_n::int AS base_n, coalesce(f.partial, false) AS partial,
  (NOT coalesce(f.partial, false) AND f.value IS NOT NULL AND f.base_n >= ${p.add(MIN_BASELINE_MONTHS)} AND f.base_sd > 0
    AND abs(f.value - f.base_mean) > ${p.add(UNUSUAL_SD)} * f.base_sd) AS unusual
FROM flagged f
WHERE f.month >= ${first}::date
ORDER BY f.month, f.series`,
    p.values,
  );
}

/** Tickets per month by category and by channel, zero-filled. */
function ticketsByMonth(db: Queryable, w: Window, unit: string | undefined): Promise<TicketCount[]> {
  // Index: activities_ticket, over tickets only and carrying category, channel and unit (an index-only scan).
  const tp = new Params();
  const tFirst = tp.add(w.firstMonth);
  const tLast = tp.add(w.lastMonth);
  return db.query<TicketCount>(
    `WITH months AS (SELECT generate_series(${tFirst}::date, ${tLast}::date, interval '1 month')::date AS month),
t AS (
  SELECT date_trunc('month', a.occurred_at)::date AS month, coalesce(a.category, '(none)') AS category, coalesce(a.channel, '(none)') AS channel
  FROM activities a
  WHERE a.kind = 'ticket' AND a.occurred_at >= ${tFirst}::date AND a.occurred_at < ${tp.add(w.end)}::date + 1${windowConditions(tp, w, unit, true)}
),
counts AS (
  SELECT CASE WHEN GROUPING(category) = 0 THEN 'category' ELSE 'channel' END AS dim, coalesce(category, channel) AS value, month, count(*)::int AS n
  FROM t GROUP BY GROUPING SETS ((category, month), (channel, month))
),
keys AS (SELECT dim, value, sum(n) AS total FROM counts GROUP BY dim, value)
SELECT k.dim, k.value, to_char(m.month, 'YYYY-MM') AS month, coalesce(c.n, 0) AS n
FROM keys k CROSS JOIN months m LEFT JOIN counts c ON c.dim = k.dim AND c.value = k.value AND c.month = m.month
ORDER BY k.dim, k.total DESC, k.value, m.month`,
    tp.values,
  );
}

/** Ticket categories ranked by how their share grew. */
function risingCategories(db: Queryable, w: Window, unit: string | undefined): Promise<Record<string, unknown>[]> {
  // Rising ticket categories: the last three months of the window against the twelve before.
  // Index: activities_ticket (as ticketsByMonth).
  const rp = new Params();
  const rLast = rp.add(w.lastMonth);
  return db.query<Record<string, unknown>>(
    `WITH months AS (
  SELECT g.i, (${rLast}::date - make_interval(months => 14 - g.i))::date AS month FROM generate_series(0, 14) AS g(i)
),
t AS (
  SELECT coalesce(a.category, '(none)') AS category, date_trunc('month', a.occurred_at)::date AS month
  FROM activities a
  WHERE a.kind = 'ticket' AND a.occurred_at >= (${rLast}::date - interval '14 months') AND a.occurred_at < ${rp.add(w.end)}::date + 1${
    unit === undefined ? '' : ` AND a.business_unit = ${rp.add(unit)}`
  }
),
monthly AS (
  SELECT c.category, m.i, count(t.category)::int AS n
  FROM (SELECT DISTINCT category FROM t) c CROSS JOIN months m LEFT JOIN t ON t.category = c.category AND t.month = m.month
  GROUP BY c.category, m.i
),
-- Months of the baseline that have data at all (a short history has fewer than twelve).
base AS (SELECT count(*)::int AS months FROM months WHERE i < 12 AND month >= ${rp.add(w.dataFirst)}::date),
per AS (
  SELECT category, sum(n) FILTER (WHERE i >= 12)::int AS last3, sum(n) FILTER (WHERE i < 12)::int AS before,
    regr_slope(n, i) FILTER (WHERE i >= 9)::float8 AS slope
  FROM monthly GROUP BY category
),
shares AS (
  SELECT per.*, base.months AS before_months,
    coalesce(${pctSql('last3', 'sum(last3) OVER ()')}, 0) AS share_last,
    coalesce(${pctSql('before', 'sum(before) OVER ()')}, 0) AS share_before
  FROM per CROSS JOIN base
)
SELECT category, last3, before, before_months, share_last, share_before, share_last - share_before AS share_change,
  ${pctSql('last3 / 3.0 - before::numeric / nullif(before_months, 0)', 'before::numeric / nullif(before_months, 0)')} AS growth,
  slope,
  (share_last > share_before AND (before_months = 0 OR last3 / 3.0 > before::numeric / before_months)) AS rising,
  rank() OVER (ORDER BY share_last - share_before DESC, last3 - before DESC, category)::int AS rank
FROM shares ORDER BY rank`,
    rp.values,
  );
}


function buildSections(long: LongRow[], tickets: { dim: string; value: string; month: string; n: number }[], rising: LongRow[], w: Window, notes: string[]): Section[] {
  const months = [...new Set(long.map((r) => String(r.month)))];
  const at = new Map(long.map((r) => [`${String(r.series)}|${String(r.month)}`, r]));
  const get = (series: SeriesKey, month: string): LongRow | undefined => at.get(`${series}|${month}`);
  const values = (series: SeriesKey) => months.map((m) => num(get(series, m)?.value));
  const total = (series: SeriesKey) => values(series).reduce<number>((s, v) => s + (v ?? 0), 0);

  const changeColumns = (key: SeriesKey, label: string, kind: Column['kind'], points: boolean): Column[] => [
    { key, label, kind },
    { key: `${key}_mom`, label: points ? `${label} MoM (pts)` : `${label} MoM`, kind: points ? 'number' : 'percent' },
    { key: `${key}_yoy`, label: points ? `${label} YoY (pts)` : `${label} YoY`, kind: points ? 'number' : 'percent' },
  ];
  const monthRows = (keys: SeriesKey[], plain: SeriesKey[] = []): Record<string, Cell>[] =>
    months.map((m) => {
      const row: Record<string, Cell> = { month: m };
      for (const k of keys) {
        const r = get(k, m);
        row[k] = num(r?.value);
        row[`${k}_mom`] = num(r?.mom);
        row[`${k}_yoy`] = num(r?.yoy);
      }
      for (const k of plain) row[k] = num(get(k, m)?.value);
      return row;
    });
  const monthColumn: Column = { key: 'month', label: 'month', kind: 'text' };
  const lastMonth = months[months.length - 1];
  const partialLast = lastMonth !== undefined && get('active', lastMonth)?.partial === true;

  const customers: Section = {
    title: 'Customers and revenue',
    summary: [
      `${months.length} months, ${months[0] ?? ''} to ${lastMonth ?? ''}${partialLast ? ` (the last one up to ${w.end})` : ''}`,
      `${fmt(total('new_customers'))} new customers, revenue ${fmt(total('revenue'), 2)}, ${fmt(total('orders'))} orders, ${fmt(total('transactions'))} transactions`,
      ...notes,
    ],
    charts: [
      {
        title: 'Active and new customers per month',
        kind: 'line',
        x: months,
        series: [
          { name: 'active customers', values: values('active') },
          { name: 'new customers', values: values('new_customers') },
        ],
      },
      { title: 'Revenue per month', kind: 'line', x: months, series: [{ name: 'revenue', values: values('revenue') }] },
    ],
    tables: [
      {
        title: 'Customers and revenue by month',
        columns: [
          monthColumn,
          ...changeColumns('active', 'active customers', 'int', false),
          { key: 'new_customers', label: 'new customers', kind: 'int' },
          ...changeColumns('revenue', 'revenue', 'money', false),
        ],
        rows: monthRows(['active', 'revenue'], ['new_customers']),
      },
      {
        title: 'Orders, transactions and tickets by month',
        columns: [
          monthColumn,
          ...changeColumns('orders', 'orders', 'int', false),
          ...changeColumns('transactions', 'transactions', 'int', false),
          ...changeColumns('tickets', 'tickets', 'int', false),
        ],
        rows: monthRows(['orders', 'transactions', 'tickets']),
      },
    ],
  };

  const dimTable = (dim: 'category' | 'channel', title: string): { table: Table; names: string[]; counts: Map<string, number[]> } => {
    const counts = new Map<string, number[]>();
    for (const t of tickets.filter((x) => x.dim === dim)) {
      let list = counts.get(t.value);
      if (list === undefined) counts.set(t.value, (list = []));
      list[months.indexOf(t.month)] = int(t.n);
    }
    const names = [...counts.keys()];
    const rows = months.map((m, i) => {
      const row: Record<string, Cell> = { month: m };
      for (const [j, name] of names.entries()) row[`v${j}`] = counts.get(name)?.[i] ?? 0;
      row.total = num(get('tickets', m)?.value);
      return row;
    });
    return {
      table: {
        title,
        columns: [monthColumn, ...names.map((name, j) => ({ key: `v${j}`, label: name, kind: 'int' as const })), { key: 'total', label: 'total', kind: 'int' }],
        rows,
      },
      names,
      counts,
    };
  };
  const byCategory = dimTable('category', 'Tickets by category');
  const byChannel = dimTable('channel', 'Tickets by channel');
  const top = rising[0];
  const ticketSection: Section = {
    title: 'Tickets',
    summary: [
      `${fmt(total('tickets'))} tickets in ${byCategory.names.length} categories`,
      top !== undefined && top.rising === true
        ? `fastest-rising category: ${String(top.category)} (${fmt(num(top.share_before) ?? 0, 1)} % of tickets in the 12 months before → ${fmt(num(top.share_last) ?? 0, 1)} % in the last three)`
        : 'no ticket category is rising (share of the last three months against the twelve before)',
    ],
    charts: [
      {
        title: 'Tickets per month by category',
        kind: 'stacked-bar',
        x: months,
        series: byCategory.names.map((name) => ({ name, values: months.map((_, i) => byCategory.counts.get(name)?.[i] ?? 0) })),
      },
    ],
    tables: [
      byCategory.table,
      byChannel.table,
      {
        title: 'Rising ticket categories (last 3 months against the 12 before)',
        columns: [
          { key: 'rank', label: 'rank', kind: 'int' },
          { key: 'category', label: 'category', kind: 'text' },
          { key: 'before', label: 'tickets in the 12 months before', kind: 'int' },
          { key: 'last3', label: 'tickets in the last 3 months', kind: 'int' },
          { key: 'share_before', label: 'share before', kind: 'percent' },
          { key: 'share_last', label: 'share last 3 months', kind: 'percent' },
          { key: 'share_change', label: 'change (pts)', kind: 'number' },
          { key: 'growth', label: 'tickets per month, change', kind: 'percent' },
          { key: 'slope', label: 'trend over 6 months (tickets/month)', kind: 'number' },
          { key: 'rising', label: 'rising', kind: 'text' },
        ],
        rows: rising.map((r) => ({
          rank: int(r.rank),
          category: String(r.category),
          before: int(r.before),
          last3: int(r.last3),
          share_before: num(r.share_before),
          share_last: num(r.share_last),
          share_change: num(r.share_change),
          growth: num(r.growth),
          slope: num(r.slope),
          rising: r.rising === true ? 'yes' : '',
        })),
      },
    ],
  };

  const satisfaction: Section = {
    title: 'Satisfaction',
    summary: ['mean CSAT (1–5) and NPS (% promoters 9–10 minus % detractors 0–6) of the survey answers each month; changes in points'],
    charts: [{ title: 'NPS per month', kind: 'line', x: months, series: [{ name: 'NPS', values: values('nps') }] }],
    tables: [
      {
        title: 'Satisfaction by month',
        columns: [monthColumn, { key: 'answers', label: 'answers', kind: 'int' }, ...changeColumns('csat', 'mean CSAT', 'number', true), ...changeColumns('nps', 'NPS', 'number', true)],
        rows: monthRows(['csat', 'nps'], ['answers']),
      },
    ],
  };

  const label = new Map<string, string>(SERIES.map((s) => [s.key, s.label]));
  const unusual = long.filter((r) => r.unusual === true);
  const anomalies: Section = {
    title: 'Unusual months',
    summary: [
      `a month is unusual when a series leaves mean ± ${UNUSUAL_SD}·sd of its previous 12 months (at least ${MIN_BASELINE_MONTHS} of them; partial months are not judged)`,
      unusual.length === 0 ? 'no unusual months' : `${unusual.length} unusual values`,
    ],
    charts: [],
    tables: [
      {
        title: 'Unusual months',
        columns: [
          monthColumn,
          { key: 'series', label: 'series', kind: 'text' },
          { key: 'value', label: 'value', kind: 'number' },
          { key: 'mean', label: 'usual mean', kind: 'number' },
          { key: 'sd', label: 'sd', kind: 'number' },
          { key: 'deviation', label: 'sd from mean', kind: 'number' },
          { key: 'direction', label: 'direction', kind: 'text' },
        ],
        rows: unusual.map((r) => {
          const value = num(r.value) ?? 0;
          const mean = num(r.base_mean) ?? 0;
          const sd = num(r.base_sd) ?? 0;
          return {
            month: String(r.month),
            series: label.get(String(r.series)) ?? String(r.series),
            value,
            mean,
            sd,
            deviation: sd === 0 ? null : (value - mean) / sd,
            direction: value > mean ? 'above' : 'below',
          };
        }),
      },
    ],
  };
  return [customers, ticketSection, satisfaction, anomalies];
}
