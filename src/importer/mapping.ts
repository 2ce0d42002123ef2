import { MULTI_COLUMN_FIELDS } from '../config/index.js';
import type { ImportTarget } from './targets.js';

/** Which cell feeds which canonical field, worked out once per file from its header. */
export interface ColumnPlan<F extends string> {
  keyIndex: number;
  width: number;
  cells: { index: number; field: F }[];
  /** Where each of `extraColumns` is, in the order given. */
  extraIndexes: number[];
}

export interface MappingProblem {
  column: string;
  message: string;
}

/**
 * Matches the configured headers against a file's header. A header matches exactly after
 * trimming, or case-insensitively when that is unambiguous.
 */
export function planColumns<F extends string>(
  header: readonly string[],
  keyColumn: string,
  columns: Readonly<Record<string, F | null>>,
  extraColumns: readonly string[] = [],
): ColumnPlan<F> | { problems: MappingProblem[] } {
  const trimmed = header.map((h) => h.trim());
  const problems: MappingProblem[] = [];
  const find = (name: string): number => {
    const exact = trimmed.indexOf(name);
    if (exact >= 0) return exact;
    const lower = name.toLowerCase();
    const matches = trimmed.flatMap((h, i) => (h.toLowerCase() === lower ? [i] : []));
    return matches.length === 1 ? matches[0]! : -1;
  };
  const found = `found: ${trimmed.join(', ') || '(empty header)'}`;
  const keyIndex = find(keyColumn);
  if (keyIndex < 0) problems.push({ column: keyColumn, message: `key column "${keyColumn}" is not in the header (${found})` });
  const extraIndexes = extraColumns.map((name) => {
    const index = find(name);
    if (index < 0) problems.push({ column: name, message: `column "${name}" is not in the header (${found})` });
    return index;
  });
  const cells: { index: number; field: F }[] = [];
  const seen = new Set<string>();
  for (const [name, field] of Object.entries(columns)) {
    const index = find(name);
    if (index < 0) {
      problems.push({ column: name, message: `column "${name}" is not in the header (${found})` });
      continue;
    }
    if (field === null) continue;
    if (seen.has(field) && !MULTI_COLUMN_FIELDS.has(field)) {
      problems.push({ column: name, message: `column "${name}": field "${field}" is already mapped from another column` });
    }
    seen.add(field);
    cells.push({ index, field });
  }
  if (problems.length > 0) return { problems };
  return { keyIndex, width: header.length, cells, extraIndexes };
}

/**
 * The plan for one import target; an activity file also needs its customer column, found at
 * `extraIndexes[0]`. Problems come back as messages naming the target and file.
 */
export function planTargetColumns(target: ImportTarget, header: readonly string[]): ColumnPlan<string> | { problems: string[] } {
  const extra = target.kind === 'activities' ? [target.config.customer.column] : [];
  const plan = planColumns<string>(header, target.config.key, target.config.columns, extra);
  if (!('problems' in plan)) return plan;
  const what = target.kind === 'customers' ? 'source' : 'activity file';
  return { problems: plan.problems.map((p) => `${what} "${target.name}", ${target.file}: ${p.message}`) };
}

/** The non-empty, trimmed cells of one row, grouped by canonical field in header order. */
export function pickFields<F extends string>(fields: readonly string[], plan: ColumnPlan<F>): Partial<Record<F, string[]>> {
  const raw: Partial<Record<F, string[]>> = {};
  for (const { index, field } of plan.cells) {
    const value = fields[index]?.trim();
    if (!value) continue;
    const list = raw[field];
    if (list) list.push(value);
    else raw[field] = [value];
  }
  return raw;
}
