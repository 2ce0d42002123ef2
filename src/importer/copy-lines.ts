import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { UserError, ExitCode } from '../errors.js';
import { createDateParser, normalizeActivity, normalizeCustomer, normalizeEmail, normalizePhone } from '../normalize/index.js';
import type { NormalizeOptions } from '../normalize/index.js';
import { pickFields, planTargetColumns, type ColumnPlan } from './mapping.js';
import { csvRecords, RECORDS_BUFFERED, type CsvRecord } from './read-csv.js';
import { MaxRejectsExceeded } from './max-rejects.js';
import { RejectsFile } from './rejects.js';
import { activityLine, customerLine } from './staging-rows.js';
import type { ImportTarget } from './targets.js';

/** Everything needed to turn one file into COPY text; plain data, so it can go to a worker. */
export interface FileJob {
  target: ImportTarget;
  batch: string;
  defaultCountry: string;
  maxRejects?: number | undefined;
  /** Where bad rows are written while the file is read (renamed into place after commit). */
  rejectsPartial: string;
  /** SHA-256 the file had when planned; a file that changes while read is refused. */
  sha256: string;
  /**
   * A worker thread parsing this file lowers its own priority to the lowest: it then runs on
   * what the database leaves of the cores, so work beside it keeps its speed.
   */
  background?: boolean | undefined;
}

export interface FileOutcome {
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rejectsByReason: Record<string, number>;
}

/** COPY data leaves in chunks of about this many characters. */
const CHUNK_CHARS = 128 * 1024;
const PROGRESS_EVERY = 25_000;


/** Thrown by a line maker for a row that must be rejected; the message is the reason. */
class RowRejected extends Error {}

/**
 * Reads a file and emits the COPY text of its good rows; bad rows go to the rejects file.
 * `outcome` resolves with the counts once the stream has ended.
 */
export function copyTextStream(job: FileJob, onProgress?: (rows: number) => void): { stream: Readable; outcome: Promise<FileOutcome> } {
  const hash = createHash('sha256');
  const records = csvRecords(job.target.file, job.target.config, (bytes) => hash.update(bytes));
  const rejects = new RejectsFile(job.rejectsPartial);
  let toLine: ((fields: string[], line: number) => string) | undefined;
  let width = 0;
  let chunk = '';
  const counts = { rowsRead: 0, rowsLoaded: 0 };

  const reject = (record: CsvRecord, reason: string) => {
    rejects.add(record.line, reason, record.raw);
    if (job.maxRejects !== undefined && rejects.count > job.maxRejects) {
      throw new MaxRejectsExceeded(`more than ${job.maxRejects} rejected rows (--max-rejects); the file was not loaded`);
    }
  };

  const lines = new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    writableHighWaterMark: RECORDS_BUFFERED,
    transform(record: CsvRecord, _encoding, done: TransformCallback) {
      try {
        if (toLine === undefined) {
          if (record.error) throw new UserError(`${job.target.file}: header line cannot be read: ${record.error}`);
          width = record.fields.length;
          toLine = lineMaker(job, record.fields);
          return done();
        }
        counts.rowsRead++;
        if (record.error) reject(record, record.error);
        else if (record.fields.length !== width) reject(record, `expected ${width} columns, found ${record.fields.length}`);
        else {
          try {
            chunk += toLine(record.fields, record.line);
            counts.rowsLoaded++;
          } catch (error) {
            if (!(error instanceof RowRejected)) throw error;
            reject(record, error.message);
          }
        }
        if (counts.rowsRead % PROGRESS_EVERY === 0) onProgress?.(counts.rowsRead);
        if (chunk.length >= CHUNK_CHARS) {
          this.push(chunk);
          chunk = '';
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      if (chunk) this.push(chunk);
      onProgress?.(counts.rowsRead);
      if (hash.digest('hex') !== job.sha256) {
        return done(new UserError(`${job.target.file} changed while it was being imported; nothing of it was loaded, run again`, ExitCode.inputAborted));
      }
      done();
    },
  });
  records.on('error', (error) => lines.destroy(error));
  records.pipe(lines);
  const outcome = new Promise<FileOutcome>((resolve, reject) => {
    lines.on('error', (error) => {
      void rejects.close().finally(() => reject(error));
    });
    lines.on('end', () => {
      rejects
        .close()
        .then(() => resolve({ ...counts, rowsRejected: rejects.count, rejectsByReason: Object.fromEntries(rejects.byReason) }))
        .catch(reject);
    });
  });
  outcome.catch(() => {}); // observed by the caller; never an unhandled rejection
  return { stream: lines, outcome };
}

function lineMaker(job: FileJob, header: string[]): (fields: string[], line: number) => string {
  const { target, batch } = job;
  const normalizeOptions = (required: readonly string[], country: string | undefined): NormalizeOptions => ({
    country: country ?? job.defaultCountry,
    parseDate: createDateParser(target.config.dateFormats),
    required,
  });
  if (target.kind === 'customers') {
    const config = target.config;
    const plan = mustPlan(target, header);
    const opts = normalizeOptions(config.required, config.country);
    return (fields, line) => {
      const key = fields[plan.keyIndex]!.trim();
      if (!key) throw new RowRejected(`missing source key (column "${config.key}")`);
      const normalized = normalizeCustomer(key, pickFields(fields, plan), opts);
      if (!normalized.ok) throw new RowRejected(normalized.reason);
      return customerLine(batch, target.name, line, normalized.record);
    };
  }
  const config = target.config;
  const ref = config.customer;
  const plan = mustPlan(target, header);
  const refIndex = plan.extraIndexes[0]!;
  const opts = normalizeOptions([], undefined);
  const head = {
    batch,
    source: target.name,
    kind: config.kind,
    businessUnit: config.businessUnit,
    refBy: ref.by,
    refSource: ref.by === 'source_key' ? (ref.source ?? null) : null,
  };
  const readRef = (value: string): string => {
    if (ref.by === 'email') {
      const email = normalizeEmail(value);
      if (!email.email) throw new RowRejected(`customer e-mail: invalid (${email.reason ?? 'unreadable'})`);
      return email.email;
    }
    if (ref.by === 'phone') {
      const phone = normalizePhone(value, job.defaultCountry);
      if (!phone.e164) throw new RowRejected(`customer phone: invalid (${phone.reason ?? 'unreadable'})`);
      return phone.e164;
    }
    return value;
  };
  return (fields, line) => {
    const key = fields[plan.keyIndex]!.trim();
    if (!key) throw new RowRejected(`missing activity key (column "${config.key}")`);
    const refValue = fields[refIndex]!.trim();
    if (!refValue) throw new RowRejected(`missing customer reference (column "${ref.column}")`);
    const normalized = normalizeActivity(pickFields(fields, plan), opts);
    if (!normalized.ok) throw new RowRejected(normalized.reason);
    return activityLine(head, line, key, readRef(refValue), normalized.record);
  };
}

/** The header was checked before loading began; a file that changed since fails here. */
function mustPlan(target: ImportTarget, header: readonly string[]): ColumnPlan<string> {
  const plan = planTargetColumns(target, header);
  if ('problems' in plan) throw new UserError(plan.problems.join('; '));
  return plan;
}
