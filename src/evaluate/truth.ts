import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { UserError, errorMessage } from '../errors.js';

export const ENTITY_COLUMNS = ['entity_id', 'entity', 'person_id', 'cluster'] as const;

export interface TruthOptions {
  /** Entity id column; default the first of ENTITY_COLUMNS in the header. */
  entityColumn?: string | undefined;
  /** Record key column. @default "source_key" */
  keyColumn?: string | undefined;
  /** Source of every row when the file has no `source` column; else only rows of this source are read. */
  source?: string | undefined;
}

/**
 * A truth labelling held compactly for millions of rows: record → row number in a Map, the
 * entity of each row as an index into `entities` (each entity name is stored once).
 */
export interface Truth {
  /** recordKey(source, key) → row number. */
  rows: Map<string, number>;
  /** Row number → index into entities. */
  entityOf: number[];
  entities: string[];
  /** Rows without a key or entity (records that could never be loaded): not scored. */
  skipped: number;
}

/** One string per record; NUL cannot occur in CSV text, so it separates unambiguously. */
export function recordKey(source: string, key: string): string {
  return `${source}\u0000${key}`;
}

/** "source:key" for people. */
export function recordLabel(recordKeyValue: string): string {
  return recordKeyValue.replace('\u0000', ':');
}

function findColumn(header: string[], name: string): number {
  return header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
}

/** Reads a truth CSV (with header) as a stream. Errors the user can fix are UserErrors naming the file and line. */
export async function readTruth(file: string, options: TruthOptions = {}): Promise<Truth> {
  const input = createReadStream(file);
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  const truth: Truth = { rows: new Map(), entityOf: [], entities: [], skipped: 0 };
  const entityIndex = new Map<string, number>();
  let columns: { source: number; key: number; entity: number } | undefined;
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (!columns) {
        columns = headerColumns(file, record, options);
        continue;
      }
      const source = columns.source < 0 ? options.source! : (record[columns.source] ?? '');
      if (columns.source >= 0 && options.source !== undefined && source !== options.source) continue;
      const key = record[columns.key] ?? '';
      const entity = record[columns.entity] ?? '';
      if (!source) throw new UserError(`${file}: record ${line}: blank source`);
      if (!key || !entity) {
        truth.skipped++;
        continue;
      }
      let index = entityIndex.get(entity);
      if (index === undefined) {
        index = truth.entities.push(entity) - 1;
        entityIndex.set(entity, index);
      }
      const id = recordKey(source, key);
      const seen = truth.rows.get(id);
      if (seen !== undefined) {
        // A repeated row is harmless; a record labelled with two entities makes the truth ambiguous.
        if (truth.entityOf[seen] !== index) {
          throw new UserError(`${file}: record ${line}: ${source}:${key} is labelled both ${truth.entities[truth.entityOf[seen]!]} and ${entity}`);
        }
        continue;
      }
      truth.rows.set(id, truth.entityOf.push(index) - 1);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' ? `${file}: cannot read (${code})` : `${file}: ${errorMessage(error)}`);
  } finally {
    input.destroy();
  }
  if (!columns) throw new UserError(`${file}: empty truth file (expected a header with source, source_key and an entity column)`);
  return truth;
}

function headerColumns(file: string, header: string[], options: TruthOptions): { source: number; key: number; entity: number } {
  const found = `columns found: ${header.join(', ')}`;
  const keyName = options.keyColumn ?? 'source_key';
  const key = findColumn(header, keyName);
  if (key < 0) throw new UserError(`${file}: no key column "${keyName}" (${found}; name it with --key-column)`);
  const entityName = options.entityColumn ?? ENTITY_COLUMNS.find((name) => findColumn(header, name) >= 0);
  const entity = entityName === undefined ? -1 : findColumn(header, entityName);
  if (entity < 0) {
    const wanted = options.entityColumn ? `"${options.entityColumn}"` : ENTITY_COLUMNS.join(', ');
    throw new UserError(`${file}: no entity column ${wanted} (${found}; name it with --entity-column)`);
  }
  const source = findColumn(header, 'source');
  if (source < 0 && options.source === undefined) {
    throw new UserError(`${file}: no "source" column (${found}); give the source of every row with --source`);
  }
  return { source, key, entity };
}
