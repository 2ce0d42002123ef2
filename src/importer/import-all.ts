import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { GoldenConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import { UserError } from '../errors.js';
import { planTargetColumns } from './mapping.js';
import { emptyResult, fileIdentity, importFile, readHeader, sha256File } from './import-file.js';
import { planImport, type ImportPlan, type PlanOptions } from './plan.js';
import { looksLikeUtf8Text } from './sniff.js';
import type { FileResult, ImportProgress, ImportTarget } from './targets.js';

export interface ImportOptions extends PlanOptions {
  /** Reload files already imported. */
  force?: boolean | undefined;
  /** Abort a file's batch when it has more rejected rows than this. */
  maxRejects?: number | undefined;
  /** Files imported at once. @default 2 */
  concurrency?: number | undefined;
  /** Parse at the lowest CPU priority, with the cores left over by other work (see FileJob.background). */
  background?: boolean | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Told of each file's result as soon as it has one (loaded, skipped or failed), in the order they end. */
  onFile?: ((result: FileResult) => void) | undefined;
  /** Only find the files not imported yet (by content): hash them, load nothing. */
  dryRun?: boolean | undefined;
  /** Asked before each file starts loading: true leaves it (and the rest) for the next run. */
  skip?: (() => boolean) | undefined;
}

export interface ImportSummary {
  files: FileResult[];
  warnings: string[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  seconds: number;
}

/**
 * Imports every planned file: headers are checked for all files before any is loaded, each
 * file's bytes are hashed so the same content is never loaded twice, then files load in
 * parallel (bounded), each in its own transaction. Given `checked` (checkImport's, or a kind of
 * it), the files are not planned and their headers not read again.
 */
export async function importAll(db: Database, config: GoldenConfig, options: ImportOptions = {}, checked?: CheckedImport): Promise<ImportSummary> {
  const started = Date.now();
  const { plan, warnings } = checked ?? (await checkImport(config, options));

  const rejectsDir = config.rejectsDir === undefined ? undefined : path.resolve(config.baseDir, config.rejectsDir);
  if (rejectsDir !== undefined) await mkdir(rejectsDir, { recursive: true });
  const limit = pLimit(options.concurrency ?? 2);
  // A file a loaded batch read, unchanged since (same path and identity), is not read again.
  const identities = await Promise.all(plan.targets.map((t) => fileIdentity(t.file)));
  const known = await hashesByIdentity(db, plan.targets.map((t) => t.file));
  const hashes = await Promise.all(
    plan.targets.map((t, i) => known.get(`${t.file}\u0000${identities[i]!.identity}`) ?? limit(() => sha256File(t.file))),
  );
  const loaded = await previouslyLoaded(db, hashes);
  const firstWithContent = new Map<string, string>();
  const jobs = plan.targets.map((target, i) => {
    const sha256 = hashes[i]!;
    const contentKey = `${target.kind}\u0000${target.name}\u0000${sha256}`;
    const earlier = firstWithContent.get(contentKey);
    if (earlier !== undefined) return Promise.resolve(skipped(target, `same content as ${earlier}; imported once`));
    firstWithContent.set(contentKey, target.file);
    const previous = loaded.get(contentKey);
    if (previous && !options.force) {
      return Promise.resolve(skipped(target, `already imported as batch ${previous.id} on ${previous.finishedAt}; use --force to reload`));
    }
    if (options.dryRun) return Promise.resolve({ ...emptyResult(target, 'new'), note: 'not imported yet (dry run)' });
    return limit(() =>
      options.skip?.()
        ? Promise.resolve(skipped(target, 'not started: the run was asked to stop'))
        : importFile(db, target, { sha256, ...identities[i]! }, {
            defaultCountry: config.defaultCountry,
            rejectsDir,
            force: options.force,
            maxRejects: options.maxRejects,
            background: options.background,
            onProgress: options.onProgress,
          }),
    );
  });
  const files = await Promise.all(
    jobs.map((job) =>
      job.then((result) => {
        options.onFile?.(result);
        return result;
      }),
    ),
  );
  return {
    files,
    warnings,
    rowsRead: sum(files, (f) => f.rowsRead),
    rowsLoaded: sum(files, (f) => f.rowsLoaded),
    rowsRejected: sum(files, (f) => f.rowsRejected),
    seconds: (Date.now() - started) / 1000,
  };
}

/** A planned import whose files' headers were checked, with what the checks warned of. */
export interface CheckedImport {
  plan: ImportPlan;
  warnings: string[];
}

/**
 * Plans the import and checks every file's header, loading nothing: a missing mapped column
 * stops the command before any file is loaded. `golden run`, which imports customer files and
 * activity files in two steps, checks them all first and gives importAll each kind's part
 * (checkedKind).
 */
export async function checkImport(config: GoldenConfig, options: PlanOptions = {}): Promise<CheckedImport> {
  const plan = await planImport(config, options);
  return { plan, warnings: [...plan.warnings, ...(await checkFiles(plan.targets))] };
}

/** The files of one kind in a checked import; the warnings go with the customer files, so a run tells them once. */
export function checkedKind(checked: CheckedImport, kind: ImportTarget['kind']): CheckedImport {
  return {
    plan: { targets: checked.plan.targets.filter((t) => t.kind === kind), warnings: [] },
    warnings: kind === 'customers' ? checked.warnings : [],
  };
}

/**
 * A missing mapped column stops the command before anything is loaded, naming file and column.
 * A file declared windows-1252 that reads as UTF-8 is loaded as declared, with a warning.
 */
async function checkFiles(targets: readonly ImportTarget[]): Promise<string[]> {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const target of targets) {
    if (target.config.encoding !== 'utf-8' && (await looksLikeUtf8Text(target.file))) {
      warnings.push(`${target.file}: declared "${target.config.encoding}" but reads as UTF-8; if names load as "JosÃ©", set "encoding": "utf-8"`);
    }
    const header = await readHeader(target);
    if (header === undefined) continue; // an empty file imports as zero rows
    const plan = planTargetColumns(target, header);
    if ('problems' in plan) problems.push(...plan.problems);
  }
  if (problems.length > 0) throw new UserError(`nothing was imported:\n  ${problems.join('\n  ')}`);
  return warnings;
}

/** The SHA-256 of each file a loaded batch read, by path and identity. */
async function hashesByIdentity(db: Database, files: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.query<{ file_path: string; file_identity: string; file_sha256: string }>(
    `SELECT file_path, file_identity, file_sha256 FROM import_batches
     WHERE status = 'loaded' AND file_identity IS NOT NULL AND file_path = ANY ($1::text[])`,
    [[...new Set(files)]],
  );
  return new Map(rows.map((r) => [`${r.file_path}\u0000${r.file_identity}`, r.file_sha256]));
}

async function previouslyLoaded(db: Database, shas: readonly string[]) {
  const rows = await db.query<{ id: number; kind: string; source: string; file_sha256: string; finished_at: Date }>(
    `SELECT id, kind, source, file_sha256, finished_at FROM import_batches WHERE status = 'loaded' AND file_sha256 = ANY($1)`,
    [[...new Set(shas)]],
  );
  return new Map(
    rows.map((r) => [`${r.kind}\u0000${r.source}\u0000${r.file_sha256}`, { id: r.id, finishedAt: new Date(r.finished_at).toISOString() }]),
  );
}

function skipped(target: ImportTarget, note: string): FileResult {
  return { ...emptyResult(target, 'skipped'), note };
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
