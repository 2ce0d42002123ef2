import { stringify } from 'csv-stringify/sync';
import type { Cell, Report, Table } from '../types.js';

/**
 * CSV keeps raw values (12.3, not "12.3 %") so a spreadsheet can sort and sum them; null is an
 * empty cell. Charts are not exported: their data comes from the same SQL as the tables.
 */
function cells(table: Table): string[][] {
  return table.rows.map((row) => table.columns.map((c) => csvCell(row[c.key])));
}

function csvCell(value: Cell | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * Every table of the report in one CSV: each table starts with its own header row and every
 * row carries its section and table title, so a spreadsheet filter on those two columns
 * isolates one table. Tables have different columns, hence a blank line between them
 * (parse with relax_column_count and skip_empty_lines).
 */
export function renderCsv(report: Report): string {
  const blocks: string[] = [];
  for (const section of report.sections) {
    for (const table of section.tables) {
      const header = ['Section', 'Table', ...table.columns.map((c) => c.label)];
      const rows = cells(table).map((r) => [section.title, table.title, ...r]);
      blocks.push(stringify([header, ...rows]));
    }
  }
  return blocks.join('\n');
}

export interface CsvFile {
  /** A file name from section and table title: lowercase, [a-z0-9-], unique within the report. */
  name: string;
  csv: string;
}

const slug = (s: string): string =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'table';

/** One rectangular CSV per table (header = column labels), for tools that want one table per file. */
export function renderCsvFiles(report: Report): CsvFile[] {
  const files: CsvFile[] = [];
  const used = new Set<string>();
  for (const section of report.sections) {
    for (const table of section.tables) {
      const base = `${slug(section.title)}--${slug(table.title)}`;
      let name = `${base}.csv`;
      for (let n = 2; used.has(name); n++) name = `${base}-${n}.csv`;
      used.add(name);
      const header = table.columns.map((c) => c.label);
      files.push({ name, csv: stringify([header, ...cells(table)]) });
    }
  }
  return files;
}
