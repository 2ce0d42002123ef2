import path from 'node:path';
import type { GoldenConfig } from '../config/index.js';
import { waitForLock, type Database } from '../db/index.js';
import { checkedKind, checkImport, importAll, type FileResult, type ImportOptions, type ImportSummary } from '../importer/index.js';
import { inSnapshot, nightlyReport, writeReportFiles, type ReportFiles } from '../report/index.js';
import { resolve, settleActivities, type ResolveOptions, type ResolveSummary } from '../resolve/index.js';
import { hookPoint } from '../test-hooks.js';
import type { RunLog } from './log.js';
import { checkStop, stopRequested } from './stop.js';
import { yieldCpuToDatabase } from './yield-cpu.js';

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
    const { imported, resolved, vacuumed } = await importAndResolve(db, config, options, dryRun, log);
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
        activitiesMoved: resolved.activities.rows,
        activitiesReplaced: resolved.activities.replaced,
        activitiesUnattached: resolved.activities.unattached,
        seconds: resolved.seconds,
        stages: resolved.stages,
      },
    });
    let reports: ReportFiles | undefined;
    if (!dryRun) {
      await checkStop('after resolve, before the reports');
      // Import and resolve rewrote activities and the crosswalk: vacuum sets the visibility map
      // the reports' (and the next resolve's) index-only scans need and clears resolve's dead
      // rows. Cheap when little changed: only pages written since are visited. Analyze refreshes
      // the planner's figures of the tables the night changed by a tenth or more; its samples
      // cost a second a night where a few rows in a hundred changed, and autovacuum analyzes
      // those once enough has.
      let t = Date.now();
      const analyzed = [...vacuumed.analyzed, ...(await vacuumTables(db, NIGHTLY_TABLES.filter((t) => !vacuumed.tables.includes(t))))].sort();
      hookPoint('run:vacuumed');
      log({ level: 'info', stage: 'vacuum', message: 'vacuumed', fields: { analyzed: analyzed.join(' '), seconds: (Date.now() - t) / 1000 } });
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

/**
 * Imports and resolves. On PostgreSQL the activity files are parsed and staged while resolve
 * works on the customers (resolve is mostly one database core, parsing is the other), and the
 * staged rows move into activities once both are done, with their customers joined in. The
 * embedded database has one connection, so there the steps run one after the other.
 */
async function importAndResolve(
  db: Database,
  config: GoldenConfig,
  options: RunOptions,
  dryRun: boolean,
  log: RunLog,
): Promise<{ imported: ImportSummary; resolved: ResolveSummary; vacuumed: Vacuumed }> {
  // Each file is logged as it ends, so a line's time is when its file was done.
  const importOptions: ImportOptions = { ...options.import, dryRun, skip: stopRequested, onFile: (f) => logFile(log, f) };
  // Every file's header is checked before any is loaded, as one import would.
  const checked = await checkImport(config, importOptions);
  logWarnings(log, checked.warnings);
  const onStage = options.resolve?.onStage;
  const resolveOptions: ResolveOptions = {
    ...options.resolve,
    dryRun,
    onStage: (stage) => {
      hookPoint(`resolve:${stage}`);
      onStage?.(stage);
    },
  };
  if (dryRun || db.engine === 'pglite') {
    // Each file is its own transaction: a stop asked for meanwhile lets the files under way
    // finish and starts no other.
    const imported = await importAll(db, config, importOptions, checked);
    hookPoint('run:imported');
    await checkStop('after the import, before resolve');
    // Resolve runs even when nothing was imported: batches an earlier run left unresolved
    // (killed between the stages) and unattached or staged activities are picked up here.
    return { imported, resolved: await resolve(db, config, resolveOptions), vacuumed: NOTHING_VACUUMED };
  }
  const customers = await importAll(db, config, importOptions, checkedKind(checked, 'customers'));
  hookPoint('run:imported');
  await checkStop('after the customer files, before resolve');
  // Parsing takes what resolve leaves of the cores: resolve decides when the run ends.
  const restoreCpu = yieldCpuToDatabase();
  const [resolving, staging] = await Promise.allSettled([
    resolve(db, config, { ...resolveOptions, settleActivities: false }),
    importAll(db, config, { ...importOptions, background: true }, checkedKind(checked, 'activities')).finally(restoreCpu),
  ]);
  // Both are waited for: neither is left running on a connection when the other fails.
  if (resolving.status === 'rejected') throw resolving.reason;
  if (staging.status === 'rejected') throw staging.reason;
  const activities = staging.value;
  hookPoint('run:staged');
  await checkStop('after resolve, before the activities move in');
  const resolved = resolving.value;
  const t = Date.now();
  // Each step of the move is timed into the stages too, so the log says where its time went.
  let step: { name: string; since: number } | undefined;
  const endStep = () => {
    if (step) resolved.stages[step.name] = (Date.now() - step.since) / 1000;
  };
  const onSettleStage = (stage: string) => {
    endStep();
    step = { name: stage, since: Date.now() };
    resolveOptions.onStage?.(stage);
  };
  // The customer tables are final once resolve has committed: they are vacuumed while the
  // activities move (whose INSERT waits on the WAL and leaves a core idle), not after it. That
  // takes the last of the pool's four connections: the run lock holds one, the move two.
  const [settling, vacuuming] = await Promise.allSettled([
    settleActivities(db, { bulkRows: options.resolve?.bulkRows, onStage: onSettleStage }),
    vacuumTables(db, CUSTOMER_TABLES),
  ]);
  if (settling.status === 'rejected') throw settling.reason;
  if (vacuuming.status === 'rejected') throw vacuuming.reason;
  resolved.activities = settling.value;
  endStep();
  resolved.stages['activities (after the staging)'] = (Date.now() - t) / 1000;
  resolved.seconds += resolved.activities.seconds;
  return { imported: mergeImports(customers, activities), resolved, vacuumed: { tables: CUSTOMER_TABLES, analyzed: vacuuming.value } };
}

const CUSTOMER_TABLES = ['customer_sources', 'customer_identifiers', 'customers'];

/** The tables a night writes and the reports and resolve read. */
export const NIGHTLY_TABLES = ['activities', 'customer_activity', ...CUSTOMER_TABLES];

/** Tables vacuumed before the vacuum step, and those of them analyzed. */
interface Vacuumed {
  tables: readonly string[];
  analyzed: readonly string[];
}

const NOTHING_VACUUMED: Vacuumed = { tables: [], analyzed: [] };

/** Vacuums `tables` and analyzes those changed by a tenth or more since their last analyze; returns those. */
async function vacuumTables(db: Database, tables: readonly string[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const changed = await db.query<{ name: string }>(
    `SELECT relname AS name FROM pg_stat_user_tables
     WHERE schemaname = current_schema() AND relname = ANY ($1::text[]) AND n_mod_since_analyze >= greatest(n_live_tup, 1000) / 10
     ORDER BY relname`,
    [tables],
  );
  await db.exec(`VACUUM ${tables.join(', ')}`);
  const names = changed.map((c) => c.name);
  if (names.length > 0) await db.exec(`ANALYZE ${names.join(', ')}`);
  return names;
}

function mergeImports(a: ImportSummary, b: ImportSummary): ImportSummary {
  return {
    files: [...a.files, ...b.files],
    warnings: [...a.warnings, ...b.warnings],
    rowsRead: a.rowsRead + b.rowsRead,
    rowsLoaded: a.rowsLoaded + b.rowsLoaded,
    rowsRejected: a.rowsRejected + b.rowsRejected,
    seconds: a.seconds + b.seconds,
  };
}

/** A log line for one file's result, written as the file ends (so its time is when it ended). */
function logFile(log: RunLog, f: FileResult): void {
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

function logWarnings(log: RunLog, warnings: readonly string[]): void {
  for (const warning of warnings) log({ level: 'warn', stage: 'import', message: warning });
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
      files === 0 &&
      count('failed') === 0 &&
      resolved.batches === 0 &&
      resolved.records.new + resolved.records.changed === 0 &&
      resolved.activitiesAttached === 0 &&
      resolved.activities.batches === 0,
  };
}
