import type { Queryable } from '../db/index.js';
import { UserError } from '../errors.js';
import type { ReportOptions } from './types.js';

/**
 * Small pieces the report queries share: bound parameters, option checks, the filters a
 * report names, value conversion and the percentage and NPS expressions. Values always travel
 * as parameters; only fixed SQL text and `$n` placeholders are put together here.
 */

/**
 * What reports read from: one snapshot (see inSnapshot). `others` are further sessions on the
 * same snapshot, for independent queries that can run at once.
 */
export interface ReportSource extends Queryable {
  readonly others?: readonly Queryable[] | undefined;
}

/**
 * Runs two independent reads: at once, on two sessions of the snapshot, where the source has a
 * second one; one after the other otherwise. On two cores a statement that runs on one (a
 * window, percentiles) then overlaps one that runs on both. Fails with the first error once
 * both have ended, so no query is left running on a session being closed.
 */
export async function atOnce<A, B>(db: ReportSource, a: (q: Queryable) => Promise<A>, b: (q: Queryable) => Promise<B>): Promise<[A, B]> {
  const other = db.others?.[0];
  if (other === undefined) return [await a(db), await b(db)];
  const [ra, rb] = await Promise.allSettled([a(db), b(other)]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/**
 * Whether customer_activity, each customer's activity totals kept by triggers (migration 0007),
 * holds exactly what a report as of `asOf` counts: it sums every activity, so it serves when no
 * customer's last activity is after that day.
 */
export async function totalsCover(db: Queryable, asOf: string): Promise<boolean> {
  const [row] = await db.query<{ covers: boolean }>('SELECT coalesce(max(last_at) < $1::date + 1, true) AS covers FROM customer_activity', [asOf]);
  return row?.covers === true;
}

/** Collects bound values and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];

  /** Binds a value and returns its placeholder (`$1`, `$2`, …). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Checks a YYYY-MM-DD calendar day given as an option; returns it unchanged. */
export function checkDay(name: string, value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = match === null ? undefined : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  // A day that does not exist (2025-02-30) rolls over into another one.
  if (day === undefined || day.toISOString().slice(0, 10) !== value) {
    throw new UserError(`${name} must be a calendar day as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

/** A non-empty option value, or undefined for a missing or blank one. */
export function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Report.filters: the options that narrowed the report, under the labels renderers print. */
export function reportFilters(options: ReportOptions, keys: readonly ('businessUnit' | 'segment' | 'from' | 'to')[]): Record<string, string> {
  const labels = { businessUnit: 'business unit', segment: 'segment', from: 'from', to: 'to' } as const;
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = given(options[key]);
    if (value !== undefined) out[labels[key]] = value;
  }
  return out;
}

/** A numeric value from the database (numeric arrives as text through pg), null kept. */
export function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Like num, with 0 for null. */
export function int(value: unknown): number {
  return num(value) ?? 0;
}

/** Human number for summary lines: 1,234 or 1,234.56. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** SQL: a percentage (12.3 = 12.3 %) of part in whole, unrounded, null when whole is 0. */
export function pctSql(part: string, whole: string): string {
  return `(100.0 * (${part}) / nullif(${whole}, 0))::float8`;
}

/** SQL: NPS (% promoters 9–10 minus % detractors 0–6) over the rows. */
export function npsSql(column: string): string {
  return `(100.0 * (count(*) FILTER (WHERE ${column} >= 9) - count(*) FILTER (WHERE ${column} <= 6)) / nullif(count(${column}), 0))::float8`;
}
