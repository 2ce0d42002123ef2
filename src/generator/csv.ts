/** How one output file is written: the habits of the system that "exported" it. */
export interface CsvDialect {
  delimiter: string;
  eol: '\n' | '\r\n';
  encoding: 'utf-8' | 'windows-1252';
  /** Write a UTF-8 byte-order mark first (Excel-style exports). */
  bom: boolean;
}

export const PLAIN_CSV: CsvDialect = { delimiter: ',', eol: '\n', encoding: 'utf-8', bom: false };

/** Quotes a cell only when it has to (RFC 4180), as most exporters do. */
export function csvCell(value: string, delimiter: string): string {
  if (
    value.indexOf(delimiter) === -1 &&
    value.indexOf('"') === -1 &&
    value.indexOf('\n') === -1 &&
    value.indexOf('\r') === -1
  ) {
    return value;
  }
  return `"${value.replace(/"/g, '""')}"`;
}

/** One record without its line ending. */
export function csvLine(cells: readonly string[], delimiter: string): string {
  let line = csvCell(cells[0] ?? '', delimiter);
  for (let i = 1; i < cells.length; i++) line += delimiter + csvCell(cells[i] as string, delimiter);
  return line;
}
