import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

export interface SniffResult {
  encoding: 'utf-8' | 'windows-1252';
  bom: boolean;
  delimiter: string;
  header: string[];
  /** Up to `sampleRows` data rows, for guessing fields and date formats. */
  rows: string[][];
}

const SAMPLE_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];

/** Guesses a CSV file's encoding and delimiter from its first 64 KB. */
async function readSample(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * True when the file's first 64 KB hold non-ASCII text that is valid UTF-8: such a file read as
 * windows-1252 would load "José" as "JosÃ©". (Real cp1252 text is almost never valid UTF-8.)
 */
export async function looksLikeUtf8Text(file: string): Promise<boolean> {
  const bytes = await readSample(file);
  return bytes.some((b) => b >= 0x80) && isUtf8(bytes);
}

export async function sniffCsv(file: string, sampleRows = 200): Promise<SniffResult> {
  const bytes = await readSample(file);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const encoding: SniffResult['encoding'] = bom || isUtf8(bytes) ? 'utf-8' : 'windows-1252';
  let text = encoding === 'utf-8' ? bytes.toString('utf8').replace(/^\uFEFF/, '') : iconv.decode(bytes, 'win1252');
  // The sample may end mid-line: keep whole lines only.
  if (bytes.length === SAMPLE_BYTES) text = text.slice(0, text.lastIndexOf('\n') + 1);
  const delimiter = pickDelimiter(text);
  const records = tryParse(text, delimiter).slice(0, sampleRows + 1);
  return { encoding, bom, delimiter, header: (records[0] ?? []).map((h) => h.trim()), rows: records.slice(1) };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    // stream: true tolerates a character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function tryParse(text: string, delimiter: string): string[][] {
  try {
    return parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch {
    return [];
  }
}

/** The delimiter that splits the sample into the most columns, the same number on most lines. */
function pickDelimiter(text: string): string {
  let best = ',';
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const rows = tryParse(text, delimiter).slice(0, 50);
    if (rows.length === 0) continue;
    const width = rows[0]!.length;
    if (width < 2) continue;
    const consistent = rows.filter((r) => r.length === width).length / rows.length;
    const score = consistent * 100 + width;
    if (score > bestScore) {
      bestScore = score;
      best = delimiter;
    }
  }
  return best;
}
