import type { Report } from '../types.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';

/** Output formats, in the order the CLI lists them (use as commander `.choices()`). */
export const REPORT_FORMATS = ['table', 'csv', 'json', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const renderers: Record<ReportFormat, (report: Report) => string> = {
  table: renderTable,
  csv: renderCsv,
  json: renderJson,
  markdown: renderMarkdown,
  html: renderHtml,
};

/** The report as text in one format; pure, so the caller decides between stdout and --out. */
export function render(report: Report, format: ReportFormat): string {
  const renderer = renderers[format];
  // Guards callers that pass an unchecked string past the type.
  if (!renderer) throw new Error(`unknown report format "${String(format)}" (expected ${REPORT_FORMATS.join(', ')})`);
  return renderer(report);
}

export { renderCsv, renderCsvFiles, type CsvFile } from './csv.js';
export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { renderMarkdown } from './markdown.js';
export { renderTable } from './table.js';
export { chartSvg } from './svg.js';
