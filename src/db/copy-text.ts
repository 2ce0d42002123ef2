/**
 * PostgreSQL COPY text format: one line per row, tab between columns, \N for null.
 * Backslash, tab, newline and carriage return inside values must be escaped.
 */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value;
}

/** A text[] value as a COPY field: {"a","b"} with array quoting, then COPY escaping. */
export function copyTextArray(values: readonly string[]): string {
  if (values.length === 0) return '{}';
  const items = values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`);
  return copyText(`{${items.join(',')}}`);
}
