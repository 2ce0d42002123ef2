import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { render } from './render/index.js';
import type { Report } from './types.js';

/**
 * Writes a report as report.html and report.json into `dir` (created if missing), each through
 * a temporary file renamed into place, so a reader never sees half a report.
 */
export async function writeReportFiles(report: Report, dir: string): Promise<{ html: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const out = { html: path.join(dir, 'report.html'), json: path.join(dir, 'report.json') };
  for (const [format, file] of [['html', out.html], ['json', out.json]] as const) {
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, render(report, format));
    await rename(temp, file);
  }
  return out;
}
