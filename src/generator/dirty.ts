import { csvCell, csvLine } from './csv.js';
import { formatParts } from './dates.js';
import type { SiloSpec } from './silos/index.js';

/**
 * Rows a strict importer must reject. Each is an extra copy of a real person's record,
 * broken in one way, so the clean records (and every count in facts.json) stay intact.
 */
export const DIRTY_KINDS = ['missing_column', 'extra_column', 'broken_quote', 'blank_key', 'impossible_date'] as const;
export type DirtyKind = (typeof DIRTY_KINDS)[number];

/**
 * The raw line for a dirty row (no line ending). `cells` is the rendered clean record;
 * `birthYear` is used to write 31 February in the silo's own date format.
 */
export function dirtyLine(kind: DirtyKind, spec: SiloSpec, cells: string[], birthYear: number): string {
  const d = spec.dialect.delimiter;
  const row = [...cells];
  switch (kind) {
    case 'missing_column':
      // The last cell is lost, as when an export truncates a line.
      return csvLine(row.slice(0, -1), d);
    case 'extra_column': {
      // A stray delimiter inside an unquoted value splits it in two.
      const i = spec.header.indexOf(spec.nameColumn);
      const value = row[i] as string;
      const cut = Math.max(1, Math.floor(value.length / 2));
      row.splice(i, 1, value.slice(0, cut), value.slice(cut) || 'x');
      return csvLine(row, d);
    }
    case 'broken_quote': {
      // A quoted value with an unescaped quote inside: "Mc"Donald". Strict CSV parsers
      // reject just this record; the rest of the file parses normally.
      const i = spec.header.indexOf(spec.nameColumn);
      const value = (row[i] as string).replaceAll('"', '') || 'Doe';
      // Put the stray quote between two letters, like a mistyped O"Brien.
      let cut = Math.max(1, Math.floor(value.length / 2));
      while (cut > 1 && !(/\p{L}/u.test(value[cut - 1] as string) && /\p{L}/u.test(value[cut] as string))) cut--;
      return row.map((cell, j) => (j === i ? `"${value.slice(0, cut)}"${value.slice(cut)}"` : csvCell(cell, d))).join(d);
    }
    case 'blank_key':
      row[spec.header.indexOf(spec.keyColumn)] = '';
      return csvLine(row, d);
    case 'impossible_date':
      row[spec.header.indexOf(spec.birthColumn)] = formatParts(birthYear, 2, 31, spec.birthFormat);
      return csvLine(row, d);
  }
}
