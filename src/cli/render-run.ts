import path from 'node:path';
import type { RunSummary } from '../pipeline/index.js';
import { fmt } from './output.js';

const plural = (n: number, one: string, many = `${one}s`) => `${fmt.int(n)} ${n === 1 ? one : many}`;

/**
 * `golden run`'s result in one line, for a cron log: files, rows, rejects, new customers,
 * merges, review items, duration and where the report is.
 */
export function runSummaryLine(s: RunSummary): string {
  const t = s.totals;
  const skipped = t.filesSkipped > 0 ? ` (${fmt.int(t.filesSkipped)} already imported)` : '';
  const failed = t.filesFailed > 0 ? `, ${plural(t.filesFailed, 'file')} FAILED` : '';
  const took = fmt.seconds(s.seconds);
  if (s.dryRun) {
    return (
      `golden run --dry-run: ${plural(t.files, 'new file')} would be imported${skipped}; ` +
      `resolve of what is already staged would make ${plural(t.newCustomers, 'new customer')}, ${plural(t.merges, 'merge')}, ${plural(t.reviewItems, 'review item')}; ` +
      `nothing was changed (${took})`
    );
  }
  const relative = s.reports ? path.relative(process.cwd(), s.reports.html) : '';
  const where = s.reports ? `; report: ${relative.startsWith('..') || path.isAbsolute(relative) ? s.reports.html : relative}` : '';
  if (t.nothingNew) return `golden run: no new files${skipped}${failed}; nothing changed in ${took}${where}`;
  return (
    `golden run: ${plural(t.files, 'file')}${skipped}${failed}, ${plural(t.rows, 'row')}, ${fmt.int(t.rejects)} rejected, ` +
    `${plural(t.newCustomers, 'new customer')}, ${plural(t.merges, 'merge')}, ${plural(t.reviewItems, 'review item')} in ${took}${where}`
  );
}
