import type { Queryable } from '../db/index.js';
import { ExitCode, UserError } from '../errors.js';
import { atOnce, checkDay, given, int, npsSql, num, pctSql, type ReportSource, reportFilters, totalsCover } from './sql.js';
import type { Cell, Chart, Column, Report, ReportOptions, Section, Table } from './types.js';

/**
 * The service report: support tickets (activities of kind 'ticket') by business unit, channel
 * and category — volume, resolution time, share resolved within each service standard, the
 * backlog as of the report day and its age, repeat contacts — survey answers by channel, and
 * how unresolved tickets and unhappy answers go with churn.
 *
 * Every figure is aggregated in SQL (one set-based query per table, values as parameters).
 * Nothing after `asOf` counts: a ticket opened after it is left out, a ticket closed after it
 * is still open on that day. Shares are percentages (12.3 = 12.3 %), as the renderers expect.
 */

export interface ServiceStandard {
  name: string;
  /** A ticket meets the standard when closed within this many hours of being opened. */
  resolutionHours: number;
}

export interface ServiceSettings {
  /** @default [{ name: 'standard', resolutionHours: 72 }] */
  standards: ServiceStandard[];
  /** A ticket opened within this many days after another of the same customer is a repeat contact. @default 7 */
  repeatContactDays: number;
  /** A customer active before and silent (no order, transaction or ticket) for this many days up to asOf has churned. @default 180 */
  churnDays: number;
  /** A survey answer with CSAT at or below this is a low one. @default 2 */
  lowCsat: number;
  /** Percentage of tickets that should meet a standard: the target line of the standards chart. @default 90 */
  targetPercent?: number;
}

export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = {
  standards: [{ name: 'standard', resolutionHours: 72 }],
  repeatContactDays: 7,
  churnDays: 180,
  lowCsat: 2,
  targetPercent: 90,
};

function checkSettings(s: ServiceSettings): void {
  if (s.standards.length === 0) throw new UserError('service report: name at least one service standard', ExitCode.usage);
  for (const st of s.standards) {
    if (!(Number.isFinite(st.resolutionHours) && st.resolutionHours > 0)) {
      throw new UserError(`service standard "${st.name}": resolutionHours must be a positive number`, ExitCode.usage);
    }
  }
  if (!(Number.isInteger(s.repeatContactDays) && s.repeatContactDays >= 0)) throw new UserError('repeatContactDays must be a whole number of days', ExitCode.usage);
  if (!(Number.isInteger(s.churnDays) && s.churnDays >= 1)) throw new UserError('churnDays must be a whole number of days from 1 up', ExitCode.usage);
  if (!(Number.isFinite(s.lowCsat) && s.lowCsat >= 1 && s.lowCsat <= 5)) throw new UserError('lowCsat must be between 1 and 5', ExitCode.usage);
  const target = s.targetPercent ?? 90;
  if (!(target >= 0 && target <= 100)) throw new UserError('targetPercent must be between 0 and 100', ExitCode.usage);
}

/** Statuses that mean "resolved" for a ticket without closed_at (lower-cased). */
const RESOLVED_STATUSES = "('closed', 'resolved', 'solved')";

/**
 * SQL: whether ticket `t` is resolved on day `asOf`: closed by the end of that day, or, with no
 * closed_at, when its status says closed/resolved.
 */
const resolvedSql = (t: string, asOf: string) =>
  `CASE WHEN ${t}.closed_at IS NOT NULL THEN ${t}.closed_at < ${asOf}::date + 1 ELSE lower(coalesce(${t}.status, '')) IN ${RESOLVED_STATUSES} END`;

/** SQL: a duration rounded to two decimals, as float8. */
const r2 = (expr: string) => `round((${expr})::numeric, 2)::float8`;

/**
 * Parameters shared by the ticket queries: $1 asOf, $2 from, $3 to, $4 business unit, $5 repeat days.
 *
 * `tickets` is every ticket opened in the window (and by asOf), with its state on asOf:
 * resolved (see resolvedSql), hours (resolution time, only for tickets closed by
 * asOf with a closed_at not before the opening), repeat (another ticket of the same customer —
 * any unit, any time before — opened at most $5 days earlier) and age (days from opening to the
 * end of asOf).
 */
const TICKETS = `
  all_tickets AS (
    -- attached tickets in customer order: an index-only scan of activities_ticket, already in
    -- the window's order; unattached ones (a few) by their reference
    SELECT a.id, a.business_unit, a.channel, a.category, a.status, a.occurred_at, a.closed_at, a.customer_id,
      lag(a.occurred_at) OVER (PARTITION BY a.customer_id ORDER BY a.occurred_at, a.id) AS previous
    FROM activities a
    WHERE a.kind = 'ticket' AND a.customer_id IS NOT NULL AND a.occurred_at < $1::date + 1
    UNION ALL
    SELECT a.id, a.business_unit, a.channel, a.category, a.status, a.occurred_at, a.closed_at, a.customer_id,
      lag(a.occurred_at) OVER (PARTITION BY a.customer_ref_by, a.customer_ref_source, a.customer_ref ORDER BY a.occurred_at, a.id) AS previous
    FROM activities a
    WHERE a.kind = 'ticket' AND a.customer_id IS NULL AND a.occurred_at < $1::date + 1
  ),
  tickets AS (
    SELECT t.id, t.business_unit, coalesce(t.channel, '(none)') AS channel, coalesce(t.category, '(none)') AS category,
      lower(coalesce(t.status, '')) AS status, t.closed_at, t.customer_id,
      ${resolvedSql('t', '$1')} AS resolved,
      -- date_part gives float8 directly; extract gives numeric, three times slower here
      CASE WHEN t.closed_at < $1::date + 1 AND t.closed_at >= t.occurred_at
        THEN date_part('epoch', t.closed_at - t.occurred_at) / 3600 END AS hours,
      coalesce(t.occurred_at - t.previous <= make_interval(days => $5::int), false) AS repeat,
      date_part('epoch', ($1::date + 1)::timestamp - t.occurred_at) / 86400 AS age_days,
      -- the month a timed ticket was closed in (its resolution time counts there)
      CASE WHEN t.closed_at < $1::date + 1 AND t.closed_at >= t.occurred_at THEN date_trunc('month', t.closed_at) END AS close_month
    FROM all_tickets t
    WHERE ($2::date IS NULL OR t.occurred_at >= $2::date)
      AND ($3::date IS NULL OR t.occurred_at < $3::date + 1)
      AND ($4::text IS NULL OR t.business_unit = $4::text)
  )`;

interface TicketRow {
  g_unit: number;
  g_channel: number;
  g_category: number;
  business_unit: string | null;
  channel: string | null;
  category: string | null;
  volume: number;
  resolved: number;
  timed: number;
  median_hours: number | null;
  p90_hours: number | null;
  backlog: number;
  escalated: number;
  backlog_median_age: number | null;
  backlog_max_age: number | null;
  repeats: number;
  repeat_pct: number | null;
  [within: `within_${number}`]: number | null;
}

interface MonthRow {
  month: string;
  tickets: number;
  median_hours: number | null;
}

interface FeedbackRow {
  g: number;
  channel: string | null;
  answers: number;
  mean_csat: number | null;
  low_csat: number;
  mean_nps: number | null;
  nps: number | null;
}

type LinkRow = Record<string, number | null>;

/** Tickets grouped by unit, channel, category and overall, and by month closed. */
async function ticketFigures(
  db: Queryable,
  base: readonly unknown[],
  standards: readonly ServiceStandard[],
): Promise<{ groups: TicketRow[]; monthly: MonthRow[] }> {
  const withins = standards
    .map((_, i) => `${pctSql(`count(*) FILTER (WHERE hours <= $${6 + i}::float8)`, 'count(hours)')} AS within_${i}`)
    .join(',\n       ');
  // Volume, resolution and backlog by unit, channel, category and overall, and the median
  // resolution time by month of closing (every month from the first close to the last): one
  // pass over the tickets, grouped five ways.
  const [parts] = await db.query<{ groups: TicketRow[] | null; monthly: MonthRow[] | null }>(
    `WITH ${TICKETS},
     grouped AS (
       SELECT GROUPING(business_unit) AS g_unit, GROUPING(channel) AS g_channel, GROUPING(category) AS g_category,
         GROUPING(close_month) AS g_month, business_unit, channel, category, close_month,
         count(*) AS volume,
         count(*) FILTER (WHERE resolved) AS resolved,
         count(hours) AS timed,
         ${r2('percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)')} AS median_hours,
         ${r2('percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)')} AS p90_hours,
         ${withins},
         count(*) FILTER (WHERE NOT resolved) AS backlog,
         count(*) FILTER (WHERE NOT resolved AND status = 'escalated') AS escalated,
         ${r2('percentile_cont(0.5) WITHIN GROUP (ORDER BY age_days) FILTER (WHERE NOT resolved)')} AS backlog_median_age,
         ${r2('max(age_days) FILTER (WHERE NOT resolved)')} AS backlog_max_age,
         count(*) FILTER (WHERE repeat) AS repeats,
         ${pctSql('count(*) FILTER (WHERE repeat)', 'count(*)')} AS repeat_pct
       FROM tickets
       GROUP BY GROUPING SETS ((business_unit), (channel), (category), (), (close_month))
     ),
     closes AS (SELECT close_month AS month, timed, median_hours FROM grouped WHERE g_month = 0 AND close_month IS NOT NULL),
     months AS (SELECT generate_series(min(month), max(month), interval '1 month') AS month FROM closes)
     SELECT (SELECT json_agg(json_build_object('g_unit', g_unit, 'g_channel', g_channel, 'g_category', g_category,
                'business_unit', business_unit, 'channel', channel, 'category', category, 'volume', volume, 'resolved', resolved,
                'timed', timed, 'median_hours', median_hours, 'p90_hours', p90_hours,
                ${standards.map((_, i) => `'within_${i}', within_${i}`).join(', ')},
                'backlog', backlog, 'escalated', escalated, 'backlog_median_age', backlog_median_age, 'backlog_max_age', backlog_max_age,
                'repeats', repeats, 'repeat_pct', repeat_pct)
              ORDER BY volume DESC, business_unit, channel, category)
             FROM grouped WHERE g_month = 1) AS groups,
       (SELECT json_agg(json_build_object('month', to_char(m.month, 'YYYY-MM'), 'tickets', coalesce(c.timed, 0), 'median_hours', c.median_hours) ORDER BY m.month)
        FROM months m LEFT JOIN closes c ON c.month = m.month) AS monthly`,
    [...base, ...standards.map((s) => s.resolutionHours)],
  );
  return { groups: parts?.groups ?? [], monthly: parts?.monthly ?? [] };
}

/** Survey answers by channel and overall. */
async function feedbackFigures(db: Queryable, asOf: string, from: string | null, to: string | null, lowCsat: number): Promise<FeedbackRow[]> {
  // Not filtered by unit: the answers carry the survey's own unit.
  return db.query<FeedbackRow>(
    `SELECT GROUPING(channel) AS g, channel, count(*) AS answers,
       round(avg(csat), 3)::float8 AS mean_csat,
       count(*) FILTER (WHERE csat <= $4::float8) AS low_csat,
       round(avg(nps), 3)::float8 AS mean_nps,
       ${npsSql('nps')} AS nps
     FROM (SELECT coalesce(channel, '(none)') AS channel, csat, nps FROM activities
           WHERE kind = 'feedback' AND occurred_at < $1::date + 1
             AND ($2::date IS NULL OR occurred_at >= $2::date) AND ($3::date IS NULL OR occurred_at < $3::date + 1)) f
     GROUP BY GROUPING SETS ((channel), ())
     ORDER BY GROUPING(channel), count(*) DESC, channel`,
    [asOf, from, to, lowCsat],
  );
}

/** Churn rates by service experience (see loyaltySection). */
async function churnLink(db: Queryable, asOf: string, settings: ServiceSettings, unit: string | null): Promise<LinkRow> {
  // Churn of customers with an unresolved ticket or a low CSAT answer, against the rest. The
  // population: attached customers with an order, transaction or ticket before the silence
  // window; churned: none inside it (asOf - churnDays + 1 … asOf).
  const groupsSql = [
    ['unresolved', 'unresolved'],
    ['low', 'low'],
    ['either', 'unresolved OR low'],
    ['neither', 'NOT (unresolved OR low)'],
    ['all', 'true'],
  ]
    .map(
      ([name, where]) =>
        `count(*) FILTER (WHERE ${where}) AS ${name}, count(*) FILTER (WHERE (${where}) AND churned) AS ${name}_churned,
       ${pctSql(`count(*) FILTER (WHERE (${where}) AND churned)`, `count(*) FILTER (WHERE ${where})`)} AS ${name}_rate`,
    )
    .join(',\n       ');
  const activity = (await totalsCover(db, asOf))
    ? // the kept totals (migration 0007) hold just these figures when every activity is before asOf
      `SELECT customer_id, first_use AS first_at, last_use AS last_at, coalesce(lowest_feedback_csat <= $4::float8, false) AS low
       FROM customer_activity
       ORDER BY customer_id`
    : // in customer order: a parallel index-only scan of activities_customer, aggregated as it streams
      `SELECT customer_id, min(occurred_at) FILTER (WHERE kind IN ('order', 'transaction', 'ticket')) AS first_at,
         max(occurred_at) FILTER (WHERE kind IN ('order', 'transaction', 'ticket')) AS last_at,
         coalesce(bool_or(kind = 'feedback' AND csat <= $4::float8), false) AS low
       FROM activities
       WHERE customer_id IS NOT NULL AND occurred_at < $1::date + 1
       GROUP BY customer_id
       ORDER BY customer_id`;
  const [link] = await db.query<LinkRow>(
    `WITH activity AS (${activity}),
     unresolved AS (
       -- in customer order too: an index-only scan of activities_ticket
       SELECT a.customer_id FROM activities a
       WHERE a.kind = 'ticket' AND a.customer_id IS NOT NULL AND a.occurred_at < $1::date + 1 AND ($3::text IS NULL OR a.business_unit = $3::text)
         AND NOT ${resolvedSql('a', '$1')}
       GROUP BY a.customer_id
       ORDER BY a.customer_id
     ),
     flagged AS (
       SELECT a.last_at < $1::date + 1 - $2::int AS churned, u.customer_id IS NOT NULL AS unresolved, a.low
       FROM activity a LEFT JOIN unresolved u USING (customer_id)
       WHERE a.first_at < $1::date + 1 - $2::int
     )
     SELECT ${groupsSql}
     FROM flagged`,
    [asOf, settings.churnDays, unit, settings.lowCsat],
  );
  return link ?? {};
}

export async function serviceReport(db: ReportSource, options: ReportOptions, settings: ServiceSettings = DEFAULT_SERVICE_SETTINGS): Promise<Report> {
  checkSettings(settings);
  const asOf = checkDay('asOf', options.asOf);
  const fromText = given(options.from);
  const toText = given(options.to);
  const from = fromText === undefined ? null : checkDay('from', fromText);
  const to = toText === undefined ? null : checkDay('to', toText);
  if (from !== null && to !== null && from > to) throw new UserError(`from ${from} is after to ${to}`, ExitCode.usage);
  const unit = given(options.businessUnit) ?? null;
  const base = [asOf, from, to, unit, settings.repeatContactDays];
  const standards = settings.standards;
  const target = settings.targetPercent ?? 90;

  // The ticket pass is mostly single-threaded (the window, the percentiles); the survey and
  // churn reads run beside it where the snapshot has a second session.
  const [{ groups, monthly }, [feedback, link]] = await atOnce(
    db,
    (q) => ticketFigures(q, base, standards),
    async (q) => [await feedbackFigures(q, asOf, from, to, settings.lowCsat), await churnLink(q, asOf, settings, unit)] as const,
  );

  return {
    kind: 'service',
    title: 'Service',
    asOf,
    generatedAt: new Date().toISOString(),
    filters: reportFilters(options, ['businessUnit', 'from', 'to']),
    sections: [
      ticketsSection(groups, monthly, standards, target, settings.repeatContactDays),
      feedbackSection(feedback, settings.lowCsat),
      loyaltySection(link, settings, unit),
    ],
  };
}

function ticketColumns(standards: readonly ServiceStandard[], first: Column): Column[] {
  return [
    first,
    { key: 'volume', label: 'Tickets', kind: 'int' },
    { key: 'resolved', label: 'Resolved', kind: 'int' },
    { key: 'medianHours', label: 'Median resolution', kind: 'hours' },
    { key: 'p90Hours', label: 'P90 resolution', kind: 'hours' },
    ...standards.map((s, i): Column => ({ key: `within${i}`, label: `Within ${s.name} (${s.resolutionHours} h)`, kind: 'percent' })),
    { key: 'open', label: 'Open', kind: 'int' },
    { key: 'escalated', label: 'Escalated', kind: 'int' },
    { key: 'backlogMedianAge', label: 'Backlog median age', kind: 'days' },
    { key: 'backlogMaxAge', label: 'Backlog max age', kind: 'days' },
    { key: 'repeats', label: 'Repeat contacts', kind: 'int' },
    { key: 'repeatPct', label: 'Repeat share', kind: 'percent' },
  ];
}

function ticketCells(r: TicketRow, standards: readonly ServiceStandard[]): Record<string, Cell> {
  const cells: Record<string, Cell> = {
    volume: int(r.volume),
    resolved: int(r.resolved),
    medianHours: num(r.median_hours),
    p90Hours: num(r.p90_hours),
  };
  standards.forEach((_, i) => {
    cells[`within${i}`] = num(r[`within_${i}`]);
  });
  return {
    ...cells,
    open: int(r.backlog) - int(r.escalated),
    escalated: int(r.escalated),
    backlogMedianAge: num(r.backlog_median_age),
    backlogMaxAge: num(r.backlog_max_age),
    repeats: int(r.repeats),
    repeatPct: num(r.repeat_pct),
  };
}

const pct = (v: Cell | undefined): string => (v === null || v === undefined ? '–' : `${Number(v).toFixed(1)} %`);

function ticketsSection(groups: TicketRow[], monthly: MonthRow[], standards: readonly ServiceStandard[], target: number, repeatDays: number): Section {
  const byUnit = groups.filter((r) => int(r.g_unit) === 0);
  const byChannel = groups.filter((r) => int(r.g_channel) === 0);
  const byCategory = groups.filter((r) => int(r.g_category) === 0);
  const total = groups.find((r) => int(r.g_unit) === 1 && int(r.g_channel) === 1 && int(r.g_category) === 1);

  const summary: string[] = [];
  if (total === undefined || int(total.volume) === 0) {
    summary.push('No tickets in the selection.');
  } else {
    const t = ticketCells(total, standards);
    summary.push(`${t.volume} tickets, ${t.resolved} resolved; ${int(total.backlog)} in the backlog (${t.open} open, ${t.escalated} escalated).`);
    if (t.medianHours !== null) summary.push(`Resolution time: median ${t.medianHours} h, 90th percentile ${t.p90Hours} h (${int(total.timed)} tickets closed).`);
    standards.forEach((s, i) => {
      const v = t[`within${i}`];
      if (v !== null && v !== undefined) summary.push(`${s.name}: ${pct(v)} resolved within ${s.resolutionHours} h (target ${target} %).`);
    });
    if (t.backlogMaxAge !== null) summary.push(`Backlog age: median ${t.backlogMedianAge} days, oldest ${t.backlogMaxAge} days.`);
    summary.push(`${t.repeats} repeat contacts (a ticket within ${repeatDays} days after another of the same customer): ${pct(t.repeatPct)}.`);
  }

  const table = (title: string, key: 'business_unit' | 'channel' | 'category', label: string, rows: TicketRow[]): Table => ({
    title,
    columns: ticketColumns(standards, { key, label, kind: 'text' }),
    rows: rows.map((r) => ({ [key]: r[key], ...ticketCells(r, standards) })),
  });

  const charts: Chart[] = [
    {
      title: 'Ticket volume by category',
      kind: 'bar',
      x: byCategory.map((r) => String(r.category)),
      series: [{ name: 'tickets', values: byCategory.map((r) => int(r.volume)) }],
      unit: 'tickets',
    },
    {
      title: 'Share resolved within standard by unit',
      kind: 'bar',
      x: byUnit.map((r) => String(r.business_unit)),
      series: standards.map((s, i) => ({ name: `${s.name} (${s.resolutionHours} h)`, values: byUnit.map((r) => num(r[`within_${i}`])) })),
      unit: '%',
      target: { label: `target ${target} %`, value: target },
    },
    {
      title: 'Median resolution time by month closed',
      kind: 'line',
      x: monthly.map((m) => m.month),
      series: [{ name: 'median hours', values: monthly.map((m) => num(m.median_hours)) }],
      unit: 'hours',
    },
  ];
  return {
    title: 'Tickets',
    summary,
    charts,
    tables: [
      table('Tickets by business unit', 'business_unit', 'Unit', byUnit),
      table('Tickets by channel', 'channel', 'Channel', byChannel),
      table('Tickets by category', 'category', 'Category', byCategory),
    ],
  };
}

function feedbackSection(rows: FeedbackRow[], lowCsat: number): Section {
  const cells = (r: FeedbackRow): Record<string, Cell> => ({
    answers: int(r.answers),
    meanCsat: num(r.mean_csat),
    lowCsat: int(r.low_csat),
    meanNps: num(r.mean_nps),
    nps: num(r.nps),
  });
  const total = rows.find((r) => int(r.g) === 1);
  const summary: string[] = [];
  if (total === undefined || int(total.answers) === 0) summary.push('No survey answers in the selection.');
  else {
    const t = cells(total);
    summary.push(`${t.answers} survey answers: mean CSAT ${t.meanCsat ?? '–'} (1–5), mean NPS answer ${t.meanNps ?? '–'} (0–10), NPS ${t.nps ?? '–'}.`);
    summary.push(`${t.lowCsat} answers with CSAT ${lowCsat} or lower.`);
  }
  summary.push('Survey answers are counted by channel and are not filtered by business unit.');
  return {
    title: 'Customer feedback',
    summary,
    charts: [],
    tables: [
      {
        title: 'Feedback by channel',
        columns: [
          { key: 'channel', label: 'Channel', kind: 'text' },
          { key: 'answers', label: 'Answers', kind: 'int' },
          { key: 'meanCsat', label: 'Mean CSAT', kind: 'number' },
          { key: 'lowCsat', label: `CSAT ≤ ${lowCsat}`, kind: 'int' },
          { key: 'meanNps', label: 'Mean NPS answer', kind: 'number' },
          { key: 'nps', label: 'NPS', kind: 'number' },
        ],
        rows: rows.filter((r) => int(r.g) === 0).map((r) => ({ channel: r.channel, ...cells(r) })),
      },
    ],
  };
}

function loyaltySection(link: LinkRow, settings: ServiceSettings, unit: string | null): Section {
  const row = (group: string, name: string): Record<string, Cell> => ({
    group,
    customers: int(link[name]),
    churned: int(link[`${name}_churned`]),
    churnRate: num(link[`${name}_rate`]),
  });
  const either = row('Unresolved ticket or low CSAT', 'either');
  const neither = row('Neither', 'neither');
  const all = row('All', 'all');
  return {
    title: 'Service and loyalty',
    summary: [
      `Churned: no order, transaction or ticket in the ${settings.churnDays} days up to the report day, among ${all.customers} customers active before them; ${all.churned} churned (${pct(all.churnRate)}).`,
      `Churn rate of customers with an unresolved ticket or a CSAT answer of ${settings.lowCsat} or lower: ${pct(either.churnRate)} (${either.churned} of ${either.customers}); of the rest: ${pct(neither.churnRate)} (${neither.churned} of ${neither.customers}).`,
    ],
    charts: [
      {
        title: 'Churn rate: unresolved ticket or low CSAT against the rest',
        kind: 'bar',
        x: ['Unresolved ticket or low CSAT', 'Neither'],
        series: [{ name: 'churn rate', values: [num(either.churnRate), num(neither.churnRate)] }],
        unit: '%',
      },
    ],
    tables: [
      {
        title: 'Churn by service experience',
        columns: [
          { key: 'group', label: 'Customers', kind: 'text' },
          { key: 'customers', label: 'Active before', kind: 'int' },
          { key: 'churned', label: 'Churned', kind: 'int' },
          { key: 'churnRate', label: 'Churn rate', kind: 'percent' },
        ],
        rows: [
          row(`With an unresolved ticket${unit === null ? '' : ` (${unit})`}`, 'unresolved'),
          row(`With a CSAT answer ≤ ${settings.lowCsat}`, 'low'),
          either,
          neither,
          all,
        ],
      },
    ],
  };
}
