import path from 'node:path';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { ImportSummary } from '../importer/index.js';
import { fmt } from './output.js';

/** Human summary of an import: one line per file, then the totals. */
export function renderImport(summary: ImportSummary): string {
  const lines: string[] = [];
  for (const w of summary.warnings) lines.push(`warning: ${w}`);
  const width = Math.max(0, ...summary.files.map((f) => f.source.length));
  for (const f of summary.files) {
    const name = `${f.source.padEnd(width)}  ${path.relative(process.cwd(), f.file) || f.file}`;
    if (f.status === 'skipped' || f.status === 'new') {
      lines.push(`  ${name}: ${f.status === 'new' ? 'new' : 'skipped'}, ${f.note}`);
      continue;
    }
    const parts = [`${fmt.int(f.rowsRead)} read`, `${fmt.int(f.rowsLoaded)} loaded`, `${fmt.int(f.rowsRejected)} rejected`];
    if (f.duplicateKeys > 0) parts.push(`${fmt.int(f.duplicateKeys)} with a repeated key (kept, flagged)`);
    const status = f.status === 'failed' ? `FAILED (${f.note})` : `${parts.join(', ')}, ${fmt.seconds(f.seconds)}`;
    lines.push(`  ${name}: ${status}`);
    for (const [reason, n] of Object.entries(f.rejectsByReason)) lines.push(`      ${fmt.int(n)} × ${reason}`);
    if (f.rejectsFile) lines.push(`      rejects: ${path.relative(process.cwd(), f.rejectsFile)}`);
  }
  const loaded = summary.files.filter((f) => f.status === 'loaded').length;
  const skipped = summary.files.filter((f) => f.status === 'skipped').length;
  const failed = summary.files.filter((f) => f.status === 'failed').length;
  const fresh = summary.files.filter((f) => f.status === 'new').length;
  lines.push(
    `${summary.files.length} file${summary.files.length === 1 ? '' : 's'} (${fresh ? `${fresh} new, ` : ''}${loaded} loaded, ${skipped} skipped${failed ? `, ${failed} failed` : ''}): ` +
      `${fmt.int(summary.rowsRead)} rows read, ${fmt.int(summary.rowsLoaded)} loaded, ${fmt.int(summary.rowsRejected)} rejected ` +
      `in ${fmt.seconds(summary.seconds)} (${fmt.rate(summary.rowsRead, summary.seconds)})`,
  );
  const staged = summary.files.filter((f) => f.kind === 'activities' && f.status === 'loaded').reduce((n, f) => n + f.rowsLoaded, 0);
  if (staged > 0) lines.push(`${fmt.int(staged)} activity rows staged: golden resolve (or golden run) moves them into activities, linked to their customers`);
  return lines.join('\n');
}

/** Failed batches outrank rejected rows; both are distinct from plain success for cron. */
export function importExitCode(summary: ImportSummary): ExitCodeValue {
  if (summary.files.some((f) => f.status === 'failed')) return ExitCode.inputAborted;
  if (summary.rowsRejected > 0) return ExitCode.rejects;
  return ExitCode.ok;
}
