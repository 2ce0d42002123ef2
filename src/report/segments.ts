import type { Queryable } from '../db/index.js';
import { UserError } from '../errors.js';
import { checkDay, fmt, given, int, num, Params, pctSql, reportFilters } from './sql.js';
import type { Cell, Report, ReportOptions, Section, Table } from './types.js';

/**
 * The segments report: RFM scores and named segments, value tiers, how many business units
 * each customer uses (the cross-sell view) and churn risk. Every figure is aggregated in the
 * database in a few set-based statements that share one chain of CTEs (`scopeCtes`); Node only
 * lays the rows out.
 *
 * What counts: activities attached to a customer with occurred_at on or before the as-of day;
 * with a business-unit filter only that unit's activities, and only customers who use that
 * unit (a crosswalk record from one of its sources, or an activity in it). With a segment
 * filter every section covers only that segment's customers (scores are still ranked among all
 * customers, so a segment means the same with or without the filter).
 *
 * RFM, per customer over every business unit (or the one filtered):
 *   recency   = days from the last order or card transaction to the as-of day
 *   frequency = number of orders and card transactions (a refund is a row too)
 *   monetary  = sum of their amounts (refunds are negative, so they reduce it)
 * Each becomes a quintile score 1–5 with ntile(5) among the customers with a purchase (ties
 * broken by customer id, so the scores are the same on every run): the most recent, most
 * frequent and highest-spending fifth scores 5. FM = round((F + M) / 2), halves up.
 * Customers without any order or transaction get no scores and the segment "No purchases".
 */

/** A named segment: customers whose R and FM scores fall in both ranges (inclusive). */
export interface SegmentRule {
  name: string;
  r: [number, number];
  fm: [number, number];
}

/**
 * The standard RFM map on R and FM scores; the first rule that matches wins (they do not
 * overlap, and together they cover all 25 cells).
 *
 * | segment            | R     | FM    |
 * | ------------------ | ----- | ----- |
 * | Champions          | 5     | 4–5   |
 * | Loyal              | 3–4   | 4–5   |
 * | Potential Loyalist | 4–5   | 2–3   |
 * | New                | 5     | 1     |
 * | Promising          | 4     | 1     |
 * | Need Attention     | 3     | 3     |
 * | About to Sleep     | 3     | 1–2   |
 * | At Risk            | 1–2   | 3–4   |
 * | Can't Lose Them    | 1–2   | 5     |
 * | Lost               | 1–2   | 1–2   |
 *
 * Customers without purchases: "No purchases". A customer no rule matches (possible only with
 * settings.segmentRules): "Other".
 */
export const SEGMENT_RULES: readonly SegmentRule[] = [
  { name: 'Champions', r: [5, 5], fm: [4, 5] },
  { name: 'Loyal', r: [3, 4], fm: [4, 5] },
  { name: 'Potential Loyalist', r: [4, 5], fm: [2, 3] },
  { name: 'New', r: [5, 5], fm: [1, 1] },
  { name: 'Promising', r: [4, 4], fm: [1, 1] },
  { name: 'Need Attention', r: [3, 3], fm: [3, 3] },
  { name: 'About to Sleep', r: [3, 3], fm: [1, 2] },
  { name: 'At Risk', r: [1, 2], fm: [3, 4] },
  { name: "Can't Lose Them", r: [1, 2], fm: [5, 5] },
  { name: 'Lost', r: [1, 2], fm: [1, 2] },
];

/** Segment of customers without any order or transaction. */
export const NO_PURCHASES = 'No purchases';
/** Segment of customers no rule matches. */
export const OTHER_SEGMENT = 'Other';
/** Value tier of customers whose revenue is below every tier's minimum (net refunds). */
export const BELOW_TIERS = 'Below all tiers';

export interface ValueTier {
  name: string;
  /** Lowest revenue (sum of amounts up to the as-of day) of the tier, inclusive. */
  minRevenue: number;
}

export interface SegmentSettings {
  /**
   * A customer is at churn risk when they had an order, transaction or ticket but none on or
   * after the day `asOf − churnDays`. @default 180
   */
  churnDays?: number;
  /** Value tiers by revenue (any order; a customer gets the highest tier it reaches). @default Platinum 5000, Gold 1000, Silver 250, Bronze 0 */
  valueTiers?: readonly ValueTier[];
  /** Business unit of each customer source (from the config), for the cross-unit holdings. @default none: units only from activities */
  units?: readonly { source: string; businessUnit: string }[];
  /** Replaces SEGMENT_RULES: an ordered list, first match wins. @default SEGMENT_RULES */
  segmentRules?: readonly SegmentRule[];
}

export const DEFAULT_CHURN_DAYS = 180;
export const DEFAULT_VALUE_TIERS: readonly ValueTier[] = [
  { name: 'Platinum', minRevenue: 5000 },
  { name: 'Gold', minRevenue: 1000 },
  { name: 'Silver', minRevenue: 250 },
  { name: 'Bronze', minRevenue: 0 },
];

/** How many customers the churn-risk list shows. */
const CHURN_LIST = 20;

interface Resolved {
  churnDays: number;
  valueTiers: readonly ValueTier[];
  units: readonly { source: string; businessUnit: string }[];
  rules: readonly SegmentRule[];
}

function resolveSettings(settings: SegmentSettings): Resolved {
  const problems: string[] = [];
  const churnDays = settings.churnDays ?? DEFAULT_CHURN_DAYS;
  if (!Number.isInteger(churnDays) || churnDays < 1) problems.push(`churnDays must be a whole number of days from 1 up, got ${churnDays}`);
  const valueTiers = settings.valueTiers ?? DEFAULT_VALUE_TIERS;
  if (valueTiers.length === 0) problems.push('valueTiers must name at least one tier');
  for (const t of valueTiers) if (!Number.isFinite(t.minRevenue)) problems.push(`value tier "${t.name}": minRevenue must be a number, got ${t.minRevenue}`);
  const rules = settings.segmentRules ?? SEGMENT_RULES;
  if (rules.length === 0) problems.push('segmentRules must name at least one segment');
  const seen = new Set<string>();
  for (const rule of rules) {
    if (rule.name.trim() === '') problems.push('segment rule without a name');
    if ([NO_PURCHASES, OTHER_SEGMENT].includes(rule.name)) problems.push(`segment rule "${rule.name}": the name is reserved`);
    if (seen.has(rule.name)) problems.push(`segment rule "${rule.name}" appears twice`);
    seen.add(rule.name);
    for (const [label, [min, max]] of [['r', rule.r], ['fm', rule.fm]] as const) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 5 || min > max) {
        problems.push(`segment rule "${rule.name}": ${label} must be [min, max] with 1 ≤ min ≤ max ≤ 5, got [${min}, ${max}]`);
      }
    }
  }
  if (problems.length > 0) throw new UserError(`segment settings: ${problems.join('; ')}`);
  return { churnDays, valueTiers, units: settings.units ?? [], rules };
}

/** The segment names a --segment filter may name, in report order. */
export function segmentNames(rules: readonly SegmentRule[] = SEGMENT_RULES): string[] {
  return [...rules.map((r) => r.name), OTHER_SEGMENT, NO_PURCHASES];
}

/**
 * The CTE chain every segments query starts with, ending in `scope`: one row per customer in
 * the report (after the business-unit and segment filters) with its activity figures, RFM
 * scores, segment and the business units it uses (`units`, a sorted array). Also defines
 * `source_units` (source → unit), `uses` (customer → units used) and `rules`.
 *
 * Indexes (migrations/0003_report_indexes.sql): activities_report_kind for `acts` and the
 * activity half of `uses`, activities_report_unit with a business-unit filter,
 * activities_customer (customer_id, occurred_at) for the population's EXISTS look-up,
 * customer_sources_customer for the crosswalk half of `uses`.
 */
function scopeCtes(p: Params, options: ReportOptions, s: Resolved): string {
  const asOf = p.add(options.asOf);
  const unit = given(options.businessUnit);
  const unitParam = unit === undefined ? undefined : p.add(unit);
  const segment = given(options.segment);
  const rules = s.rules;
  return `
source_units AS (
  SELECT u.source, u.business_unit FROM unnest(${p.add(s.units.map((u) => u.source))}::text[], ${p.add(s.units.map((u) => u.businessUnit))}::text[]) AS u(source, business_unit)
),
-- A customer uses a unit when it has a crosswalk record from one of the unit's sources, or an
-- order, transaction or ticket in it (a survey answer is no use of a unit).
-- One row per customer with the sorted units it uses (an array, so later steps unnest it per
-- customer instead of joining row sets whose sizes the planner cannot guess).
uses AS (
  SELECT x.customer_id, array_agg(DISTINCT x.business_unit ORDER BY x.business_unit) AS units
  FROM (
    SELECT cs.customer_id, u.business_unit FROM customer_sources cs JOIN source_units u ON u.source = cs.source
    UNION ALL
    SELECT a.customer_id, a.business_unit FROM activities a
    WHERE a.kind IN ('order', 'transaction', 'ticket') AND a.occurred_at < ${asOf}::date + 1 AND a.customer_id IS NOT NULL
  ) x
  GROUP BY x.customer_id
),
population AS (
  SELECT c.id AS customer_id, coalesce(us.units, '{}') AS units FROM customers c LEFT JOIN uses us ON us.customer_id = c.id
  ${
    unitParam === undefined
      ? ''
      : `WHERE ${unitParam} = ANY (us.units)
     OR EXISTS (SELECT 1 FROM activities a WHERE a.customer_id = c.id AND a.business_unit = ${unitParam} AND a.occurred_at < ${asOf}::date + 1)`
  }
),
acts AS (
  SELECT a.customer_id, a.kind, a.occurred_at, a.amount, a.csat, a.nps FROM activities a
  WHERE a.kind IN ('order', 'transaction', 'ticket', 'feedback') AND a.occurred_at < ${asOf}::date + 1 AND a.customer_id IS NOT NULL${unitParam === undefined ? '' : ` AND a.business_unit = ${unitParam}`}
),
per_customer AS (
  SELECT p.customer_id, p.units,
    count(a.kind)::int AS activities,
    count(*) FILTER (WHERE a.kind IN ('order', 'transaction'))::int AS purchases,
    count(*) FILTER (WHERE a.kind = 'order')::int AS orders,
    count(*) FILTER (WHERE a.kind = 'transaction')::int AS transactions,
    count(*) FILTER (WHERE a.kind = 'ticket')::int AS tickets,
    coalesce(sum(a.amount) FILTER (WHERE a.kind IN ('order', 'transaction')), 0) AS revenue,
    max(a.occurred_at) FILTER (WHERE a.kind IN ('order', 'transaction'))::date AS last_purchase,
    max(a.occurred_at) FILTER (WHERE a.kind IN ('order', 'transaction', 'ticket'))::date AS last_active,
    count(a.csat)::int AS csat_n,
    coalesce(sum(a.csat), 0)::int AS csat_sum,
    count(a.nps)::int AS nps_n,
    count(*) FILTER (WHERE a.nps >= 9)::int AS promoters,
    count(*) FILTER (WHERE a.nps <= 6)::int AS detractors
  FROM population p LEFT JOIN acts a ON a.customer_id = p.customer_id
  GROUP BY p.customer_id, p.units
),
scored AS (
  SELECT pc.*,
    ${asOf}::date - pc.last_purchase AS recency_days,
    CASE WHEN pc.purchases > 0 THEN ntile(5) OVER (PARTITION BY pc.purchases > 0 ORDER BY pc.last_purchase, pc.customer_id) END AS r,
    CASE WHEN pc.purchases > 0 THEN ntile(5) OVER (PARTITION BY pc.purchases > 0 ORDER BY pc.purchases, pc.customer_id) END AS f,
    CASE WHEN pc.purchases > 0 THEN ntile(5) OVER (PARTITION BY pc.purchases > 0 ORDER BY pc.revenue, pc.customer_id) END AS m
  FROM per_customer pc
),
rules AS (
  SELECT * FROM unnest(${p.add(rules.map((r) => r.name))}::text[], ${p.add(rules.map((r) => r.r[0]))}::int[], ${p.add(rules.map((r) => r.r[1]))}::int[],
    ${p.add(rules.map((r) => r.fm[0]))}::int[], ${p.add(rules.map((r) => r.fm[1]))}::int[])
    WITH ORDINALITY AS rl(name, r_min, r_max, fm_min, fm_max, ord)
),
segmented AS (
  SELECT s.*, (s.f + s.m + 1) / 2 AS fm,
    CASE WHEN s.purchases = 0 THEN ${p.add(NO_PURCHASES)}::text
      ELSE coalesce((SELECT rl.name FROM rules rl
                     WHERE s.r BETWEEN rl.r_min AND rl.r_max AND (s.f + s.m + 1) / 2 BETWEEN rl.fm_min AND rl.fm_max
                     ORDER BY rl.ord LIMIT 1), ${p.add(OTHER_SEGMENT)}::text)
    END AS segment
  FROM scored s
),
scope AS (
  SELECT * FROM segmented${segment === undefined ? '' : ` WHERE segment = ${p.add(segment)}`}
)`;
}

/** One customer's figures and scores, as the segments report computes them. */
export interface CustomerSegment {
  customerId: number;
  activities: number;
  purchases: number;
  orders: number;
  transactions: number;
  tickets: number;
  revenue: number;
  lastPurchase: string | null;
  lastActive: string | null;
  recencyDays: number | null;
  r: number | null;
  f: number | null;
  m: number | null;
  fm: number | null;
  segment: string;
}

/** Every customer in the report's scope with its RFM scores and segment (one statement). */
export async function customerSegments(db: Queryable, options: ReportOptions, settings: SegmentSettings = {}): Promise<CustomerSegment[]> {
  const s = resolveSettings(settings);
  checkOptions(options, s);
  const p = new Params();
  const rows = await db.query<Record<string, unknown>>(
    `WITH ${scopeCtes(p, options, s)}
     SELECT customer_id, activities, purchases, orders, transactions, tickets, revenue::float8 AS revenue,
       last_purchase, last_active, recency_days, r, f, m, fm, segment
     FROM scope ORDER BY customer_id`,
    p.values,
  );
  return rows.map((r) => ({
    customerId: int(r.customer_id),
    activities: int(r.activities),
    purchases: int(r.purchases),
    orders: int(r.orders),
    transactions: int(r.transactions),
    tickets: int(r.tickets),
    revenue: num(r.revenue) ?? 0,
    lastPurchase: (r.last_purchase as string | null) ?? null,
    lastActive: (r.last_active as string | null) ?? null,
    recencyDays: num(r.recency_days),
    r: num(r.r),
    f: num(r.f),
    m: num(r.m),
    fm: num(r.fm),
    segment: String(r.segment),
  }));
}

function checkOptions(options: ReportOptions, s: Resolved): void {
  checkDay('--as-of', options.asOf);
  const segment = given(options.segment);
  if (segment !== undefined && !segmentNames(s.rules).includes(segment)) {
    throw new UserError(`--segment: no segment "${segment}" (segments: ${segmentNames(s.rules).join(', ')})`);
  }
}

type Rows = Record<string, Cell>[];

function cells(rows: Record<string, unknown>[]): Rows {
  return rows as Rows;
}

/**
 * The report's parts, each one SELECT over `scope` (and `su`, `held`, `all_units`, `rules`) with an `_ord`
 * column giving its row order. They run as one statement (see segmentsReport), so the
 * per-customer figures are computed once.
 */
function reportParts(p: Params, options: ReportOptions, s: Resolved): Record<string, string> {
  const asOf = p.add(options.asOf);
  const churnDays = p.add(s.churnDays);
  const noPurchases = p.add(NO_PURCHASES);
  const other = p.add(OTHER_SEGMENT);
  const below = p.add(BELOW_TIERS);
  return {
    totals: `SELECT 1 AS _ord, count(*)::int AS customers,
    count(*) FILTER (WHERE purchases > 0)::int AS purchasing,
    count(*) FILTER (WHERE activities = 0)::int AS without_activity,
    round(coalesce(sum(revenue), 0), 2)::float8 AS revenue,
    coalesce(sum(orders), 0)::int AS orders,
    coalesce(sum(transactions), 0)::int AS transactions,
    coalesce(sum(tickets), 0)::int AS tickets,
    (sum(csat_sum)::numeric / nullif(sum(csat_n), 0))::float8 AS csat,
    (100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(nps_n), 0))::float8 AS nps
  FROM scope`,

    segments: `WITH names AS (
    SELECT name, ord FROM rules UNION ALL SELECT ${other}::text, 1000 UNION ALL SELECT ${noPurchases}::text, 1001
  ),
  agg AS (
    SELECT segment, count(*)::int AS customers, sum(revenue) AS revenue, sum(purchases)::int AS orders, sum(tickets)::int AS tickets,
      sum(csat_sum)::int AS csat_sum, sum(csat_n)::int AS csat_n, sum(promoters)::int AS promoters, sum(detractors)::int AS detractors,
      sum(nps_n)::int AS nps_n
    FROM scope GROUP BY segment
  )
  SELECT n.ord AS _ord, n.name AS segment, coalesce(g.customers, 0) AS customers,
    ${pctSql('coalesce(g.customers, 0)', 'sum(coalesce(g.customers, 0)) OVER ()')} AS share,
    round(coalesce(g.revenue, 0), 2)::float8 AS revenue,
    coalesce(g.orders, 0) AS orders, coalesce(g.tickets, 0) AS tickets,
    (g.csat_sum::numeric / nullif(g.csat_n, 0))::float8 AS csat,
    (100.0 * (g.promoters - g.detractors) / nullif(g.nps_n, 0))::float8 AS nps
  FROM names n LEFT JOIN agg g ON g.segment = n.name`,

    grid: `SELECT row_number() OVER (ORDER BY r DESC, fm) AS _ord, r, fm, count(*)::int AS n FROM scope WHERE purchases > 0 GROUP BY r, fm`,

    ranges: `SELECT 6 - sc.score AS _ord, sc.score,
    count(*) FILTER (WHERE s.r = sc.score)::int AS r_customers,
    min(s.recency_days) FILTER (WHERE s.r = sc.score) AS r_min, max(s.recency_days) FILTER (WHERE s.r = sc.score) AS r_max,
    min(s.purchases) FILTER (WHERE s.f = sc.score) AS f_min, max(s.purchases) FILTER (WHERE s.f = sc.score) AS f_max,
    round(min(s.revenue) FILTER (WHERE s.m = sc.score), 2)::float8 AS m_min, round(max(s.revenue) FILTER (WHERE s.m = sc.score), 2)::float8 AS m_max
  FROM generate_series(1, 5) AS sc(score) LEFT JOIN scope s ON s.purchases > 0
  GROUP BY sc.score`,

    tiers: `WITH tiers AS (
    SELECT * FROM unnest(${p.add(s.valueTiers.map((v) => v.name))}::text[], ${p.add(s.valueTiers.map((v) => v.minRevenue))}::numeric[])
      WITH ORDINALITY AS t(name, min_revenue, ord)
  ),
  tiered AS (
    SELECT sc.revenue,
      CASE WHEN sc.purchases = 0 THEN ${noPurchases}::text
        ELSE coalesce((SELECT t.name FROM tiers t WHERE sc.revenue >= t.min_revenue ORDER BY t.min_revenue DESC, t.ord LIMIT 1), ${below}::text)
      END AS tier
    FROM scope sc
  ),
  agg AS (SELECT tier, count(*)::int AS customers, sum(revenue) AS revenue FROM tiered GROUP BY tier),
  names AS (
    SELECT name, min_revenue, ord FROM tiers UNION ALL SELECT ${below}::text, NULL, 1000 UNION ALL SELECT ${noPurchases}::text, NULL, 1001
  )
  SELECT row_number() OVER (ORDER BY n.min_revenue DESC NULLS LAST, n.ord) AS _ord,
    n.name AS tier, n.min_revenue::float8 AS min_revenue, coalesce(g.customers, 0) AS customers,
    ${pctSql('coalesce(g.customers, 0)', 'sum(coalesce(g.customers, 0)) OVER ()')} AS share,
    round(coalesce(g.revenue, 0), 2)::float8 AS revenue,
    ${pctSql('coalesce(g.revenue, 0)', 'sum(coalesce(g.revenue, 0)) OVER ()')} AS revenue_share,
    round(g.revenue / nullif(g.customers, 0), 2)::float8 AS per_customer
  FROM names n LEFT JOIN agg g ON g.tier = n.name`,

    holdings: `SELECT g.units AS _ord, g.units, coalesce(c.customers, 0) AS customers,
    ${pctSql('coalesce(c.customers, 0)', '(SELECT count(*) FROM held)')} AS share
  FROM generate_series(0, greatest((SELECT count(*) FROM all_units), (SELECT coalesce(max(units), 0) FROM held))) AS g(units)
  LEFT JOIN (SELECT units, count(*)::int AS customers FROM held GROUP BY units) c ON c.units = g.units
  WHERE g.units > 0 OR c.customers > 0`,

    perUnit: `SELECT row_number() OVER (ORDER BY count(su.customer_id) DESC, au.business_unit) AS _ord,
    au.business_unit, count(su.customer_id)::int AS customers,
    ${pctSql('count(su.customer_id)', '(SELECT count(*) FROM scope)')} AS share,
    count(*) FILTER (WHERE su.held = 1)::int AS only_this
  FROM all_units au LEFT JOIN su ON su.business_unit = au.business_unit
  GROUP BY au.business_unit`,

    pairs: `WITH totals AS (SELECT business_unit, count(*)::int AS n FROM su GROUP BY business_unit),
  both_units AS (
    SELECT x.a, y.b, count(*)::int AS n
    FROM scope sc CROSS JOIN LATERAL unnest(sc.units) AS x(a) CROSS JOIN LATERAL unnest(sc.units) AS y(b)
    WHERE x.a < y.b
    GROUP BY x.a, y.b
  )
  SELECT row_number() OVER (ORDER BY coalesce(bu.n, 0) DESC, ua.business_unit, ub.business_unit) AS _ord,
    ua.business_unit AS unit_a, ub.business_unit AS unit_b, coalesce(bu.n, 0) AS customers,
    ${pctSql('coalesce(bu.n, 0)', 'ta.n')} AS share_of_a,
    ${pctSql('coalesce(bu.n, 0)', 'tb.n')} AS share_of_b
  FROM all_units ua JOIN all_units ub ON ua.business_unit < ub.business_unit
  LEFT JOIN both_units bu ON bu.a = ua.business_unit AND bu.b = ub.business_unit
  LEFT JOIN totals ta ON ta.business_unit = ua.business_unit
  LEFT JOIN totals tb ON tb.business_unit = ub.business_unit`,

    churn: `SELECT 1 AS _ord, ${asOf}::date - ${churnDays}::int AS cutoff,
    count(*) FILTER (WHERE last_active IS NOT NULL)::int AS ever_active,
    count(*) FILTER (WHERE last_active < ${asOf}::date - ${churnDays}::int)::int AS at_risk,
    round(coalesce(sum(revenue) FILTER (WHERE last_active < ${asOf}::date - ${churnDays}::int), 0), 2)::float8 AS revenue_at_risk,
    round(coalesce(sum(revenue), 0), 2)::float8 AS revenue
  FROM scope`,

    churnList: `SELECT * FROM (
    SELECT row_number() OVER (ORDER BY r.revenue DESC, r.customer_id) AS _ord,
      r.customer_id, nullif(concat_ws(' ', cu.given_name, cu.family_name), '') AS name, r.segment, r.last_active,
      ${asOf}::date - r.last_active AS days_silent,
      round(r.revenue, 2)::float8 AS revenue, r.purchases AS orders, r.tickets
    FROM scope r JOIN customers cu ON cu.id = r.customer_id
    WHERE r.last_active < ${asOf}::date - ${churnDays}::int
  ) z WHERE _ord <= ${p.add(CHURN_LIST)}`,
  };
}

/** Builds the segments report: one statement, whose parts come back as JSON arrays of rows. */
export async function segmentsReport(db: Queryable, options: ReportOptions, settings: SegmentSettings = {}): Promise<Report> {
  const s = resolveSettings(settings);
  checkOptions(options, s);
  const p = new Params();
  const base = scopeCtes(p, options, s);
  const parts = reportParts(p, options, s);
  const [result] = await db.query<Record<string, unknown>>(
    `WITH ${base},
-- Units used by the customers in scope, and every unit known (from the config or the activities).
su AS (SELECT sc.customer_id, u.business_unit, cardinality(sc.units) AS held FROM scope sc CROSS JOIN LATERAL unnest(sc.units) AS u(business_unit)),
held AS (SELECT customer_id, cardinality(units) AS units FROM scope),
all_units AS (SELECT business_unit FROM source_units UNION SELECT unnest(us.units) FROM uses us)
SELECT
${Object.entries(parts)
  .map(([name, sql]) => `  (SELECT coalesce(json_agg(x ORDER BY x._ord), '[]'::json) FROM (\n  ${sql}\n  ) x) AS "${name}"`)
  .join(',\n')}`,
    p.values,
  );
  const part = (name: string): Record<string, unknown>[] =>
    ((result?.[name] as Record<string, unknown>[] | undefined) ?? []).map(({ _ord, ...row }) => row);

  const t = part('totals')[0] ?? {};
  const customers = int(t.customers);
  const segmentRows = part('segments');
  const segmentFilter = given(options.segment);
  // Every rule's row is shown (zeros too); "Other" only when someone is in it; with a
  // segment filter only that segment.
  const shownSegments = segmentRows.filter((r) =>
    segmentFilter !== undefined ? r.segment === segmentFilter : r.segment !== OTHER_SEGMENT || int(r.customers) > 0,
  );
  const grid = part('grid');
  const ranges = part('ranges');
  const shownTiers = part('tiers').filter((r) => r.tier !== BELOW_TIERS || int(r.customers) > 0);
  const holdings = part('holdings');
  const perUnit = part('perUnit');
  const pairs = part('pairs');
  const c = part('churn')[0] ?? {};
  const churnList = part('churnList');

  const sections: Section[] = [];
  const revenue = num(t.revenue) ?? 0;
  sections.push({
    title: 'Overview',
    summary: [
      `${fmt(customers)} customers, ${fmt(int(t.purchasing))} with a purchase, ${fmt(int(t.without_activity))} without any activity`,
      `revenue ${fmt(revenue, 2)} from ${fmt(int(t.orders))} orders and ${fmt(int(t.transactions))} transactions (refunds subtract)`,
    ],
    charts: [],
    tables: [
      {
        title: 'Customers',
        columns: [
          { key: 'metric', label: 'metric', kind: 'text' },
          { key: 'value', label: 'value', kind: 'number' },
        ],
        rows: [
          { metric: 'customers', value: customers },
          { metric: 'with a purchase', value: int(t.purchasing) },
          { metric: 'without any activity', value: int(t.without_activity) },
          { metric: 'revenue', value: revenue },
          { metric: 'orders', value: int(t.orders) },
          { metric: 'transactions', value: int(t.transactions) },
          { metric: 'tickets', value: int(t.tickets) },
          { metric: 'mean CSAT', value: num(t.csat) },
          { metric: 'NPS', value: num(t.nps) },
        ],
      },
    ],
  });

  const largest = [...shownSegments].sort((a, b) => int(b.customers) - int(a.customers))[0];
  sections.push({
    title: 'Segments',
    summary: [
      'RFM quintile scores 1–5 (5 = most recent, most frequent, highest spending) among customers with a purchase; FM = round((F + M) / 2); segments by the rules table below',
      ...(largest && customers > 0 ? [`largest segment: ${String(largest.segment)} (${fmt(int(largest.customers))} customers, ${fmt(num(largest.share) ?? 0, 1)} %)`] : []),
    ],
    charts: [
      {
        title: 'Customers by segment',
        kind: 'bar',
        x: shownSegments.map((r) => String(r.segment)),
        series: [{ name: 'customers', values: shownSegments.map((r) => int(r.customers)) }],
      },
    ],
    tables: [
      {
        title: 'Segments',
        columns: [
          { key: 'segment', label: 'segment', kind: 'text' },
          { key: 'customers', label: 'customers', kind: 'int' },
          { key: 'share', label: 'share', kind: 'percent' },
          { key: 'revenue', label: 'revenue', kind: 'money' },
          { key: 'orders', label: 'orders + transactions', kind: 'int' },
          { key: 'tickets', label: 'tickets', kind: 'int' },
          { key: 'csat', label: 'mean CSAT', kind: 'number' },
          { key: 'nps', label: 'NPS', kind: 'number' },
        ],
        rows: cells(shownSegments),
      },
      rfmGrid(grid),
      {
        title: 'RFM score ranges',
        columns: [
          { key: 'score', label: 'score', kind: 'int' },
          { key: 'r_customers', label: 'customers', kind: 'int' },
          { key: 'r_min', label: 'R: days since from', kind: 'days' },
          { key: 'r_max', label: 'R: to', kind: 'days' },
          { key: 'f_min', label: 'F: purchases from', kind: 'int' },
          { key: 'f_max', label: 'F: to', kind: 'int' },
          { key: 'm_min', label: 'M: revenue from', kind: 'money' },
          { key: 'm_max', label: 'M: to', kind: 'money' },
        ],
        rows: cells(ranges),
      },
      {
        title: 'Segment rules (first match wins)',
        columns: [
          { key: 'segment', label: 'segment', kind: 'text' },
          { key: 'r', label: 'R', kind: 'text' },
          { key: 'fm', label: 'FM', kind: 'text' },
        ],
        rows: s.rules.map((r) => ({ segment: r.name, r: span(r.r), fm: span(r.fm) })),
      },
    ],
  });

  sections.push({
    title: 'Value tiers',
    summary: [
      `tiers by revenue up to the as-of day: ${s.valueTiers.map((v) => `${v.name} ≥ ${fmt(v.minRevenue)}`).join(', ')}; customers without purchases apart`,
    ],
    charts: [
      {
        title: 'Customers by value tier',
        kind: 'bar',
        x: shownTiers.map((r) => String(r.tier)),
        series: [{ name: 'customers', values: shownTiers.map((r) => int(r.customers)) }],
      },
      {
        title: 'Revenue by value tier',
        kind: 'bar',
        x: shownTiers.map((r) => String(r.tier)),
        series: [{ name: 'revenue', values: shownTiers.map((r) => num(r.revenue) ?? 0) }],
      },
    ],
    tables: [
      {
        title: 'Value tiers',
        columns: [
          { key: 'tier', label: 'tier', kind: 'text' },
          { key: 'min_revenue', label: 'from revenue', kind: 'money' },
          { key: 'customers', label: 'customers', kind: 'int' },
          { key: 'share', label: 'share', kind: 'percent' },
          { key: 'revenue', label: 'revenue', kind: 'money' },
          { key: 'revenue_share', label: 'share of revenue', kind: 'percent' },
          { key: 'per_customer', label: 'revenue per customer', kind: 'money' },
        ],
        rows: cells(shownTiers),
      },
    ],
  });

  const multi = holdings.filter((h) => int(h.units) >= 2).reduce((n, h) => n + int(h.customers), 0);
  const topPair = pairs[0];
  sections.push({
    title: 'Business units',
    summary: [
      'a customer uses a unit when it has a record in one of the unit’s sources or an order, transaction or ticket in it',
      `${fmt(multi)} customers (${fmt(customers === 0 ? 0 : (100 * multi) / customers, 1)} %) use two or more units`,
      ...(topPair && int(topPair.customers) > 0
        ? [`most shared pair: ${String(topPair.unit_a)} + ${String(topPair.unit_b)} (${fmt(int(topPair.customers))} customers)`]
        : []),
    ],
    charts: [
      {
        title: 'Customers by number of units used',
        kind: 'bar',
        x: holdings.map((h) => String(h.units)),
        series: [{ name: 'customers', values: holdings.map((h) => int(h.customers)) }],
      },
    ],
    tables: [
      {
        title: 'Units used per customer',
        columns: [
          { key: 'units', label: 'units used', kind: 'int' },
          { key: 'customers', label: 'customers', kind: 'int' },
          { key: 'share', label: 'share', kind: 'percent' },
        ],
        rows: cells(holdings),
      },
      {
        title: 'Customers per unit',
        columns: [
          { key: 'business_unit', label: 'business unit', kind: 'text' },
          { key: 'customers', label: 'customers', kind: 'int' },
          { key: 'share', label: 'share of customers', kind: 'percent' },
          { key: 'only_this', label: 'use only this unit', kind: 'int' },
        ],
        rows: cells(perUnit),
      },
      {
        title: 'Unit pairs (customers in both)',
        columns: [
          { key: 'unit_a', label: 'unit', kind: 'text' },
          { key: 'unit_b', label: 'and unit', kind: 'text' },
          { key: 'customers', label: 'customers in both', kind: 'int' },
          { key: 'share_of_a', label: 'share of first unit', kind: 'percent' },
          { key: 'share_of_b', label: 'share of second unit', kind: 'percent' },
        ],
        rows: cells(pairs),
      },
    ],
  });

  const atRisk = int(c.at_risk);
  const everActive = int(c.ever_active);
  sections.push({
    title: 'Churn risk',
    summary: [
      `at risk: a customer with an order, transaction or ticket, but none since ${String(c.cutoff ?? '')} (as-of day − ${s.churnDays} days)`,
      `${fmt(atRisk)} of ${fmt(everActive)} active customers at risk (${fmt(everActive === 0 ? 0 : (100 * atRisk) / everActive, 1)} %), revenue at risk ${fmt(num(c.revenue_at_risk) ?? 0, 2)}`,
    ],
    charts: [],
    tables: [
      {
        title: 'Churn risk',
        columns: [
          { key: 'metric', label: 'metric', kind: 'text' },
          { key: 'value', label: 'value', kind: 'number' },
        ],
        rows: [
          { metric: 'customers at risk', value: atRisk },
          { metric: 'customers ever active', value: everActive },
          { metric: 'share at risk', value: everActive === 0 ? null : (100 * atRisk) / everActive },
          { metric: 'revenue at risk', value: num(c.revenue_at_risk) ?? 0 },
          { metric: 'share of revenue at risk', value: (num(c.revenue) ?? 0) === 0 ? null : (100 * (num(c.revenue_at_risk) ?? 0)) / (num(c.revenue) ?? 1) },
        ],
      },
      {
        title: `Top ${CHURN_LIST} customers at risk by revenue`,
        columns: [
          { key: 'customer_id', label: 'customer', kind: 'int' },
          { key: 'name', label: 'name', kind: 'text' },
          { key: 'segment', label: 'segment', kind: 'text' },
          { key: 'last_active', label: 'last active', kind: 'date' },
          { key: 'days_silent', label: 'silent', kind: 'days' },
          { key: 'revenue', label: 'revenue', kind: 'money' },
          { key: 'orders', label: 'orders + transactions', kind: 'int' },
          { key: 'tickets', label: 'tickets', kind: 'int' },
        ],
        rows: cells(churnList),
      },
    ],
  });

  return {
    kind: 'segments',
    title: 'Customer segments',
    asOf: options.asOf,
    generatedAt: new Date().toISOString(),
    filters: reportFilters(options, ['businessUnit', 'segment']),
    sections,
  };
}

function span([min, max]: [number, number]): string {
  return min === max ? String(min) : `${min}–${max}`;
}

/** Customers by R (rows, 5 first) and FM score (columns). */
function rfmGrid(grid: Record<string, unknown>[]): Table {
  const rows: Rows = [5, 4, 3, 2, 1].map((r) => {
    const row: Record<string, Cell> = { r: `R ${r}` };
    for (let fm = 1; fm <= 5; fm++) row[`fm${fm}`] = int(grid.find((g) => int(g.r) === r && int(g.fm) === fm)?.n);
    return row;
  });
  return {
    title: 'Customers by R and FM score',
    columns: [{ key: 'r', label: 'R \\ FM', kind: 'text' }, ...[1, 2, 3, 4, 5].map((fm) => ({ key: `fm${fm}`, label: `FM ${fm}`, kind: 'int' as const }))],
    rows,
  };
}
