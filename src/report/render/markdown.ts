import type { Report, Table } from '../types.js';
import { formatCell, isNumericKind, metaLine } from './format.js';

/**
 * Text from the data (names, labels) is escaped so it stays text: a backslash before markdown
 * punctuation (CommonMark allows it before any ASCII punctuation), so `<script>` is not raw
 * HTML, `|` does not split a cell and `*` does not start emphasis. Newlines would end a table
 * row or bullet, so they become spaces.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_{}[\]<>|&~#]/g, (c) => `\\${c}`)
    .replace(/^([+-]|\d+[.)])(?=\s|$)/, (m) => `\\${m}`);
}

export function renderMarkdownTable(table: Table): string[] {
  if (table.columns.length === 0) return [];
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [row(table.columns.map((c) => escapeMarkdown(c.label))), row(table.columns.map((c) => (isNumericKind(c.kind) ? '---:' : '---')))];
  for (const r of table.rows) out.push(row(table.columns.map((c) => escapeMarkdown(formatCell(r[c.key], c.kind)))));
  return out;
}

/** Headings, summary bullets and GitHub-style tables; charts are left to the HTML report. */
export function renderMarkdown(report: Report): string {
  const out = [`# ${escapeMarkdown(report.title)}`, '', `_${escapeMarkdown(metaLine(report.asOf, report.filters))}_`];
  for (const section of report.sections) {
    out.push('', `## ${escapeMarkdown(section.title)}`);
    if (section.summary.length > 0) out.push('', ...section.summary.map((s) => `- ${escapeMarkdown(s)}`));
    for (const table of section.tables) {
      out.push('', `### ${escapeMarkdown(table.title)}`, '');
      out.push(...(table.rows.length > 0 ? renderMarkdownTable(table) : ['_No rows._']));
    }
  }
  return `${out.join('\n')}\n`;
}
