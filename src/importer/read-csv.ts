import { createReadStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type Parser } from 'csv-parse';
import iconv from 'iconv-lite';
import type { Encoding } from '../config/index.js';

export interface CsvFormat {
  delimiter: string;
  quote: string;
  encoding: Encoding;
}

/** One physical record: its cells, the line it starts on, and its original text. */
export interface CsvRecord {
  fields: string[];
  line: number;
  raw: string;
  /** Set when the record cannot be read as cells; fields is then empty. */
  error?: string;
}

/**
 * A record longer than this is taken for a runaway quote. csv-parse stops reading at such a
 * record, so it fails the whole file (loudly) rather than ending it early (silently).
 */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const REPLACEMENT_CHAR = '\uFFFD';

/**
 * Small buffers between the stages: every record buffered survives the young generation's
 * collections and gets promoted, so V8 then spends its time in full collections. 64 KB reads
 * and 64 records per stage (256 KB and 1024 before) took a worker's 1M card transactions from
 * 6.4-7.9 s to 5.8-6.0 s, and its CPU from 7.1-9.9 s to 6.2-6.3 s.
 */
export const RECORDS_BUFFERED = 64;
const READ_BYTES = 64 * 1024;

export class FatalCsvError extends Error {}

interface ParsedItem {
  record: string[];
  raw: string;
}

interface Skipped {
  /** How many records csv-parse had emitted before this one: where it goes in the order. */
  after: number;
  raw: string;
  message: string;
}

/**
 * Turns csv-parse output into CsvRecords: line numbers (counted from the raw text, because
 * csv-parse's per-record `info` costs half its speed), records csv-parse skipped put back in
 * file order (its 'skip' events run ahead of buffered records), blank lines dropped, and the
 * checks csv-parse leaves to us (broken quotes under relax_quotes, undecodable bytes).
 */
class RecordFixer extends Transform {
  private line = 1;
  private seen = 0;
  private readonly skipped: Skipped[] = [];

  constructor(
    private readonly quote: number,
    private readonly checkUtf8: boolean,
  ) {
    super({ objectMode: true, highWaterMark: RECORDS_BUFFERED });
  }

  addSkipped(skipped: Skipped): void {
    this.skipped.push(skipped);
  }

  override _transform(item: ParsedItem, _encoding: BufferEncoding, done: TransformCallback): void {
    this.flushSkipped(this.seen);
    this.seen++;
    const raw = item.raw;
    const line = this.advance(raw);
    const fields = item.record;
    if (fields.length === 1 && fields[0] === '' && raw.trim() === '') return done(); // blank line
    const text = trimNewline(raw);
    if (this.checkUtf8 && raw.includes(REPLACEMENT_CHAR)) {
      this.push({ fields: [], line, raw: text, error: 'invalid UTF-8 bytes (if this export is not UTF-8, set "encoding": "windows-1252")' });
    } else {
      const broken = this.brokenQuoteCell(fields);
      if (broken >= 0) this.push({ fields: [], line, raw: text, error: `broken quoting in column ${broken + 1}` });
      else this.push({ fields, line, raw: text });
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.flushSkipped(Number.POSITIVE_INFINITY);
    done();
  }

  private flushSkipped(upTo: number): void {
    while (this.skipped.length > 0 && this.skipped[0]!.after <= upTo) {
      const s = this.skipped.shift()!;
      const line = this.advance(s.raw);
      this.push({ fields: [], line, raw: trimNewline(s.raw), error: s.message });
    }
  }

  /** Returns the line the record starts on and moves past it. */
  private advance(raw: string): number {
    const start = this.line;
    for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) this.line++;
    if (raw.length > 0 && !raw.endsWith('\n')) this.line++; // last line without a newline
    return start;
  }

  /**
   * With relaxed quotes, a cell that starts with a quote but was not closed right (`"abc"x`,
   * or a quote left open across lines) keeps its leading quote; a well-quoted cell never does.
   */
  private brokenQuoteCell(fields: readonly string[]): number {
    for (let i = 0; i < fields.length; i++) if (fields[i]!.charCodeAt(0) === this.quote) return i;
    return -1;
  }
}

/**
 * Streams the records of a CSV file, header included, with back-pressure: an object-mode
 * Readable of CsvRecord. Quotes inside an unquoted cell are read literally. `onBytes` sees
 * every byte read (for hashing).
 */
export function csvRecords(file: string, format: CsvFormat, onBytes?: (bytes: Buffer) => void): Readable {
  const parser: Parser = parse({
    delimiter: format.delimiter,
    quote: format.quote,
    escape: format.quote,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    raw: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const fixer = new RecordFixer(format.quote.charCodeAt(0), format.encoding === 'utf-8');
  parser.on('skip', (error: Error & { code?: string; records?: number; raw?: string }) => {
    if (error.code === 'CSV_MAX_RECORD_SIZE') {
      fixer.destroy(new FatalCsvError(`${file}: a record longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB (an unclosed quote?) near line ${(error as { lines?: number }).lines ?? '?'}`));
      return;
    }
    fixer.addSkipped({ after: error.records ?? 0, raw: error.raw ?? '', message: error.message.replace(/\s+/g, ' ') });
  });
  const input = createReadStream(file, { highWaterMark: READ_BYTES });
  if (onBytes) input.on('data', (bytes) => onBytes(bytes as Buffer));
  // windows-1252 and latin-1 are decoded before parsing (latin-1 is read as its superset cp1252).
  const stages = format.encoding === 'utf-8' ? [input, parser, fixer] : [input, iconv.decodeStream('win1252'), parser, fixer];
  // Errors reach the reader through `fixer`, which pipeline destroys with them; stopping early is fine.
  pipeline(stages).catch(() => {});
  return fixer;
}

/** The records of a file as an async generator (header first). */
export async function* readCsv(file: string, format: CsvFormat): AsyncGenerator<CsvRecord> {
  for await (const record of csvRecords(file, format)) yield record as CsvRecord;
}

function trimNewline(raw: string): string {
  return raw.endsWith('\n') ? raw.slice(0, raw.endsWith('\r\n') ? -2 : -1) : raw;
}
