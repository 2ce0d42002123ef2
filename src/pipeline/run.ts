import path from 'node:path';
import type { GoldenConfig } from '../config/index.js';
import { waitForLock, type Database } from '../db/index.js';
import { importAll, type ImportOptions, type ImportSummary } from '../importer/index.js';
import { inSnapshot, nightlyReport, writeReportFiles, type ReportFiles } from '../report/index.js';
import { resolve, type ResolveOptions, type ResolveSummary } from '../resolve/index.js';
import { hookPoint } from '../test-hooks.js';
import type { RunLog } from './log.js';
import { checkStop, stopRequested } from './stop.js';

export interface RunOptions {
  import?: ImportOptions;
  resolve?: ResolveOptions;
  /** Where the reports go: `<outDir>/<as-of date>/`. @default the config's reports.outDir */
  outDir?: string | undefined;
  /** The reports' as-of date. @default today (UTC) */
  asOf?: string | undefined;
  /** Find the new files and show what resolve would do; change nothing, write no reports. */
  dryRun?: boolean | undefined;
  /** Receives one event per step (counts and durations). */
  log?: RunLog | undefined;
  /** Wait this long for another run's lock. @default 0 */
  waitSeconds?: number | undefined;
}

/** The night in a few numbers: what the one-line summary and the JSON summary carry. */
export interface RunTotals {
  /** Files imported (or, in a dry run, that would be). */
  files: number;
  /** Files skipped: their content was imported before. */
  filesSkipped: number;
  filesFailed: number;
  rows: number;
  rejects: number;
  newCustomers: number;
  merges: number;
  reviewItems: number;
  /** Nothing new to import and nothing left to resolve: the database is as it was. */
  nothingNew: boolean;
}

export interface RunSummary {
  database: string;
  dryRun: boolean;
  import: ImportSummary;
  resolve: ResolveSummary;
  /** Absent in a dry run. */
  reports?: ReportFiles | undefined;
  totals: RunTotals;
  seconds: number;
}

/**
 * `golden run`: the nightly job. Only sequences the stages and holds the run lock; each stage
 * owns its work.
 */
export async function runPipeline(db: Database, config: GoldenConfig, options: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  const log: RunLog = options.log ?? (() => {});
  const release = await waitForLock(options.waitSeconds ?? 0, () => db.acquireRunLock('golden run'), (message) =>
    log({ level: 'info', stage: 'run', message }),
  );
  try {
    log({ level: 'info', stage: 'run', message: dryRun ? 'started (dry run)' : 'started', fields: { database: db.label, pid: process.pid } });
    hookPoint('run:locked');
    await checkStop('before the import');
    // Each file is its own transaction: a stop asked for meanwhile lets the files under way
    // finish and starts no other.
    const imported = await importAll(db, config, { ...options.import, dryRun, skip: stopRequested });
    logImport(log, imported);
    hookPoint('run:imported');
    await checkStop('after the import, before resolve');
    // Resolve runs even when nothing was imported: batches an earlier run left unresolved
    // (killed between the stages) and unattached activities are picked up here.
    const onStage = options.resolve?.onStage;
    const resolved = await resolve(db, config, {
      ...options.resolve,
      dryRun,
      onStage: (stage) => {
        hookPoint(`resolve:${stage}`);
        onStage?.(stage);
      },
    });
    hookPoint('run:resolved');
    log({
      level: 'info',
      stage: 'resolve',
      message: dryRun ? 'dry run: nothing changed' : 'resolved',
      fields: {
        batches: resolved.batches,
        newRecords: resolved.records.new,
        changedRecords: resolved.records.changed,
        candidatePairs: resolved.candidatePairs,
        newCustomers: resolved.newCustomers,
        merges: resolved.merges,
        reviewItems: resolved.reviewItems,
        activitiesAttached: resolved.activitiesAttached,
        seconds: resolved.seconds,
        stages: resolved.stages,
      },
    });
    let reports: ReportFiles | undefined;
    if (!dryRun) {
      await checkStop('after resolve, before the reports');
      // Import and resolve rewrote activities and the crosswalk: vacuum sets the visibility map
      // the reports' index-only scans need (and clears resolve's dead rows), analyze refreshes
      // the planner's figures. Cheap when little changed: only pages written since are visited.
      let t = Date.now();
      await db.exec('VACUUM (ANALYZE) activities, customer_sources, customers');
      hookPoint('run:vacuumed');
      log({ level: 'info', stage: 'vacuum', message: 'vacuumed and analyzed', fields: { seconds: (Date.now() - t) / 1000 } });
      t = Date.now();
      const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
      const outDir = path.resolve(config.baseDir, options.outDir ?? config.reports.outDir, asOf);
      reports = await writeReportFiles(await inSnapshot(db, (q) => nightlyReport(q, config, { asOf })), outDir);
      log({ level: 'info', stage: 'report', message: 'written', fields: { asOf, html: reports.html, seconds: (Date.now() - t) / 1000 } });
      hookPoint('run:reported');
    }
    const totals = runTotals(imported, resolved);
    const seconds = (Date.now() - started) / 1000;
    log({ level: 'info', stage: 'run', message: totals.nothingNew ? 'finished: nothing new' : 'finished', fields: { ...totals, seconds } });
    return { database: db.label, dryRun, import: imported, resolve: resolved, reports, totals, seconds };
  } finally {
    await release();
  }
}

function logImport(log: RunLog, imported: ImportSummary): void {
  for (const warning of imported.warnings) log({ level: 'warn', stage: 'import', message: warning });
  for (const f of imported.files) {
    log({
      level: f.status === 'failed' ? 'error' : f.rowsRejected > 0 ? 'warn' : 'info',
      stage: 'import',
      message: `${f.source} ${path.basename(f.file)}: ${f.status}${f.note ? ` (${f.note})` : ''}`,
      fields: {
        source: f.source,
        file: f.file,
        status: f.status,
        rowsRead: f.rowsRead,
        rowsLoaded: f.rowsLoaded,
        rowsRejected: f.rowsRejected,
        seconds: f.seconds,
        ...(f.rowsRejected > 0 ? { rejectsByReason: f.rejectsByReason, rejectsFile: f.rejectsFile ?? null } : {}),
      },
    });
  }
}

export function runTotals(imported: ImportSummary, resolved: ResolveSummary): RunTotals {
  const count = (status: string) => imported.files.filter((f) => f.status === status).length;
  const files = count('loaded') + count('new');
  return {
    files,
    filesSkipped: count('skipped'),
    filesFailed: count('failed'),
    rows: imported.rowsRead,
    rejects: imported.rowsRejected,
    newCustomers: resolved.newCustomers,
    merges: resolved.merges,
    reviewItems: resolved.reviewItems,
    nothingNew:
      files === 0 && count('failed') === 0 && resolved.batches === 0 && resolved.records.new + resolved.records.changed === 0 && resolved.activitiesAttached === 0,
  };
}
