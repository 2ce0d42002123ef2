import path from 'node:path';
import type { ImportProgress } from '../importer/index.js';
import { fmt, type Progress } from './output.js';

/** Spinner text: the files in flight, their rows and the overall rate. */
export function importProgressText(progress: Progress): (p: ImportProgress) => void {
  const started = Date.now();
  const rows = new Map<string, number>();
  return (p) => {
    rows.set(p.file, p.rows);
    const total = [...rows.values()].reduce((a, b) => a + b, 0);
    const seconds = (Date.now() - started) / 1000;
    progress.update(`importing ${path.basename(p.file)}: ${fmt.int(p.rows)} rows (${fmt.int(total)} in all, ${fmt.rate(total, seconds)})`);
  };
}
