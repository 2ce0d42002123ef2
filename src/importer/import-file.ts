import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Database, Session } from '../db/index.js';
import { UserError } from '../errors.js';
import { hookPoint } from '../test-hooks.js';
import type { FileJob } from './copy-lines.js';
import { MaxRejectsExceeded } from './max-rejects.js';
import { copySource, workersAvailable } from './file-source.js';
import { readCsv } from './read-csv.js';
import { discardRejects, publishRejects } from './rejects.js';
import { ACTIVITY_COLUMNS, STAGING_COLUMNS } from './staging-rows.js';
import type { FileResult, ImportProgress, ImportTarget } from './targets.js';

export interface FileImportOptions {
  defaultCountry: string;
  rejectsDir?: string | undefined;
  force?: boolean | undefined;
  maxRejects?: number | undefined;
  /** Parse in a worker thread (default: when the compiled worker exists). */
  useWorker?: boolean | undefined;
  /** The worker thread parses at the lowest CPU priority (FileJob.background). */
  background?: boolean | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
}

/** What is known of a file before it loads: its content's hash and, from one stat, its identity and size. */
export interface FileFacts extends FileIdentity {
  sha256: string;
}

export interface FileIdentity {
  /** Device, inode, size and times, kept with the batch (fileIdentity). */
  identity: string;
  bytes: number;
}

/**
 * Below this size a worker's start-up (about 0.3 s) costs more than parsing on the main thread;
 * above it, the worker's capped heap also keeps the process's memory flat.
 */
const WORKER_MIN_BYTES = 1024 * 1024;

/**
 * What tells a file apart without reading it: device, inode, size, modification and change
 * times (ns). Writing to the file, replacing it or moving it changes the change time, which
 * no one can set back (migrations/0008_file_identity.sql).
 */
export async function fileIdentity(file: string): Promise<FileIdentity> {
  const s = await stat(file, { bigint: true });
  return { identity: [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':'), bytes: Number(s.size) };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads a file's header only (its first record); undefined for an empty file. */
export async function readHeader(target: ImportTarget): Promise<string[] | undefined> {
  for await (const record of readCsv(target.file, target.config)) {
    if (record.error) throw new UserError(`${target.file}: header line cannot be read: ${record.error}`);
    return record.fields;
  }
  return undefined;
}

export function rejectsPathFor(file: string, rejectsDir: string | undefined): string {
  const base = path.basename(file).replace(/\.(csv|tsv|txt)$/i, '');
  return path.join(rejectsDir ?? path.dirname(file), `${base}.rejects.csv`);
}

/** A file's result before anything is read; `status` says what became of it. */
export function emptyResult(target: ImportTarget, status: FileResult['status'] = 'loaded'): FileResult {
  return {
    kind: target.kind,
    source: target.name,
    file: target.file,
    status,
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    duplicateKeys: 0,
    rejectsByReason: {},
    seconds: 0,
  };
}

/**
 * Imports one file in one transaction: the batch row, every good row by COPY, the flags. A
 * crash, a dropped connection or --max-rejects leaves nothing of it behind.
 */
export async function importFile(db: Database, target: ImportTarget, facts: FileFacts, options: FileImportOptions): Promise<FileResult> {
  const started = new Date();
  const { sha256, identity, bytes: size } = facts;
  const rejectsPath = rejectsPathFor(target.file, options.rejectsDir);
  const rejectsPartial = `${rejectsPath}.partial`;
  const result = emptyResult(target);
  const done = () => ({ ...result, seconds: (Date.now() - started.getTime()) / 1000 });
  try {
    await db.transaction(async (tx) => {
      if (options.force) await supersede(tx, target, sha256);
      const inserted = await tx.query<{ id: number }>(
        `INSERT INTO import_batches (kind, source, file_name, file_path, file_sha256, file_bytes, status, started_at, file_identity)
         VALUES ($1, $2, $3, $4, $5, $6, 'loaded', $7, $8)
         ON CONFLICT (kind, source, file_sha256) WHERE status = 'loaded' DO NOTHING
         RETURNING id`,
        [target.kind, target.name, path.basename(target.file), target.file, sha256, size, started, identity],
      );
      const batchId = inserted[0]?.id;
      if (batchId === undefined) {
        result.status = 'skipped';
        result.note = 'already imported (by a concurrent run)';
        return;
      }
      result.batchId = batchId;
      const job: FileJob = { target, batch: String(batchId), defaultCountry: options.defaultCountry, maxRejects: options.maxRejects, rejectsPartial, sha256, background: options.background };
      const useWorker = options.useWorker ?? (size >= WORKER_MIN_BYTES && workersAvailable());
      const source = copySource(job, (rows) => options.onProgress?.({ file: target.file, rows }), useWorker);
      if (target.kind === 'customers') await tx.copyFrom('staging_records', STAGING_COLUMNS, source.chunks);
      // Activity rows wait in staging until resolve moves them in with their customer.
      else await tx.copyFrom('staging_activities', ACTIVITY_COLUMNS, source.chunks);
      Object.assign(result, source.outcome());
      result.duplicateKeys = target.kind === 'customers' ? await flagDuplicateCustomerKeys(tx, batchId) : await countRepeatedActivityKeys(tx, batchId);
      await tx.query(
        `UPDATE import_batches SET rows_read = $2, rows_loaded = $3, rows_rejected = $4, duplicate_keys = $5,
           rejects_path = $6, finished_at = now() WHERE id = $1`,
        [batchId, result.rowsRead, result.rowsLoaded, result.rowsRejected, result.duplicateKeys, result.rowsRejected > 0 ? rejectsPath : null],
      );
      // The rejects file is in place before the batch commits: a crash in between leaves a
      // rejects file for a batch the next run loads again (and writes again), never a loaded
      // batch without its rejects.
      result.rejectsFile = await publishRejects(rejectsPartial, rejectsPath, result.rowsRejected);
      hookPoint('import:before-commit');
    });
    hookPoint('import:committed');
  } catch (error) {
    if (!(error instanceof MaxRejectsExceeded)) {
      await discardRejects(rejectsPartial);
      throw error;
    }
    // Keep what was rejected so far: it is what the user must look at (at least one row, or
    // --max-rejects could not have been exceeded).
    result.rejectsFile = await publishRejects(rejectsPartial, rejectsPath, 1);
    result.status = 'failed';
    result.note = error.message;
    result.rowsLoaded = 0;
    await db.query(
      `INSERT INTO import_batches (kind, source, file_name, file_path, file_sha256, file_bytes, rejects_path, status, error, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'failed', $8, $9)`,
      [target.kind, target.name, path.basename(target.file), target.file, sha256, size, result.rejectsFile ?? null, error.message, started],
    );
    return done();
  }
  if (result.status !== 'loaded') await discardRejects(rejectsPartial);
  return done();
}

/** --force: the earlier load of the same bytes gives way to this one. */
async function supersede(tx: Session, target: ImportTarget, sha256: string): Promise<void> {
  const old = await tx.query<{ id: number }>(
    `UPDATE import_batches SET status = 'superseded' WHERE kind = $1 AND source = $2 AND file_sha256 = $3 AND status = 'loaded' RETURNING id`,
    [target.kind, target.name, sha256],
  );
  const ids = old.map((b) => b.id);
  if (ids.length === 0) return;
  await tx.query('DELETE FROM staging_records WHERE batch_id = ANY($1)', [ids]);
  await tx.query('DELETE FROM activities WHERE batch_id = ANY($1)', [ids]);
  await tx.query('DELETE FROM staging_activities WHERE batch_id = ANY($1)', [ids]);
}

/** Keys seen more than once in one file are kept, and flagged for resolve and the quality report. */
async function flagDuplicateCustomerKeys(tx: Session, batchId: number): Promise<number> {
  const [row] = await tx.query<{ n: number }>(
    `WITH dup AS (
       SELECT source_key FROM staging_records WHERE batch_id = $1 GROUP BY source_key HAVING count(*) > 1
     ), flagged AS (
       UPDATE staging_records s SET duplicate_key = true FROM dup
       WHERE s.batch_id = $1 AND s.source_key = dup.source_key RETURNING 1
     )
     SELECT count(*)::int AS n FROM flagged`,
    [batchId],
  );
  return row?.n ?? 0;
}

/** Keys repeated inside one file are kept (order lines) and counted. */
async function countRepeatedActivityKeys(tx: Session, batchId: number): Promise<number> {
  const [dups] = await tx.query<{ n: number }>(
    `SELECT coalesce(sum(n), 0)::int AS n FROM (
       SELECT count(*) AS n FROM staging_activities WHERE batch_id = $1 GROUP BY source_key HAVING count(*) > 1
     ) d`,
    [batchId],
  );
  return dups?.n ?? 0;
}
