import type { GoldenConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import { importAll, type ImportOptions, type ImportSummary } from '../importer/index.js';
import path from 'node:path';
import { inSnapshot, nightlyReport, writeReportFiles } from '../report/index.js';
import { resolve, type ResolveOptions, type ResolveSummary } from '../resolve/index.js';

export interface RunOptions {
  import?: ImportOptions;
  resolve?: ResolveOptions;
  /** Where the reports go: `<outDir>/<as-of date>/`. @default the config's reports.outDir */
  outDir?: string | undefined;
  /** The reports' as-of date. @default today (UTC) */
  asOf?: string | undefined;
}

export interface RunSummary {
  database: string;
  import: ImportSummary;
  resolve: ResolveSummary;
  reports: { html: string; json: string };
  seconds: number;
}

/**
 * `golden run`: the nightly job. Only sequences the stages and holds the run lock; each stage
 * owns its work.
 */
export async function runPipeline(db: Database, config: GoldenConfig, options: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const release = await db.acquireRunLock('golden run');
  try {
    const imported = await importAll(db, config, options.import);
    // Resolve runs even when nothing was imported: batches an earlier run left unresolved
    // (killed between the stages) and unattached activities are picked up here.
    const resolved = await resolve(db, config, options.resolve);
    // Import and resolve rewrote activities and the crosswalk: vacuum sets the visibility map
    // the reports' index-only scans need (and clears resolve's dead rows), analyze refreshes
    // the planner's figures. Cheap when little changed: only pages written since are visited.
    if (!options.resolve?.dryRun) await db.exec('VACUUM (ANALYZE) activities, customer_sources, customers');
    const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
    const outDir = path.resolve(config.baseDir, options.outDir ?? config.reports.outDir, asOf);
    const reports = await writeReportFiles(await inSnapshot(db, (q) => nightlyReport(q, config, { asOf })), outDir);
    return { database: db.label, import: imported, resolve: resolved, reports, seconds: (Date.now() - started) / 1000 };
  } finally {
    await release();
  }
}
