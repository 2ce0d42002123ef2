import type { Cell, ColumnKind } from '../types.js';

/**
 * How a cell reads for people, shared by the text, markdown and HTML renderers (CSV and JSON
 * keep raw values so spreadsheets and programs can compute with them).
 *
 * Conventions: `percent` cells are percentages (12.3 means 12.3 %, like a chart with unit "%"),
 * `money` has no currency symbol (reports mix business units), `days`/`hours` are durations.
 */

/** Shown for null, a missing key or a value that is not a number in a numeric column. */
export const NULL_TEXT = '–';

const NUMERIC: ReadonlySet<ColumnKind> = new Set(['int', 'number', 'percent', 'money', 'days', 'hours']);

/** Numeric columns are right-aligned in every human format. */
export function isNumericKind(kind: ColumnKind): boolean {
  return NUMERIC.has(kind);
}

function decimals(n: number, min: number, max: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
}

/** A number from a cell: PostgreSQL's numeric and bigint arrive as strings through pg, so those count too. */
export function cellNumber(value: Cell | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function formatCell(value: Cell | undefined, kind: ColumnKind): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (kind === 'text' || kind === 'date') return String(value);
  const n = cellNumber(value);
  if (n === null) return typeof value === 'string' && value !== '' ? value : NULL_TEXT;
  switch (kind) {
    case 'int':
      return decimals(Math.round(n), 0, 0);
    case 'number':
      return decimals(n, 0, 2);
    case 'percent':
      return `${decimals(n, 1, 1)} %`;
    case 'money':
      return decimals(n, 2, 2);
    case 'days':
      return `${decimals(n, 0, 1)} d`;
    case 'hours':
      return `${decimals(n, 0, 1)} h`;
  }
}

/** Short numbers for axis ticks and sparkline ends: 950, 1,200, 12K, 3.4M. */
export function formatCompact(n: number): string {
  if (Math.abs(n) >= 10_000) return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  return decimals(n, 0, Math.abs(n) < 10 ? 2 : 1);
}

/** "as of 2024-06-30 · business unit: retail" — the line every human format puts under the title. */
export function metaLine(asOf: string, filters: Record<string, string>): string {
  const parts = [`as of ${asOf}`, ...Object.keys(filters).sort().map((k) => `${k}: ${filters[k]}`)];
  return parts.join(' · ');
}
