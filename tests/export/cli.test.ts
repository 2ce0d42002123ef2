import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/index.js';
import { ExitCode } from '../../src/errors.js';
import { golden } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';

/** `golden export` and `golden eval` as a user runs them, on an embedded database in a temp folder (npm test builds first). */
describe('golden export / eval CLI', () => {
  const ws = new Workspace();
  const dbDir = ws.path('db');
  afterAll(() => ws.remove());

  beforeAll(async () => {
    const db = await openDatabase({ dbDir });
    try {
      await migrate(db);
      const [batch] = await db.query<{ id: number }>(
        `INSERT INTO import_batches (kind, source, file_name, file_path, file_sha256, file_bytes, status, started_at, rows_read)
         VALUES ('customers', 'crm', 'crm.csv', '/crm.csv', $1, 0, 'loaded', now(), 0) RETURNING id`,
        [randomBytes(16).toString('hex')],
      );
      await db.exec("INSERT INTO customers (id, given_name) VALUES (1, 'Ana'), (2, 'Bo')");
      const records: [string, string, number][] = [['crm', '1', 1], ['crm', '2', 1], ['web', 'a', 1], ['web', 'b', 2]];
      for (const [i, [source, key, customer]] of records.entries()) {
        await db.query(
          `INSERT INTO customer_sources (id, source, source_key, customer_id, attributes_hash, first_seen_batch, last_seen_batch)
           VALUES ($1, $2, $3, $4, 'h', $5, $5)`,
          [i + 1, source, key, customer, batch!.id],
        );
      }
    } finally {
      await db.close();
    }
  });

  it('exports the crosswalk to a CSV file', async () => {
    const result = await golden(['export', 'crosswalk', '--format', 'csv', '--out', 'crosswalk.csv', '--db', dbDir], { cwd: ws.dir });
    expect(result.stderr).toContain('wrote 4 crosswalk rows to crosswalk.csv');
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toBe('');
    expect(readFileSync(ws.path('crosswalk.csv'), 'utf8')).toBe('source,source_key,customer_id\ncrm,1,1\ncrm,2,1\nweb,a,1\nweb,b,2\n');
    expect(readdirSync(ws.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 2 on an unknown export kind', async () => {
    const result = await golden(['export', 'orders', '--db', dbDir], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain("'orders' is invalid for argument 'kind'. Allowed choices are crosswalk, customers.");
  });

  it('prints the scores as JSON with eval --json', async () => {
    ws.write('truth.csv', 'source,source_key,person_id\ncrm,1,P1\ncrm,2,P1\nweb,a,P2\nweb,b,P2\nweb,c,P3\n');
    const result = await golden(['eval', '--json', '--truth', 'truth.csv', '--db', dbDir], { cwd: ws.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(ExitCode.ok);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    // Customer 1 = {crm:1, crm:2, web:a}: 3 pairs, 1 right (crm:1–crm:2); true pairs: P1 1, P2 1.
    expect(report).toMatchObject({
      records: 4,
      truthRowsMissing: 1,
      crosswalkRowsWithoutTruth: 0,
      pairwise: { truePositives: 1, predictedPairs: 3, truePairs: 2, precision: 1 / 3, recall: 1 / 2 },
      falseMerges: [{ customerId: 1, records: 3, entities: [{ entity: 'P1', members: ['crm:1', 'crm:2'] }, { entity: 'P2', members: ['web:a'] }] }],
      missedLinks: [{ entity: 'P2', records: 2, customers: [{ customerId: 1, members: ['web:a'] }, { customerId: 2, members: ['web:b'] }] }],
    });
    // B-cubed precision (2/3 + 2/3 + 1/3 + 1) / 4 = 2/3; recall (1 + 1 + 1/2 + 1/2) / 4 = 3/4.
    const bcubed = report.bcubed as { precision: number; recall: number };
    expect(bcubed.precision).toBeCloseTo(2 / 3, 12);
    expect(bcubed.recall).toBeCloseTo(3 / 4, 12);
  });

  it('prints an aligned text report by default', async () => {
    const result = await golden(['eval', '--truth', 'truth.csv', '--db', dbDir], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toContain('pairwise    0.3333     0.5000  0.4000');
    expect(result.stdout).toContain('b-cubed     0.6667     0.7500  0.7059');
    expect(result.stdout).toContain('  customer 1 (3 records)\n    entity P1: crm:1, crm:2\n    entity P2: web:a');
  });

  it('exits 2 naming the columns when the truth file has no source column and no --source is given', async () => {
    ws.write('febrl.csv', 'rec_id,person_id\na,P2\n');
    const result = await golden(['eval', '--truth', 'febrl.csv', '--key-column', 'rec_id', '--db', dbDir], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr.trim()).toBe('golden: febrl.csv: no "source" column (columns found: rec_id, person_id); give the source of every row with --source');
  });
});
