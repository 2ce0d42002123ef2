import type { Chart, Report, Table } from '../types.js';
import { cellNumber, formatCell, formatCompact, isNumericKind, metaLine } from './format.js';

/** Width in characters as a terminal counts them (code points, so "–" is one). */
const width = (s: string): number => [...s].length;
const pad = (s: string, w: number, right: boolean): string => {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
};

/** One table as aligned columns under a rule; newlines in cells would break the grid, so they become spaces. */
export function renderTextTable(table: Table, indent = '  '): string[] {
  const right = table.columns.map((c) => isNumericKind(c.kind));
  const header = table.columns.map((c) => c.label);
  const body = table.rows.map((row) => table.columns.map((c) => formatCell(row[c.key], c.kind).replace(/\s*[\r\n]+\s*/g, ' ')));
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => indent + cells.map((c, i) => pad(c, widths[i] ?? 0, right[i] ?? false)).join('  ').trimEnd();
  const out = [`${indent}${table.title}`, line(header), indent + widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const r of body) out.push(line(r));
  if (table.rows.length === 0) out.push(`${indent}(no rows)`);
  return out;
}

const TICKS = '▁▂▃▄▅▆▇█';

/** A line chart as one sparkline per series: the shape of a trend without leaving the terminal. */
function sparklines(chart: Chart, indent: string): string[] {
  const all = chart.series.flatMap((s) => s.values.map((v) => cellNumber(v)).filter((v): v is number => v !== null));
  if (all.length === 0) return [];
  const lo = Math.min(...all);
  const span = Math.max(...all) - lo;
  const unit = chart.unit ? ` ${chart.unit}` : '';
  const nameWidth = Math.max(...chart.series.map((s) => width(s.name)));
  const out = [`${indent}${chart.title} (${chart.x[0] ?? ''} … ${chart.x[chart.x.length - 1] ?? ''})`];
  for (const s of chart.series) {
    const nums = s.values.map((v) => cellNumber(v));
    const marks = nums.map((v) => (v === null ? ' ' : TICKS[span === 0 ? 3 : Math.round(((v - lo) / span) * (TICKS.length - 1))]));
    const last = [...nums].reverse().find((v) => v !== null);
    out.push(`${indent}  ${pad(s.name, nameWidth, false)}  ${marks.join('')}  ${last == null ? '' : `${formatCompact(last)}${unit}`}`.trimEnd());
  }
  return out;
}

/** The report for a terminal: title, then per section its summary, line-chart sparklines and tables. */
export function renderTable(report: Report): string {
  const out = [report.title, metaLine(report.asOf, report.filters)];
  for (const section of report.sections) {
    out.push('', section.title, '─'.repeat(width(section.title)));
    for (const s of section.summary) out.push(`  • ${s}`);
    for (const chart of section.charts) {
      if (chart.kind === 'line') {
        const lines = sparklines(chart, '  ');
        if (lines.length > 0) out.push('', ...lines);
      }
    }
    for (const table of section.tables) out.push('', ...renderTextTable(table));
  }
  return `${out.join('\n')}\n`;
}
