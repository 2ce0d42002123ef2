import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { configSchema, type ParsedConfig } from '../../src/config/schema.js';
import { generate, type GenerateOptions, type GenerateSummary } from '../../src/generator/generate.js';

/** A generated data set in a temporary folder, with its parsed config. */
export interface DataSet {
  dir: string;
  summary: GenerateSummary;
  config: ParsedConfig;
  cleanup(): Promise<void>;
}

export async function makeDataSet(options: Omit<GenerateOptions, 'outDir'>): Promise<DataSet> {
  const dir = await mkdtemp(path.join(tmpdir(), 'golden-gen-'));
  const summary = await generate({ ...options, outDir: dir });
  const config = configSchema.parse(JSON.parse(await readFile(path.join(dir, 'golden.config.json'), 'utf8')));
  return { dir, summary, config, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface FileFormat {
  delimiter: string;
  quote: string;
  encoding: 'utf-8' | 'windows-1252' | 'latin1';
}

export interface Row {
  /** 1-based physical line (the header is line 1). */
  line: number;
  cells: string[];
}

export interface Table {
  header: string[];
  rows: Row[];
  /** Lines a strict parser skipped as malformed. */
  skipped: number[];
  text: string;
}

export function decode(bytes: Buffer, encoding: FileFormat['encoding']): string {
  return encoding === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, encoding);
}

/** Parses a file the way a strict importer would: malformed records are skipped and reported. */
export async function readTable(file: string, format: FileFormat): Promise<Table> {
  const text = decode(await readFile(file), format.encoding);
  const skipped = new Set<number>();
  const records = parse(text, {
    delimiter: format.delimiter,
    quote: format.quote,
    bom: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) skipped.add(Number(error.lines));
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const [head, ...rest] = records;
  if (!head) throw new Error(`${file}: empty`);
  return {
    header: head.record,
    rows: rest.map((r) => ({ line: r.info.lines, cells: r.record })),
    skipped: [...skipped].sort((a, b) => a - b),
    text,
  };
}

export async function readPlainCsv(file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

export interface DateTime {
  y: number;
  m: number;
  d: number;
  hh: number;
  mi: number;
  ss: number;
}

/** Reads a date with one of golden's date formats (YYYY MM DD HH mm ss tokens); null if invalid. */
export function parseWithFormat(text: string, format: string): DateTime | null {
  const tokens: string[] = [];
  const pattern = format.replace(/YYYY|MM|DD|HH|mm|ss|[.*+?^${}()|[\]\\/]/g, (t) => {
    if (t.length === 1) return `\\${t}`;
    tokens.push(t);
    return t === 'YYYY' ? '(\\d{4})' : '(\\d{2})';
  });
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match) return null;
  const v: Record<string, number> = { YYYY: 0, MM: 1, DD: 1, HH: 0, mm: 0, ss: 0 };
  tokens.forEach((t, i) => {
    v[t] = Number(match[i + 1]);
  });
  const dt = { y: v.YYYY!, m: v.MM!, d: v.DD!, hh: v.HH!, mi: v.mm!, ss: v.ss! };
  const check = new Date(Date.UTC(dt.y, dt.m - 1, dt.d));
  if (check.getUTCFullYear() !== dt.y || check.getUTCMonth() !== dt.m - 1 || check.getUTCDate() !== dt.d) return null;
  if (dt.hh > 23 || dt.mi > 59 || dt.ss > 59) return null;
  return dt;
}

export function parseWithFormats(text: string, formats: readonly string[]): DateTime | null {
  for (const f of formats) {
    const dt = parseWithFormat(text, f);
    if (dt) return dt;
  }
  return null;
}

/** Seconds since the epoch (UTC), for ordering and day arithmetic in tests. */
export function epochSeconds(dt: DateTime): number {
  return Date.UTC(dt.y, dt.m - 1, dt.d, dt.hh, dt.mi, dt.ss) / 1000;
}

export function filePath(ds: DataSet, files: string | string[]): string {
  return path.join(ds.dir, Array.isArray(files) ? (files[0] as string) : files);
}

/** A generated file read back, with the config block that describes it. */
export interface Loaded<Spec> {
  spec: Spec;
  table: Table;
  cell(row: Row, column: string): string;
}
