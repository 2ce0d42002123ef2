import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/index.js';
import { crosswalkTable, customersTable, renderTable, writeOutput, type ExportTable } from '../../src/export/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { Workspace } from '../helpers/workspace.js';

async function seed(db: Queryable): Promise<void> {
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO import_batches (kind, source, file_name, file_path, file_sha256, file_bytes, status, started_at, rows_read)
     VALUES ('customers', 'test', 't.csv', '/t.csv', $1, 0, 'loaded', now(), 0) RETURNING id`,
    [randomBytes(16).toString('hex')],
  );
  await db.query(
    `INSERT INTO customers (id, given_name, family_name, email, birth_date, lineage, created_at, updated_at)
     VALUES (1, 'Ana', 'Lima, Jr', 'ana@example.com', '1980-02-29', '{"given_name":"crm","email":"web"}', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z'),
            (2, 'Bo', 'Ek', NULL, NULL, '{}', '2026-01-02T03:04:05Z', '2026-01-03T00:00:00Z'),
            (3, 'Cy', NULL, NULL, NULL, '{}', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z')`,
  );
  const records: [string, string, number][] = [
    ['web', 'w9', 1],
    ['crm', '1', 1],
    ['crm', '2', 2],
    ['card', 'k|1', 3],
    ['crm', '3', 3],
  ];
  for (const [i, [source, key, customer]] of records.entries()) {
    await db.query(
      `INSERT INTO customer_sources (id, source, source_key, customer_id, attributes_hash, first_seen_batch, last_seen_batch)
       VALUES ($1, $2, $3, $4, 'h', $5, $5)`,
      [i + 1, source, key, customer, batch!.id],
    );
  }
}

async function text(table: ExportTable, format: 'csv' | 'json'): Promise<string> {
  let out = '';
  for await (const chunk of renderTable(table, format)) out += chunk;
  return out;
}

const emptyTable = (): ExportTable => ({ columns: ['a', 'b'], pages: (async function* () {})() });

describe('renderTable', () => {
  it('writes a header only, or an empty JSON array, for an empty table', async () => {
    expect(await text(emptyTable(), 'csv')).toBe('a,b\n');
    expect(JSON.parse(await text(emptyTable(), 'json'))).toEqual([]);
  });
});

describe('writeOutput', () => {
  const ws = new Workspace();
  afterAll(() => ws.remove());

  it('replaces the file only when everything was written', async () => {
    const file = ws.write('out.csv', 'old\n');
    async function* failing() {
      yield 'a,b\n';
      throw new Error('connection lost');
    }
    await expect(writeOutput(failing(), file)).rejects.toThrow('connection lost');
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(ws.dir)).toEqual(['out.csv']); // no temp file left behind
    async function* ok() {
      yield 'a,b\n';
      yield '1,2\n';
    }
    await writeOutput(ok(), file);
    expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(ws.dir)).toEqual(['out.csv']);
  });

  it('reports a folder that does not exist as a user error, creating nothing', async () => {
    const file = ws.path('missing/out.csv');
    await expect(writeOutput((async function* () {})(), file)).rejects.toThrow(`${file}: cannot write (ENOENT)`);
    expect(existsSync(file)).toBe(false);
  });
});

describeEachDatabase('golden export', (db) => {
  beforeAll(() => seed(db()));

  it('exports the crosswalk as CSV ordered by source and key, across pages', async () => {
    const csv = await text(crosswalkTable(db(), 2), 'csv');
    expect(csv).toBe('source,source_key,customer_id\ncard,k|1,3\ncrm,1,1\ncrm,2,2\ncrm,3,3\nweb,w9,1\n');
  });

  it('exports the crosswalk as one JSON array, one object per line', async () => {
    const json = await text(crosswalkTable(db(), 3), 'json');
    expect(json.split('\n')).toHaveLength(8); // [, 5 rows, ], and the final newline
    expect(JSON.parse(json)).toEqual([
      { source: 'card', source_key: 'k|1', customer_id: 3 },
      { source: 'crm', source_key: '1', customer_id: 1 },
      { source: 'crm', source_key: '2', customer_id: 2 },
      { source: 'crm', source_key: '3', customer_id: 3 },
      { source: 'web', source_key: 'w9', customer_id: 1 },
    ]);
  });

  it('exports every customer column plus its source keys as CSV', async () => {
    const csv = await text(customersTable(db(), 2), 'csv');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([
      'id', 'title', 'given_name', 'middle_name', 'family_name', 'name_suffix', 'email', 'phone', 'street', 'address_line2',
      'city', 'region', 'postcode', 'country', 'birth_date', 'gender', 'customer_since', 'lineage', 'created_at', 'updated_at', 'source_keys',
    ]);
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(rows[0]).toMatchObject({
      given_name: 'Ana',
      family_name: 'Lima, Jr',
      title: '',
      birth_date: '1980-02-29',
      created_at: '2026-01-02T03:04:05.000Z',
      source_keys: 'crm:1|web:w9',
    });
    expect(JSON.parse(rows[0]!.lineage!)).toEqual({ given_name: 'crm', email: 'web' });
    expect(rows[1]).toMatchObject({ email: '', birth_date: '', lineage: '{}', updated_at: '2026-01-03T00:00:00.000Z', source_keys: 'crm:2' });
    expect(rows[2]!.source_keys).toBe('card:k|1|crm:3');
  });

  it('exports customers as JSON with source keys as an array', async () => {
    const customers = JSON.parse(await text(customersTable(db(), 1), 'json')) as Record<string, unknown>[];
    expect(customers.map((c) => c.source_keys)).toEqual([['crm:1', 'web:w9'], ['crm:2'], ['card:k|1', 'crm:3']]);
    expect(customers[0]).toMatchObject({ id: 1, lineage: { given_name: 'crm', email: 'web' }, middle_name: null, created_at: '2026-01-02T03:04:05.000Z' });
  });
});
