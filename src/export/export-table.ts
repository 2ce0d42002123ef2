import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { UserError, errorMessage } from '../errors.js';

export type ExportFormat = 'csv' | 'json';
export type ExportRow = Record<string, unknown>;

/** A table to export: its columns, in order, and its rows page by page. */
export interface ExportTable {
  columns: readonly string[];
  pages: AsyncIterable<ExportRow[]>;
}

/**
 * CSV cells: timestamps in ISO 8601 UTC, lists joined by "|" (source keys), other objects as
 * JSON text (lineage); null is an empty cell.
 */
const csvCast = {
  date: (value: Date) => value.toISOString(),
  object: (value: object) => (Array.isArray(value) ? value.join('|') : JSON.stringify(value)),
};

/**
 * The table as text chunks, one per page. JSON is one array with one object per line, so it
 * can be written as it is produced and still read by any JSON parser.
 */
export async function* renderTable(table: ExportTable, format: ExportFormat, onPage?: (rows: number) => void): AsyncGenerator<string> {
  let first = true;
  if (format === 'json') yield '[\n';
  for await (const page of table.pages) {
    if (page.length === 0) continue;
    onPage?.(page.length);
    if (format === 'csv') {
      yield stringify(page, { header: first, columns: [...table.columns], cast: csvCast });
    } else {
      yield `${first ? '' : ',\n'}${page.map((row) => JSON.stringify(row)).join(',\n')}`;
    }
    first = false;
  }
  if (format === 'csv' && first) yield stringify([], { header: true, columns: [...table.columns] });
  if (format === 'json') yield `${first ? '' : '\n'}]\n`;
}

/** Writes chunks to a stream, waiting whenever it asks to (bounded memory for a slow reader). */
async function writeAll(chunks: AsyncIterable<string>, out: Writable): Promise<void> {
  let failure: Error | undefined;
  // Listening for the whole write: an 'error' nobody listens to would crash the process.
  const onError = (error: Error) => (failure = error);
  out.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (failure) throw failure;
      if (!out.write(chunk)) {
        if (failure) throw failure;
        await once(out, 'drain');
      }
    }
    if (failure) throw failure;
  } finally {
    out.off('error', onError);
  }
}

function cannotWrite(file: string, error: unknown): UserError {
  return new UserError(`${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
}

/**
 * Writes to stdout, or to `file` through a temporary file beside it that is renamed at the end:
 * a failed export leaves no half-written file, and an earlier file stays intact until replaced.
 */
export async function writeOutput(chunks: AsyncIterable<string>, file?: string): Promise<void> {
  if (file === undefined) {
    // A reader that stops early (`| head`) closes the pipe: that ends the export, it is no error.
    return writeAll(chunks, process.stdout).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const out = createWriteStream(temp, { flags: 'wx' });
  // Failures surface through the awaits below; this keeps a write still in flight when we give
  // up (destroy) from becoming an uncaught 'error'.
  out.on('error', () => {});
  try {
    await once(out, 'open').catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    await writeAll(chunks, out);
    out.end();
    await finished(out);
    await rename(temp, file).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
  } catch (error) {
    out.destroy();
    await unlink(temp).catch(() => {});
    throw error;
  }
}
