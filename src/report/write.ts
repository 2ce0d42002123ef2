import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hookPoint } from '../test-hooks.js';
import { render, renderCsvFiles } from './render/index.js';
import type { Report } from './types.js';

export interface ReportFiles {
  html: string;
  json: string;
  /** Every table in one CSV (section and table title on each row). */
  csv: string;
  /** One rectangular CSV per table. */
  csvDir: string;
}

/**
 * Writes a report into `dir` (created if missing): report.html, report.json, report.csv and
 * csv/<section>--<table>.csv. Each file goes through a temporary file renamed into place and
 * the csv folder is built beside and swapped in, so a reader never sees half a report.
 */
export async function writeReportFiles(report: Report, dir: string): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  // What a run killed while writing left behind (this process's names differ by pid).
  for (const name of await readdir(dir)) if (/\.\d+\.tmp$/.test(name)) await rm(path.join(dir, name), { recursive: true, force: true });
  const out: ReportFiles = {
    html: path.join(dir, 'report.html'),
    json: path.join(dir, 'report.json'),
    csv: path.join(dir, 'report.csv'),
    csvDir: path.join(dir, 'csv'),
  };
  for (const [format, file] of [['html', out.html], ['json', out.json], ['csv', out.csv]] as const) {
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, render(report, format));
    await rename(temp, file);
    hookPoint(`report:${format}`);
  }
  const tempDir = `${out.csvDir}.${process.pid}.tmp`;
  await rm(tempDir, { recursive: true, force: true });
  await mkdir(tempDir);
  for (const table of renderCsvFiles(report)) await writeFile(path.join(tempDir, table.name), table.csv);
  await rm(out.csvDir, { recursive: true, force: true });
  await rename(tempDir, out.csvDir);
  return out;
}
