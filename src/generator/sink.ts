import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import iconv from 'iconv-lite';
import { csvLine, type CsvDialect } from './csv.js';

/** Characters gathered before a chunk is encoded and handed to the stream. */
const CHUNK_CHARS = 1 << 16;
/** Characters whose windows-1252 byte differs from their latin1 byte (or that latin1 lacks). */
const NOT_LATIN1_SAFE = /[^\x00-\x7f\xa0-\xff]/;

/**
 * A CSV file written line by line through a small string buffer. `write` on the underlying
 * stream reports back-pressure; the generator awaits `drain()` before producing more, so
 * memory stays bounded however many rows are written.
 */
export class CsvSink {
  private buffer = '';
  private blocked = false;
  private error: Error | undefined;
  private readonly stream: WriteStream;
  /** Data rows written so far (the header is not counted). */
  rows = 0;

  constructor(
    readonly path: string,
    readonly dialect: CsvDialect,
    header: readonly string[],
  ) {
    this.stream = createWriteStream(path, { highWaterMark: 1 << 20 });
    // Keep a write error (disk full …) to rethrow from drain/close instead of crashing on an
    // unhandled 'error' event or waiting forever for a 'drain' that never comes.
    this.stream.on('error', (error) => {
      this.error ??= error;
    });
    if (dialect.bom) this.buffer = '\uFEFF';
    this.buffer += csvLine(header, dialect.delimiter) + dialect.eol;
  }

  /** 1-based physical line number the next row will have (line 1 is the header). */
  get nextLineNo(): number {
    return this.rows + 2;
  }

  get needsDrain(): boolean {
    return this.blocked;
  }

  writeRow(cells: readonly string[]): void {
    this.writeLine(csvLine(cells, this.dialect.delimiter));
  }

  /**
   * A pre-built line: dirty rows (which must bypass quoting) and activity rows, whose cells
   * never need quoting and are joined directly to spare the per-row array and checks.
   */
  writeLine(line: string): void {
    this.buffer += line + this.dialect.eol;
    this.rows++;
    if (this.buffer.length >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.buffer === '') return;
    let bytes: Buffer;
    if (this.dialect.encoding === 'utf-8') bytes = Buffer.from(this.buffer, 'utf8');
    // windows-1252 equals latin1 outside 0x80–0x9F; most chunks need no code-page table.
    else if (!NOT_LATIN1_SAFE.test(this.buffer)) bytes = Buffer.from(this.buffer, 'latin1');
    else bytes = iconv.encode(this.buffer, 'windows-1252');
    this.buffer = '';
    if (!this.stream.write(bytes)) this.blocked = true;
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.blocked) return;
    await once(this.stream, 'drain');
    this.blocked = false;
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    this.flush();
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await finished;
  }
}
