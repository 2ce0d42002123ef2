import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/index.js';
import { crosswalkPages, evaluate } from '../../src/evaluate/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { Workspace } from '../helpers/workspace.js';

/** Customers with the given ids and crosswalk rows [source, key, customer], as resolve would leave them. */
async function seed(db: Queryable, customerIds: number[], records: [string, string, number][]): Promise<void> {
  await db.exec('DELETE FROM customer_sources; DELETE FROM customers;');
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO import_batches (kind, source, file_name, file_path, file_sha256, file_bytes, status, started_at, rows_read)
     VALUES ('customers', 'test', 't.csv', '/t.csv', $1, 0, 'loaded', now(), 0) RETURNING id`,
    [randomBytes(16).toString('hex')],
  );
  for (const id of customerIds) await db.query('INSERT INTO customers (id, given_name) VALUES ($1, $2)', [id, `c${id}`]);
  let id = 0;
  for (const [source, key, customer] of records) {
    await db.query(
      `INSERT INTO customer_sources (id, source, source_key, customer_id, attributes_hash, first_seen_batch, last_seen_batch)
       VALUES ($1, $2, $3, $4, 'h', $5, $5)`,
      [++id, source, key, customer, batch!.id],
    );
  }
}

const ws = new Workspace();
afterAll(() => ws.remove());

describeEachDatabase('golden eval', (db) => {
  // Customer 1 holds crm:1, crm:2 (entity A) and web:a (entity B): a false merge.
  // web:b (B) is in customer 2: a missed link. card:x (C) is alone and right.
  // card:y has no truth row; web:zz (D) was never imported.
  beforeEach(() =>
    seed(db(), [1, 2, 3, 4], [
      ['crm', '1', 1],
      ['crm', '2', 1],
      ['web', 'a', 1],
      ['web', 'b', 2],
      ['card', 'x', 3],
      ['card', 'y', 4],
    ]),
  );
  const truthFile = () =>
    ws.write('truth.csv', 'source,source_key,entity_id\ncrm,1,A\ncrm,2,A\nweb,a,B\nweb,b,B\ncard,x,C\nweb,zz,D\n');

  it('reads the crosswalk in keyset pages, every row once', async () => {
    const pages = [];
    for await (const page of crosswalkPages(db(), { pageSize: 4 })) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    const keys = pages.flat().map((r) => `${r.source}:${r.source_key}:${r.customer_id}`);
    expect(new Set(keys).size).toBe(6);
    expect(keys).toContain('web:a:1');
  });

  it('scores pairwise and B-cubed over the records in both, and lists the errors', async () => {
    const report = await evaluate(db(), truthFile(), { pageSize: 2 });
    expect(report).toMatchObject({ records: 5, truthRowsMissing: 1, crosswalkRowsWithoutTruth: 1 });
    // Same customer: 3 pairs; same entity: 2; both: 1 (crm:1, crm:2).
    expect(report.pairwise).toMatchObject({ truePositives: 1, predictedPairs: 3, truePairs: 2 });
    expect(report.pairwise.precision).toBeCloseTo(1 / 3, 12);
    expect(report.pairwise.recall).toBeCloseTo(1 / 2, 12);
    expect(report.pairwise.f1).toBeCloseTo(0.4, 12);
    expect(report.bcubed.precision).toBeCloseTo(11 / 15, 12);
    expect(report.bcubed.recall).toBeCloseTo(4 / 5, 12);
    expect(report.falseMergeCount).toBe(1);
    expect(report.falseMerges).toEqual([
      {
        customerId: 1,
        records: 3,
        entities: [
          { entity: 'A', members: ['crm:1', 'crm:2'] },
          { entity: 'B', members: ['web:a'] },
        ],
      },
    ]);
    expect(report.missedLinkCount).toBe(1);
    expect(report.missedLinks).toEqual([
      {
        entity: 'B',
        records: 2,
        customers: [
          { customerId: 1, members: ['web:a'] },
          { customerId: 2, members: ['web:b'] },
        ],
      },
    ]);
  });

  it('scores one source given by --source for a file without a source column', async () => {
    const file = ws.write('web.csv', 'rec_id,person_id\na,B\nb,B\nzz,D\n');
    const report = await evaluate(db(), file, { keyColumn: 'rec_id', source: 'web', pageSize: 1 });
    expect(report).toMatchObject({ records: 2, truthRowsMissing: 1, crosswalkRowsWithoutTruth: 0 });
    expect(report.pairwise).toEqual({ precision: 1, recall: 0, f1: 0, truePositives: 0, predictedPairs: 0, truePairs: 1 });
    expect(report.falseMerges).toEqual([]);
    expect(report.missedLinks.map((m) => m.entity)).toEqual(['B']);
  });

  it('lists nothing with --limit 0 but still counts', async () => {
    const report = await evaluate(db(), truthFile(), { limit: 0 });
    expect(report).toMatchObject({ falseMergeCount: 1, falseMerges: [], missedLinkCount: 1, missedLinks: [] });
  });

  it('scores a perfect crosswalk as 1', async () => {
    await seed(db(), [1, 2], [['crm', '1', 1], ['crm', '2', 1], ['crm', '3', 2]]);
    const file = ws.write('perfect.csv', 'source,source_key,cluster\ncrm,1,x\ncrm,2,x\ncrm,3,y\n');
    const report = await evaluate(db(), file);
    expect(report.pairwise).toMatchObject({ precision: 1, recall: 1, f1: 1, truePositives: 1 });
    expect(report.bcubed).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(report.truthRowsMissing + report.crosswalkRowsWithoutTruth).toBe(0);
  });
});
