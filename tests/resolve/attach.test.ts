import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Queryable } from '../../src/db/index.js';
import { importAll } from '../../src/importer/index.js';
import { resolve } from '../../src/resolve/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { demoWorkspace } from '../helpers/workspace.js';
import { canonicalDump, resetDatabase } from './helpers.js';

/**
 * Many activities waiting for their customer (a first night) are attached with the indexes that
 * hold customer_id dropped and built again after. The result must be the one the row-by-row
 * path gives, with every index back as it was.
 */
const indexes = (db: Queryable) =>
  db.query<{ name: string; def: string }>("SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'activities' ORDER BY 1");

describeEachDatabase('attaching activities in bulk', (db) => {
  const ws = demoWorkspace();
  afterAll(() => ws.remove());

  it('attaches exactly what the row-by-row path attaches, and leaves every index of activities as it was', async () => {
    const config = await loadConfig(ws.path('golden.config.json'));
    const before = await indexes(db());
    expect(before.map((i) => i.name)).toContain('activities_customer');

    await importAll(db(), config);
    const rowByRow = await resolve(db(), config, { bulkAttachRows: Number.MAX_SAFE_INTEGER });
    const expected = await canonicalDump(db());

    await resetDatabase(db());
    await importAll(db(), config);
    const bulk = await resolve(db(), config, { bulkAttachRows: 0 });
    expect(Object.keys(rowByRow.stages)).toContain('write: activities');
    expect(Object.keys(bulk.stages)).toContain('write: activities (indexes rebuilt)');
    expect(bulk.activitiesAttached).toBe(rowByRow.activitiesAttached);
    expect(bulk.activitiesAttached).toBeGreaterThan(400);
    expect(await canonicalDump(db())).toEqual(expected);
    expect(await indexes(db())).toEqual(before);
  });
});
