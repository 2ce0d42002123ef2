import { afterAll, expect, it } from 'vitest';
import { loadConfig, type GoldenConfig } from '../../src/config/index.js';
import type { Queryable } from '../../src/db/index.js';
import { importAll } from '../../src/importer/index.js';
import { resolve } from '../../src/resolve/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { demoWorkspace } from '../helpers/workspace.js';
import { canonicalDump, resetDatabase } from './helpers.js';

/**
 * Many activity rows to move in (a first night) or to attach (their customers arrived later)
 * are handled with the indexes of activities dropped and built again after. The result must be
 * the one the row-by-row path gives, with every index and constraint back as it was.
 */
const indexes = (db: Queryable) =>
  db.query<{ name: string; def: string }>("SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'activities' ORDER BY 1");
const constraints = (db: Queryable) =>
  db.query<{ name: string; def: string }>(
    "SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'activities'::regclass ORDER BY 1",
  );

describeEachDatabase('moving and attaching activities in bulk', (db) => {
  const ws = demoWorkspace();
  afterAll(() => ws.remove());

  /** Activity files first (their customers unknown), then the customer files: both paths run. */
  async function loadInTwoNights(config: GoldenConfig, bulkRows: number) {
    await resetDatabase(db());
    for (const source of Object.keys(config.activities)) await importAll(db(), config, { source });
    const first = await resolve(db(), config, { bulkRows });
    await importAll(db(), config);
    const second = await resolve(db(), config, { bulkRows });
    return { first, second, dump: await canonicalDump(db()) };
  }

  it('moves in and attaches exactly what the row-by-row path does, and leaves every index of activities as it was', async () => {
    const config = await loadConfig(ws.path('golden.config.json'));
    const before = { indexes: await indexes(db()), constraints: await constraints(db()) };
    expect(before.indexes.map((i) => i.name)).toContain('activities_customer');
    expect(before.constraints.map((c) => c.name)).toContain('activities_pkey');

    const rowByRow = await loadInTwoNights(config, Number.MAX_SAFE_INTEGER);
    const bulk = await loadInTwoNights(config, 0);
    expect(rowByRow.first.activities.bulk).toBe(false);
    expect(bulk.first.activities.bulk).toBe(true);
    expect(bulk.first.activities).toMatchObject({ rows: rowByRow.first.activities.rows, unattached: rowByRow.first.activities.rows });
    expect(bulk.first.activities.rows).toBeGreaterThan(400);
    expect(Object.keys(rowByRow.second.stages)).toContain('write: activities');
    expect(Object.keys(bulk.second.stages)).toContain('write: activities (indexes rebuilt)');
    expect(bulk.second.activitiesAttached).toBe(rowByRow.second.activitiesAttached);
    expect(bulk.second.activitiesAttached).toBeGreaterThan(400);
    expect(bulk.dump).toEqual(rowByRow.dump);
    expect({ indexes: await indexes(db()), constraints: await constraints(db()) }).toEqual(before);

    // The same data in one night: every activity moves in with its customer, as the two nights end.
    await resetDatabase(db());
    await importAll(db(), config);
    const oneNight = await resolve(db(), config, { bulkRows: 0 });
    expect(oneNight.activitiesAttached).toBe(0);
    expect(oneNight.activities.rows).toBe(bulk.first.activities.rows);
    expect(await canonicalDump(db())).toEqual(bulk.dump);
  });
});
