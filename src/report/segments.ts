import type { SegmentFigure } from '../config/index.js';
import type { Queryable } from '../db/index.js';
import { UserError } from '../errors.js';
import { checkDay, fmt, given, int, num, Params, pctSql, reportFilters, totalsCover } from './sql.js';
import type { Cell, Column, Report, ReportOptions, Section, Table } from './types.js';

/**
 * The segments report: RFM scores and named segments, value tiers, how many business units
 * each customer uses (the cross-sell view) and churn risk. Every figure is aggregated in the
 * database in one statement built on a chain of CTEs (`scopeCtes`); Node only lays the rows out.
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
 * Each becomes a quintile score 1–5 among the customers with a purchase: the cut points are the
 * 20th, 40th, 60th and 80th percentiles (percentile_disc) and a customer scores 1 plus the
 * number of cut points its value is above, so the most recent, most frequent and
 * highest-spending fifth scores 5, and customers with equal figures always score the same
 * (with many ties a quintile can be larger or empty). FM = round((F + M) / 2), halves up.
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
  /** Segments of your own, shown beside the RFM ones (a customer may be in several). @default none */
  customSegments?: readonly CustomSegment[];
}

/** The figures a custom segment can test (config/fields.ts SEGMENT_FIGURES), and their columns in `scope`. */
export const CUSTOM_SEGMENT_FIELDS: Record<SegmentFigure, string> = {
  /** Days from the last order or transaction to the as-of day. */
  recencyDays: 'recency_days',
  /** Days from the last order, transaction or ticket to the as-of day. */
  daysSilent: 'days_silent',
  purchases: 'purchases',
  orders: 'orders',
  transactions: 'transactions',
  tickets: 'tickets',
  revenue: 'revenue',
  /** Mean CSAT (1–5) of the customer's survey answers. */
  csat: 'csat_mean',
  /** Mean likelihood to recommend (0–10) of the customer's survey answers. */
  nps: 'nps_mean',
  r: 'r',
  f: 'f',
  m: 'm',
  fm: 'fm',
  /** Number of business units the customer uses. */
  unitsUsed: 'units_used',
};

/** An inclusive range; either end may be left open. */
export interface Range {
  min?: number | undefined;
  max?: number | undefined;
}

/**
 * A segment declared in the config: the customers for whom every condition holds. A figure the
 * customer does not have (no purchase, no survey answer) fails its condition.
 */
export interface CustomSegment {
  name: string;
  where: { [K in SegmentFigure]?: Range | undefined } & {
    /** RFM segment is one of these. */
    segment?: readonly string[] | undefined;
    /** Value tier is one of these. */
    valueTier?: readonly string[] | undefined;
    /** Uses every one of these business units. */
    usesUnits?: readonly string[] | undefined;
    /** Uses none of these business units. */
    notUsesUnits?: readonly string[] | undefined;
  };
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
  customSegments: readonly CustomSegment[];
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
  const customSegments = settings.customSegments ?? [];
  const tierNames = [...valueTiers.map((t) => t.name), BELOW_TIERS, NO_PURCHASES];
  for (const c of customSegments) {
    if (seen.has(c.name) || [NO_PURCHASES, OTHER_SEGMENT].includes(c.name)) problems.push(`custom segment "${c.name}": the name is taken`);
    seen.add(c.name);
    const w = c.where;
    const conditions = Object.values(w).filter((v) => v !== undefined).length;
    if (conditions === 0) problems.push(`custom segment "${c.name}": "where" names no condition`);
    for (const field of Object.keys(CUSTOM_SEGMENT_FIELDS) as SegmentFigure[]) {
      const range = w[field];
      if (range !== undefined && range.min === undefined && range.max === undefined) problems.push(`custom segment "${c.name}": ${field} needs min or max`);
      if (range?.min !== undefined && range.max !== undefined && range.min > range.max) problems.push(`custom segment "${c.name}": ${field} min is above max`);
    }
    for (const name of w.segment ?? []) {
      if (!segmentNames(rules).includes(name)) problems.push(`custom segment "${c.name}": no RFM segment "${name}" (segments: ${segmentNames(rules).join(', ')})`);
    }
    for (const name of w.valueTier ?? []) {
      if (!tierNames.includes(name)) problems.push(`custom segment "${c.name}": no value tier "${name}" (tiers: ${tierNames.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new UserError(`segment settings: ${problems.join('; ')}`);
  return { churnDays, valueTiers, units: settings.units ?? [], rules, customSegments };
}

/** The RFM segment names, in report order. */
export function segmentNames(rules: readonly SegmentRule[] = SEGMENT_RULES): string[] {
  return [...rules.map((r) => r.name), OTHER_SEGMENT, NO_PURCHASES];
}

/** What a --segment filter may name: an RFM segment or a custom one. */
function filterNames(s: Resolved): string[] {
  return [...segmentNames(s.rules), ...s.customSegments.map((c) => c.name)];
}

const PURCHASE = "a.kind IN ('order', 'transaction')";
/** Activities that count as using a business unit (a survey answer does not). */
const USE = "a.kind IN ('order', 'transaction', 'ticket')";

/** Business units a customer-units bitmask can hold (bits of a bigint). */
const MAX_UNITS = 63;

/**
 * Every business unit named in the config or in the activities, sorted: unit i is bit i of a
 * customer's `units` mask. The units in activities are those of monthly_activity, the sums per
 * month, unit and kind that triggers keep exact (migration 0007): a few thousand rows at most.
 */
async function knownUnits(db: Queryable, s: Resolved): Promise<string[]> {
  const rows = await db.query<{ unit: string }>('SELECT DISTINCT business_unit AS unit FROM monthly_activity');
  const units = [...new Set([...s.units.map((u) => u.businessUnit), ...rows.map((r) => r.unit)])].sort();
  if (units.length > MAX_UNITS) throw new UserError(`the segments report handles up to ${MAX_UNITS} business units; the config and activities name ${units.length}`);
  return units;
}

/** The bitmask of some units (a bigint as text), 0 when none is known. */
function maskOf(units: readonly string[], names: readonly string[]): string {
  let mask = 0n;
  for (const name of names) {
    const i = units.indexOf(name);
    if (i >= 0) mask |= 1n << BigInt(i);
  }
  return mask.toString();
}

/**
 * The acts rows from customer_activity (migration 0007): the same figures, kept by triggers,
 * read in customer order instead of aggregated from every activity (0.6 s against 2.8 s on
 * 9.6M activities). `units` holds each known unit's placeholder, in bit order.
 */
function totalsActs(units: readonly string[]): string {
  const mask = units.length === 0 ? '0::bigint' : units.map((u, i) => `CASE WHEN t.units @> ARRAY[${u}::text] THEN ${2n ** BigInt(i)}::bigint ELSE 0 END`).join(' | ');
  return `
  SELECT t.customer_id, t.activities, t.orders + t.transactions AS purchases, t.orders, t.transactions, t.tickets, t.revenue,
    t.last_purchase::date AS last_purchase, t.last_use::date AS last_active, t.csat_n, t.csat_sum, t.nps_n, t.nps_sum,
    t.promoters, t.detractors, ${mask} AS units
  FROM customer_activity t
  ORDER BY t.customer_id`;
}

/** The kept totals serve a report over every unit as of a day after every activity. */
async function readsTotals(db: Queryable, options: ReportOptions): Promise<boolean> {
  return given(options.businessUnit) === undefined && (await totalsCover(db, options.asOf));
}

/**
 * The CTE chain every segments query starts with, ending in `scope`: one row per customer in
 * the report (after the business-unit and segment filters) with its activity figures, RFM
 * scores, segment, value tier and the business units it uses (`units`, a bitmask over
 * `unitList`). Also defines `unit_bits` (unit → bit).
 *
 * The per-customer figures are one aggregate over the activities grouped by customer. With the
 * covering index activities_customer (customer_id, occurred_at) INCLUDE (kind, business_unit,
 * amount, csat, nps) that is a parallel index-only scan already in customer order, aggregated
 * as it streams (3–4 s on 10M rows); a hash aggregate over the table took 10–13 s (1M groups
 * of 13 aggregates each). The quintile cut points are percentile_disc over the purchasing
 * customers: one sort per score instead of ranking every row three times. With `totals` the
 * figures are customer_activity's rows instead (totalsActs).
 *
 * Indexes: activities_customer (migrations/0004_report_customer_index.sql) for `acts`;
 * customer_sources_customer (0005) for `crosswalk_units`, also in customer order.
 */
function scopeCtes(p: Params, options: ReportOptions, s: Resolved, unitList: readonly string[], totals: boolean): string {
  const asOf = p.add(options.asOf);
  const unit = given(options.businessUnit);
  const unitParam = unit === undefined ? undefined : p.add(unit);
  const segment = given(options.segment);
  const unitsArray = p.add(unitList);
  const bit = (column: string) => `(1::bigint << (array_position(${unitsArray}::text[], ${column}) - 1))`;
  // The figures count the filtered unit's activities only.
  const only = (condition: string) =>
    unitParam === undefined ? (condition === 'true' ? '' : ` FILTER (WHERE ${condition})`) : ` FILTER (WHERE a.business_unit = ${unitParam} AND ${condition})`;
  const custom = segment === undefined ? undefined : s.customSegments.find((c) => c.name === segment);
  return `
unit_bits AS (
  SELECT ub.business_unit, 1::bigint << (ub.i::int - 1) AS bit FROM unnest(${unitsArray}::text[]) WITH ORDINALITY AS ub(business_unit, i)
),
-- Each customer's activities up to the as-of day (of the filtered unit): one aggregate in
-- customer order, or without a unit filter the kept totals when they hold just those. A
-- customer uses a unit when it has an order, transaction or ticket in it (a survey answer is
-- no use of a unit), or a crosswalk record from one of its sources.
acts AS (${totals ? totalsActs(unitList.map((u) => p.add(u))) : `
  SELECT a.customer_id,
    count(*)${only('true')}::int AS activities,
    count(*)${only(PURCHASE)}::int AS purchases,
    count(*)${only("a.kind = 'order'")}::int AS orders,
    count(*)${only("a.kind = 'transaction'")}::int AS transactions,
    count(*)${only("a.kind = 'ticket'")}::int AS tickets,
    coalesce(sum(a.amount)${only(PURCHASE)}, 0) AS revenue,
    max(a.occurred_at)${only(PURCHASE)}::date AS last_purchase,
    max(a.occurred_at)${only(USE)}::date AS last_active,
    count(a.csat)${only('true')}::int AS csat_n,
    coalesce(sum(a.csat)${only('true')}, 0)::int AS csat_sum,
    count(a.nps)${only('true')}::int AS nps_n,
    coalesce(sum(a.nps)${only('true')}, 0)::int AS nps_sum,
    count(*)${only('a.nps >= 9')}::int AS promoters,
    count(*)${only('a.nps <= 6')}::int AS detractors,
    -- every unit used, also with a business-unit filter: the cross-sell view of its customers
    coalesce(bit_or(${bit('a.business_unit')}) FILTER (WHERE ${USE}), 0) AS units
  FROM activities a
  WHERE a.customer_id IS NOT NULL AND a.occurred_at < ${asOf}::date + 1
  GROUP BY a.customer_id
  -- in customer order: the parallel partial aggregates are merged as they stream (a hash
  -- over a million groups took 1.4 s more), and customers, activities and crosswalk are
  -- merge-joined (1 s less than hashing them)
  ORDER BY a.customer_id`}
),
-- Each source's unit bit looked up by position (a source not in the config adds none), so the
-- aggregate streams in index order with no join.
crosswalk_units AS (
  SELECT cs.customer_id,
    coalesce(bit_or((${p.add(s.units.map((u) => maskOf(unitList, [u.businessUnit])))}::bigint[])[array_position(${p.add(s.units.map((u) => u.source))}::text[], cs.source)]), 0) AS units
  FROM customer_sources cs
  GROUP BY cs.customer_id
  ORDER BY cs.customer_id
),
-- Every customer (with a business unit: those who use it or have any activity in it), with its
-- figures; no activity gives zeros.
population AS (
  SELECT c.id AS customer_id, coalesce(a.units, 0) | coalesce(x.units, 0) AS units,
    coalesce(a.activities, 0) AS activities, coalesce(a.purchases, 0) AS purchases, coalesce(a.orders, 0) AS orders,
    coalesce(a.transactions, 0) AS transactions, coalesce(a.tickets, 0) AS tickets, coalesce(a.revenue, 0) AS revenue,
    a.last_purchase, a.last_active, coalesce(a.csat_n, 0) AS csat_n, coalesce(a.csat_sum, 0) AS csat_sum,
    coalesce(a.nps_n, 0) AS nps_n, coalesce(a.nps_sum, 0) AS nps_sum, coalesce(a.promoters, 0) AS promoters, coalesce(a.detractors, 0) AS detractors
  FROM customers c LEFT JOIN acts a ON a.customer_id = c.id LEFT JOIN crosswalk_units x ON x.customer_id = c.id
  ${unitParam === undefined ? '' : `WHERE a.activities > 0 OR (coalesce(x.units, 0) & ${bit(unitParam)}) <> 0`}
),
-- Quintile cut points among the customers with a purchase: a score is 1 + the number of cut
-- points the customer's value is above (later last purchase, more purchases, more revenue).
-- width_bucket counts the bounds at or below a value, so the bounds are the cut points moved
-- up by one step of the value: a day, a purchase, a cent (amounts are whole cents).
cuts AS (
  SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY last_purchase) AS r,
    percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY purchases) AS f,
    percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY revenue) AS m
  FROM population WHERE purchases > 0
),
bounds AS (
  SELECT ARRAY[r[1] + 1, r[2] + 1, r[3] + 1, r[4] + 1] AS r, ARRAY[f[1] + 1, f[2] + 1, f[3] + 1, f[4] + 1] AS f,
    ARRAY[m[1] + 0.01, m[2] + 0.01, m[3] + 0.01, m[4] + 0.01] AS m
  FROM cuts
),
${scoringCtes(p, s, asOf, 'population', 'scored', 'segmented')},
-- Not materialized: each reader computes the scores as it streams (writing a million wide rows
-- to a tuplestore cost more than computing them twice).
scope AS NOT MATERIALIZED (
  SELECT * FROM segmented${segment === undefined ? '' : ` WHERE ${custom === undefined ? `segment = ${p.add(segment)}` : customCondition(p, custom, unitList)}`}
)`;
}

/**
 * SQL: the CTEs `scored` and `segmented` (as named) over the customers of `from`, a CTE with
 * `population`'s columns: their RFM scores against `bounds`, segment and value tier.
 */
function scoringCtes(p: Params, s: Resolved, asOf: string, from: string, scored: string, segmented: string): string {
  // The segment of each R × FM cell (first matching rule), looked up by (r - 1) * 5 + fm.
  const cells: string[] = [];
  for (let r = 1; r <= 5; r++) {
    for (let fm = 1; fm <= 5; fm++) {
      cells.push(s.rules.find((rule) => r >= rule.r[0] && r <= rule.r[1] && fm >= rule.fm[0] && fm <= rule.fm[1])?.name ?? OTHER_SEGMENT);
    }
  }
  // Highest tier first; equal minimums keep the config's order.
  const tiers = s.valueTiers.map((t, i) => ({ ...t, i })).sort((a, b) => b.minRevenue - a.minRevenue || a.i - b.i);
  const score = (column: string, bound: string) => `CASE WHEN pp.purchases > 0 THEN 1 + width_bucket(pp.${column}, bounds.${bound}) END`;
  return `${scored} AS (
  SELECT pp.*, ${asOf}::date - pp.last_purchase AS recency_days, ${asOf}::date - pp.last_active AS days_silent,
    bit_count(pp.units::bit(64))::int AS units_used,
    (pp.csat_sum::numeric / nullif(pp.csat_n, 0))::float8 AS csat_mean,
    (pp.nps_sum::numeric / nullif(pp.nps_n, 0))::float8 AS nps_mean,
    ${score('last_purchase', 'r')} AS r, ${score('purchases', 'f')} AS f, ${score('revenue', 'm')} AS m
  FROM ${from} pp CROSS JOIN bounds
  -- a fence: flattened into its readers, each use of r, f and m below would compute its
  -- width_bucket again (1 s more on a million customers)
  OFFSET 0
),
${segmented} AS (
  SELECT sc.*, (sc.f + sc.m + 1) / 2 AS fm,
    CASE WHEN sc.purchases = 0 THEN ${p.add(NO_PURCHASES)}::text ELSE (${p.add(cells)}::text[])[(sc.r - 1) * 5 + (sc.f + sc.m + 1) / 2] END AS segment,
    CASE WHEN sc.purchases = 0 THEN ${p.add(NO_PURCHASES)}::text
      ${tiers.map((t) => `WHEN sc.revenue >= ${p.add(t.minRevenue)}::numeric THEN ${p.add(t.name)}::text`).join('\n      ')}
      ELSE ${p.add(BELOW_TIERS)}::text END AS tier
  FROM ${scored} sc
)`;
}

/** SQL: whether a `scope` row is in a custom segment (all its conditions hold; a null figure fails). */
function customCondition(p: Params, custom: CustomSegment, unitList: readonly string[]): string {
  const parts: string[] = [];
  const w = custom.where;
  for (const [field, column] of Object.entries(CUSTOM_SEGMENT_FIELDS) as [SegmentFigure, string][]) {
    const range = w[field];
    if (range?.min !== undefined) parts.push(`${column} >= ${p.add(range.min)}::numeric`);
    if (range?.max !== undefined) parts.push(`${column} <= ${p.add(range.max)}::numeric`);
  }
  if (w.segment !== undefined) parts.push(`segment = ANY (${p.add(w.segment)}::text[])`);
  if (w.valueTier !== undefined) parts.push(`tier = ANY (${p.add(w.valueTier)}::text[])`);
  if (w.usesUnits !== undefined) {
    // A unit nobody uses has no bit: then no customer uses it.
    const mask = w.usesUnits.every((u) => unitList.includes(u)) ? p.add(maskOf(unitList, w.usesUnits)) : undefined;
    parts.push(mask === undefined ? 'false' : `(units & ${mask}::bigint) = ${mask}::bigint`);
  }
  if (w.notUsesUnits !== undefined) parts.push(`(units & ${p.add(maskOf(unitList, w.notUsesUnits))}::bigint) = 0`);
  return parts.length === 0 ? 'true' : `(${parts.join(' AND ')})`;
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
  const unitList = await knownUnits(db, s);
  const p = new Params();
  const rows = await db.query<Record<string, unknown>>(
    `WITH ${scopeCtes(p, options, s, unitList, await readsTotals(db, options))}
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
  if (segment !== undefined && !filterNames(s).includes(segment)) {
    throw new UserError(`--segment: no segment "${segment}" (segments: ${filterNames(s).join(', ')})`);
  }
}

type Rows = Record<string, Cell>[];

function cells(rows: Record<string, unknown>[]): Rows {
  return rows as Rows;
}

/**
 * SQL: the `cube` CTE, the scope summed by every key a part groups by (RFM scores, tier, the
 * units used, the custom segments a customer is in). A few thousand rows at most, whatever the
 * number of customers, so the parts below read the million customers once.
 */
function cubeCte(p: Params, options: ReportOptions, s: Resolved, unitList: readonly string[]): string {
  const cutoff = `${p.add(options.asOf)}::date - ${p.add(s.churnDays)}::int`;
  const custom =
    s.customSegments.length === 0 ? "'{}'::boolean[]" : `ARRAY[${s.customSegments.map((c) => customCondition(p, c, unitList)).join(', ')}]::boolean[]`;
  return `cube AS (
  SELECT segment, tier, r, f, m, fm, units, ${custom} AS custom,
    count(*) AS customers,
    count(*) FILTER (WHERE activities = 0) AS without_activity,
    sum(revenue) AS revenue, sum(purchases) AS purchases, sum(orders) AS orders, sum(transactions) AS transactions, sum(tickets) AS tickets,
    sum(csat_sum) AS csat_sum, sum(csat_n) AS csat_n, sum(promoters) AS promoters, sum(detractors) AS detractors, sum(nps_n) AS nps_n,
    min(recency_days) AS recency_lo, max(recency_days) AS recency_hi, min(purchases) AS purchases_lo, max(purchases) AS purchases_hi,
    min(revenue) AS revenue_lo, max(revenue) AS revenue_hi,
    count(*) FILTER (WHERE last_active IS NOT NULL) AS ever_active,
    count(*) FILTER (WHERE last_active < ${cutoff}) AS at_risk,
    sum(revenue) FILTER (WHERE last_active < ${cutoff}) AS revenue_at_risk
  FROM scope
  GROUP BY segment, tier, r, f, m, fm, units, 8
)`;
}

/** SQL: a segment table row's figures summed over some `cube` rows. */
const SEGMENT_FIGURES_SQL = `sum(customers)::int AS customers, round(coalesce(sum(revenue), 0), 2)::float8 AS revenue,
    coalesce(sum(purchases), 0)::int AS orders, coalesce(sum(tickets), 0)::int AS tickets,
    (sum(csat_sum) / nullif(sum(csat_n), 0))::float8 AS csat,
    (100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(nps_n), 0))::float8 AS nps`;

/**
 * The report's parts, each one SELECT over `cube` (and `masks`, `all_units`, `rules`) with an
 * `_ord` column giving its row order; only the churn list reads customers. They run as one
 * statement (see segmentsReport), so the per-customer figures are computed once.
 */
function reportParts(p: Params, options: ReportOptions, s: Resolved): Record<string, string> {
  const asOf = p.add(options.asOf);
  const churnDays = p.add(s.churnDays);
  const noPurchases = p.add(NO_PURCHASES);
  const other = p.add(OTHER_SEGMENT);
  const below = p.add(BELOW_TIERS);
  const unfiltered = given(options.segment) === undefined;
  return {
    totals: `SELECT 1 AS _ord, coalesce(sum(customers), 0)::int AS customers,
    coalesce(sum(customers) FILTER (WHERE r IS NOT NULL), 0)::int AS purchasing,
    coalesce(sum(without_activity), 0)::int AS without_activity,
    round(coalesce(sum(revenue), 0), 2)::float8 AS revenue,
    coalesce(sum(orders), 0)::int AS orders,
    coalesce(sum(transactions), 0)::int AS transactions,
    coalesce(sum(tickets), 0)::int AS tickets,
    (sum(csat_sum) / nullif(sum(csat_n), 0))::float8 AS csat,
    (100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(nps_n), 0))::float8 AS nps
  FROM cube`,

    segments: `WITH names AS (
    SELECT name, ord FROM rules UNION ALL SELECT ${other}::text, 1000 UNION ALL SELECT ${noPurchases}::text, 1001
  ),
  agg AS (SELECT segment, ${SEGMENT_FIGURES_SQL} FROM cube GROUP BY segment)
  SELECT n.ord AS _ord, n.name AS segment, coalesce(g.customers, 0) AS customers,
    ${pctSql('coalesce(g.customers, 0)', 'sum(coalesce(g.customers, 0)) OVER ()')} AS share,
    coalesce(g.revenue, 0) AS revenue, coalesce(g.orders, 0) AS orders, coalesce(g.tickets, 0) AS tickets, g.csat, g.nps
  FROM names n LEFT JOIN agg g ON g.segment = n.name`,

    // r is null exactly for the customers without a purchase
    grid: `SELECT row_number() OVER (ORDER BY r DESC, fm) AS _ord, r, fm, sum(customers)::int AS n FROM cube WHERE r IS NOT NULL GROUP BY r, fm`,

    ranges: `WITH rr AS (SELECT r AS score, sum(customers)::int AS n, min(recency_lo) AS lo, max(recency_hi) AS hi FROM cube WHERE r IS NOT NULL GROUP BY r),
    ff AS (SELECT f AS score, min(purchases_lo) AS lo, max(purchases_hi) AS hi FROM cube WHERE r IS NOT NULL GROUP BY f),
    mm AS (SELECT m AS score, min(revenue_lo) AS lo, max(revenue_hi) AS hi FROM cube WHERE r IS NOT NULL GROUP BY m)
  SELECT 6 - g.score AS _ord, g.score, coalesce(rr.n, 0) AS r_customers, rr.lo AS r_min, rr.hi AS r_max, ff.lo AS f_min, ff.hi AS f_max,
    round(mm.lo, 2)::float8 AS m_min, round(mm.hi, 2)::float8 AS m_max
  FROM generate_series(1, 5) AS g(score) LEFT JOIN rr ON rr.score = g.score LEFT JOIN ff ON ff.score = g.score LEFT JOIN mm ON mm.score = g.score`,

    custom:
      s.customSegments.length === 0
        ? 'SELECT 1 AS _ord WHERE false'
        : `SELECT i AS _ord, (${p.add(s.customSegments.map((c) => c.name))}::text[])[i] AS segment,
    coalesce(sum(c.customers) FILTER (WHERE c.custom[i]), 0)::int AS customers,
    ${pctSql('coalesce(sum(c.customers) FILTER (WHERE c.custom[i]), 0)', 'coalesce(sum(c.customers), 0)')} AS share,
    round(coalesce(sum(c.revenue) FILTER (WHERE c.custom[i]), 0), 2)::float8 AS revenue,
    coalesce(sum(c.purchases) FILTER (WHERE c.custom[i]), 0)::int AS orders,
    coalesce(sum(c.tickets) FILTER (WHERE c.custom[i]), 0)::int AS tickets,
    (sum(c.csat_sum) FILTER (WHERE c.custom[i]) / nullif(sum(c.csat_n) FILTER (WHERE c.custom[i]), 0))::float8 AS csat,
    (100.0 * (sum(c.promoters) FILTER (WHERE c.custom[i]) - sum(c.detractors) FILTER (WHERE c.custom[i]))
      / nullif(sum(c.nps_n) FILTER (WHERE c.custom[i]), 0))::float8 AS nps
  FROM generate_series(1, ${s.customSegments.length}) AS i LEFT JOIN cube c ON true
  GROUP BY i`,

    tiers: `WITH tiers AS (
    SELECT * FROM unnest(${p.add(s.valueTiers.map((v) => v.name))}::text[], ${p.add(s.valueTiers.map((v) => v.minRevenue))}::numeric[])
      WITH ORDINALITY AS t(name, min_revenue, ord)
  ),
  agg AS (SELECT tier, sum(customers) AS customers, sum(revenue) AS revenue FROM cube GROUP BY tier),
  names AS (
    SELECT name, min_revenue, ord FROM tiers UNION ALL SELECT ${below}::text, NULL, 1000 UNION ALL SELECT ${noPurchases}::text, NULL, 1001
  )
  SELECT row_number() OVER (ORDER BY n.min_revenue DESC NULLS LAST, n.ord) AS _ord,
    n.name AS tier, n.min_revenue::float8 AS min_revenue, coalesce(g.customers, 0)::int AS customers,
    ${pctSql('coalesce(g.customers, 0)', 'sum(coalesce(g.customers, 0)) OVER ()')} AS share,
    round(coalesce(g.revenue, 0), 2)::float8 AS revenue,
    ${pctSql('coalesce(g.revenue, 0)', 'sum(coalesce(g.revenue, 0)) OVER ()')} AS revenue_share,
    round(g.revenue / nullif(g.customers, 0), 2)::float8 AS per_customer
  FROM names n LEFT JOIN agg g ON g.tier = n.name`,

    holdings: `WITH held AS (SELECT bit_count(units::bit(64))::int AS units, sum(n)::int AS customers FROM masks GROUP BY 1)
  SELECT g.units AS _ord, g.units, coalesce(h.customers, 0) AS customers,
    ${pctSql('coalesce(h.customers, 0)', '(SELECT sum(n) FROM masks)')} AS share
  FROM generate_series(0, greatest((SELECT count(*) FROM all_units), (SELECT coalesce(max(units), 0) FROM held))) AS g(units)
  LEFT JOIN held h ON h.units = g.units
  WHERE g.units > 0 OR h.customers > 0`,

    perUnit: `SELECT row_number() OVER (ORDER BY coalesce(sum(m.n) FILTER (WHERE m.units & au.bit <> 0), 0) DESC, au.business_unit) AS _ord,
    au.business_unit, coalesce(sum(m.n) FILTER (WHERE m.units & au.bit <> 0), 0)::int AS customers,
    ${pctSql('coalesce(sum(m.n) FILTER (WHERE m.units & au.bit <> 0), 0)', '(SELECT sum(n) FROM masks)')} AS share,
    coalesce(sum(m.n) FILTER (WHERE m.units = au.bit), 0)::int AS only_this
  FROM all_units au LEFT JOIN masks m ON true
  GROUP BY au.business_unit, au.bit`,

    pairs: `WITH both_units AS (
    SELECT ua.business_unit AS unit_a, ub.business_unit AS unit_b,
      coalesce(sum(m.n) FILTER (WHERE m.units & (ua.bit | ub.bit) = (ua.bit | ub.bit)), 0)::int AS customers,
      coalesce(sum(m.n) FILTER (WHERE m.units & ua.bit <> 0), 0) AS in_a,
      coalesce(sum(m.n) FILTER (WHERE m.units & ub.bit <> 0), 0) AS in_b
    FROM all_units ua JOIN all_units ub ON ua.business_unit < ub.business_unit LEFT JOIN masks m ON true
    GROUP BY ua.business_unit, ub.business_unit
  )
  SELECT row_number() OVER (ORDER BY customers DESC, unit_a, unit_b) AS _ord, unit_a, unit_b, customers,
    ${pctSql('customers', 'in_a')} AS share_of_a,
    ${pctSql('customers', 'in_b')} AS share_of_b
  FROM both_units`,

    churn: `SELECT 1 AS _ord, ${asOf}::date - ${churnDays}::int AS cutoff,
    coalesce(sum(ever_active), 0)::int AS ever_active,
    coalesce(sum(at_risk), 0)::int AS at_risk,
    round(coalesce(sum(revenue_at_risk), 0), 2)::float8 AS revenue_at_risk,
    round(coalesce(sum(revenue), 0), 2)::float8 AS revenue
  FROM cube`,

    // The top of the list first (a top-N sort), then their names. Without a segment filter the
    // list is picked from the unscored customers and only its rows are scored: picking it from
    // `scope` scored every customer a second time (1.4 s on a million).
    churnList: `${
      unfiltered
        ? `WITH churn_top AS (
    SELECT * FROM population WHERE last_active < ${asOf}::date - ${churnDays}::int
    ORDER BY revenue DESC, customer_id LIMIT ${p.add(CHURN_LIST)}
  ),
  ${scoringCtes(p, s, asOf, 'churn_top', 'churn_scored', 'churn_segmented')}
  `
        : ''
    }SELECT row_number() OVER (ORDER BY r.revenue DESC, r.customer_id) AS _ord,
    r.customer_id, nullif(concat_ws(' ', cu.given_name, cu.family_name), '') AS name, r.segment, r.last_active,
    ${asOf}::date - r.last_active AS days_silent,
    round(r.revenue, 2)::float8 AS revenue, r.purchases AS orders, r.tickets
  FROM (
    SELECT customer_id, segment, last_active, revenue, purchases, tickets FROM ${unfiltered ? 'churn_segmented' : 'scope'}
    WHERE last_active < ${asOf}::date - ${churnDays}::int
    ORDER BY revenue DESC, customer_id LIMIT ${p.add(CHURN_LIST)}
  ) r JOIN customers cu ON cu.id = r.customer_id`,
  };
}

/** Builds the segments report: one statement, whose parts come back as JSON arrays of rows. */
export async function segmentsReport(db: Queryable, options: ReportOptions, settings: SegmentSettings = {}): Promise<Report> {
  const s = resolveSettings(settings);
  checkOptions(options, s);
  const p = new Params();
  const unitList = await knownUnits(db, s);
  const base = scopeCtes(p, options, s, unitList, await readsTotals(db, options));
  const cube = cubeCte(p, options, s, unitList);
  const parts = reportParts(p, options, s);
  const [result] = await db.query<Record<string, unknown>>(
    `WITH ${base},
${cube},
rules AS (SELECT rl.name, rl.ord FROM unnest(${p.add(s.rules.map((r) => r.name))}::text[]) WITH ORDINALITY AS rl(name, ord)),
-- Customers in scope by the set of units they use (a handful of distinct sets): every unit
-- figure is a sum over these.
masks AS (SELECT units, sum(customers) AS n FROM cube GROUP BY units),
-- The units shown: those of the config's sources and those anyone uses.
all_units AS (
  SELECT ub.business_unit, ub.bit FROM unit_bits ub
  WHERE ub.business_unit = ANY (${p.add(s.units.map((u) => u.businessUnit))}::text[]) OR ub.bit & (SELECT bit_or(units) FROM masks) <> 0
)
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
  const filter = given(options.segment);
  const rfmFilter = filter !== undefined && segmentNames(s.rules).includes(filter) ? filter : undefined;
  // Every rule's row is shown (zeros too); "Other" only when someone is in it; filtered by an
  // RFM segment only that segment (a custom one shows how its members spread over them).
  const shownSegments = segmentRows.filter((r) =>
    rfmFilter !== undefined ? r.segment === rfmFilter : r.segment !== OTHER_SEGMENT || int(r.customers) > 0,
  );
  const customRows = part('custom');
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
        columns: segmentColumns,
        rows: cells(shownSegments),
      },
      ...(s.customSegments.length === 0
        ? []
        : [
            {
              title: 'Custom segments (from the config; a customer may be in several)',
              columns: segmentColumns,
              rows: cells(customRows),
            },
          ]),
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

/** The columns of the segments and custom segments tables. */
const segmentColumns: Column[] = [
  { key: 'segment', label: 'segment', kind: 'text' },
  { key: 'customers', label: 'customers', kind: 'int' },
  { key: 'share', label: 'share', kind: 'percent' },
  { key: 'revenue', label: 'revenue', kind: 'money' },
  { key: 'orders', label: 'orders + transactions', kind: 'int' },
  { key: 'tickets', label: 'tickets', kind: 'int' },
  { key: 'csat', label: 'mean CSAT', kind: 'number' },
  { key: 'nps', label: 'NPS', kind: 'number' },
];

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
