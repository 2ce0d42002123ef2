import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, type GoldenConfig } from '../../src/config/index.js';
import type { Queryable } from '../../src/db/index.js';
import { importAll } from '../../src/importer/index.js';
import { serviceReport } from '../../src/report/service.js';
import { customerSegments, segmentsReport } from '../../src/report/segments.js';
import { trendsReport } from '../../src/report/trends.js';
import { qualityReport } from '../../src/report/quality.js';
import { resolve } from '../../src/resolve/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { demoWorkspace } from '../helpers/workspace.js';
import { resetDatabase, staleActivityTotals } from '../resolve/helpers.js';

/**
 * customer_activity holds each customer's activity totals and source_activity(_issues) each
 * activity source's, kept by triggers on activities (migration 0007); the segments, service and
 * quality reports read them instead of aggregating every activity when they hold just what
 * they count. Every kind of write must leave them equal to what activities say, and a report
 * must come out the same from either source.
 */

const totalsOf = async (db: Queryable, customer: number) =>
  (
    await db.query<Record<string, unknown>>(
      `SELECT activities, orders, transactions, tickets, revenue::float8 AS revenue, csat_n, csat_sum, nps_n, promoters, detractors,
         lowest_feedback_csat, units, months, first_at::text AS first_at, last_at::text AS last_at, last_purchase::text AS last_purchase
       FROM customer_activity WHERE customer_id = $1`,
      [customer],
    )
  )[0];

/** Each source's kept sums, as a line: rows, unattached, with issues; its issues and their rows. */
const sources = async (db: Queryable) => {
  const totals = await db.query<{ source: string; rows: number; unattached: number; with_issues: number }>('SELECT * FROM source_activity ORDER BY source');
  const issues = await db.query<{ source: string; issue: string; rows: number }>('SELECT * FROM source_activity_issues ORDER BY source, issue');
  return totals.map((t) => {
    const own = issues.filter((i) => i.source === t.source).map((i) => `${i.issue} ${Number(i.rows)}`);
    return `${t.source} ${Number(t.rows)} rows, ${Number(t.unattached)} unattached, ${Number(t.with_issues)} with issues${own.length > 0 ? `; ${own.join(', ')}` : ''}`;
  });
};

describeEachDatabase('activity totals', (db) => {
  const ws = demoWorkspace();
  let config: GoldenConfig;
  beforeAll(async () => {
    config = await loadConfig(ws.path('golden.config.json'));
  });
  afterAll(() => ws.remove());

  it('follows every insert, move, delete and truncate of activities', async () => {
    await resetDatabase(db());
    const insert = (rows: string) =>
      db().exec(`INSERT INTO activities (batch_id, source, source_key, line_no, kind, business_unit, customer_id, customer_ref_by, customer_ref, occurred_at, amount, csat, nps, issues)
        VALUES ${rows}`);
    await insert(`
      (1, 'orders', 'o1', 2, 'order', 'retail', 1, 'source_key', 'c1', '2025-01-05 10:00', 10.50, NULL, NULL, '{}'),
      (1, 'orders', 'o2', 3, 'transaction', 'cards', 1, 'source_key', 'c1', '2025-02-01 09:00', -2.25, NULL, NULL, '{"amount: negative (-2.25)"}'),
      (1, 'tickets', 't1', 4, 'ticket', 'service', 1, 'source_key', 'c1', '2025-03-01 08:00', NULL, NULL, NULL, '{}'),
      (1, 'tickets', 'f1', 5, 'feedback', 'service', 1, 'source_key', 'c1', '2025-03-02 08:00', NULL, 2, 9, '{}'),
      (1, 'orders', 'o3', 6, 'order', 'retail', 2, 'source_key', 'c2', '2025-04-01 12:00', 100, NULL, NULL, '{"amount: negative (-1)","currency: unknown (XYZ)"}'),
      (1, 'orders', 'o4', 7, 'order', 'web', NULL, 'email', 'x@example.com', '2025-05-01 12:00', 7, NULL, NULL, '{"amount: negative (-3)"}')`);
    expect(await sources(db())).toEqual([
      'orders 4 rows, 1 unattached, 3 with issues; amount: negative 3, currency: unknown 1',
      'tickets 2 rows, 0 unattached, 0 with issues',
    ]);
    expect(await totalsOf(db(), 1)).toEqual({
      activities: 4,
      orders: 1,
      transactions: 1,
      tickets: 1,
      revenue: 8.25,
      csat_n: 1,
      csat_sum: 2,
      nps_n: 1,
      promoters: 1,
      detractors: 0,
      lowest_feedback_csat: 2,
      units: ['cards', 'retail', 'service'],
      months: [2025 * 12, 2025 * 12 + 1, 2025 * 12 + 2], // January to March 2025, March once
      first_at: '2025-01-05 10:00:00',
      last_at: '2025-03-02 08:00:00',
      last_purchase: '2025-02-01 09:00:00',
    });
    expect(await totalsOf(db(), 2)).toMatchObject({ activities: 1, revenue: 100, units: ['retail'], months: [2025 * 12 + 3] });
    const rows = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM customer_activity');
    expect(rows[0]!.n).toBe(2); // the unattached row belongs to no one
    expect(await staleActivityTotals(db())).toBe(0);

    // a merge: customer 2's activities move to customer 1, and customer 2 has none left
    await db().exec('UPDATE activities SET customer_id = 1 WHERE customer_id = 2');
    expect(await totalsOf(db(), 2)).toBeUndefined();
    expect(await totalsOf(db(), 1)).toMatchObject({ activities: 5, orders: 2, revenue: 108.25, last_at: '2025-04-01 12:00:00', months: [2025 * 12, 2025 * 12 + 1, 2025 * 12 + 2, 2025 * 12 + 3] });

    // an attach: the unattached row finds customer 3
    await db().exec("UPDATE activities SET customer_id = 3 WHERE source_key = 'o4'");
    expect(await totalsOf(db(), 3)).toMatchObject({ activities: 1, units: ['web'] });
    expect(await sources(db())).toEqual([
      'orders 4 rows, 0 unattached, 3 with issues; amount: negative 3, currency: unknown 1',
      'tickets 2 rows, 0 unattached, 0 with issues',
    ]);
    // a re-export without the issues: they go, and an issue no row has any more leaves no row
    await db().exec("UPDATE activities SET issues = '{}' WHERE source_key IN ('o3', 'o4')");
    expect(await sources(db())).toEqual(['orders 4 rows, 0 unattached, 1 with issues; amount: negative 1', 'tickets 2 rows, 0 unattached, 0 with issues']);

    // a newer export replaces a row: its ticket goes, and with it the unit only it used
    await db().exec("DELETE FROM activities WHERE source_key = 't1'");
    expect(await totalsOf(db(), 1)).toMatchObject({ activities: 4, tickets: 0, units: ['cards', 'retail'] });
    expect(await sources(db())).toEqual(['orders 4 rows, 0 unattached, 1 with issues; amount: negative 1', 'tickets 1 rows, 0 unattached, 0 with issues']);
    expect(await staleActivityTotals(db())).toBe(0);

    // a rolled-back write leaves the totals as they were
    await expect(
      db().transaction(async (tx) => {
        await tx.exec('UPDATE activities SET customer_id = 9');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await totalsOf(db(), 1)).toMatchObject({ activities: 4 });
    expect(await totalsOf(db(), 9)).toBeUndefined();

    await db().exec('TRUNCATE activities');
    expect((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM customer_activity'))[0]!.n).toBe(0);
    expect(await sources(db())).toEqual([]);
  });

  it('matches activities after a resolve that moves, attaches and merges, in bulk and row by row', async () => {
    for (const bulkRows of [0, Number.MAX_SAFE_INTEGER]) {
      await resetDatabase(db());
      // activity files first: their rows wait without customers, then attach
      for (const source of Object.keys(config.activities)) await importAll(db(), config, { source });
      await resolve(db(), config, { bulkRows });
      await importAll(db(), config);
      await resolve(db(), config, { bulkRows });
      const [{ n }] = (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM customer_activity')) as [{ n: number }];
      expect(n).toBeGreaterThan(30);
      expect(await staleActivityTotals(db())).toBe(0);
    }
  });

  it('gives the segments and service reports the figures they would aggregate from activities', async () => {
    // (the database holds the resolved demo data from the test before)
    const options = { asOf: '2030-01-01' };
    const fromTotals = {
      segments: await segmentsReport(db(), options),
      service: await serviceReport(db(), options),
      customers: await customerSegments(db(), options),
    };
    // A customer whose last activity looks later than the as-of day makes the reports read activities.
    await db().exec("UPDATE customer_activity SET last_at = '2031-01-01' WHERE customer_id = (SELECT min(customer_id) FROM customer_activity)");
    const fromActivities = {
      segments: await segmentsReport(db(), options),
      service: await serviceReport(db(), options),
      customers: await customerSegments(db(), options),
    };
    const sections = (r: { sections: unknown[] }) => r.sections;
    expect(fromTotals.customers.length).toBeGreaterThan(30);
    expect(fromTotals.customers).toEqual(fromActivities.customers);
    expect(sections(fromTotals.segments)).toEqual(sections(fromActivities.segments));
    expect(sections(fromTotals.service)).toEqual(sections(fromActivities.service));
    expect(await staleActivityTotals(db())).toBe(2); // the row as kept, and as it should be
  });

  it('gives the trends report the monthly volumes it would sum from activities', async () => {
    // (the database holds the resolved demo data from the tests before)
    await db().exec('SELECT customer_activity_refresh(ARRAY(SELECT customer_id FROM customer_activity))');
    expect(await staleActivityTotals(db())).toBe(0);
    const options = { asOf: '2030-01-01' };
    const fromTotals = { trends: await trendsReport(db(), options), quality: await qualityReport(db(), options) };
    // A row after the as-of day (no customer's) makes trends read activities, which leave it out.
    await db().exec(`INSERT INTO activities (batch_id, source, source_key, line_no, kind, business_unit, customer_ref_by, customer_ref, occurred_at, amount)
      SELECT batch_id, source, 'later', 1, 'order', business_unit, 'email', 'nobody@example.com', '2031-06-01', 5 FROM activities LIMIT 1`);
    const fromActivities = await trendsReport(db(), options);
    expect(fromTotals.trends.sections.length).toBeGreaterThan(1);
    expect(fromTotals.trends.sections).toEqual(fromActivities.sections);
    // the quality report's sums took the row in, as a read of activities does
    const rows = (r: typeof fromTotals.quality) => r.sections.flatMap((x) => x.tables).find((t) => t.title === 'Activity rows')!.rows;
    const after = rows(await qualityReport(db(), options));
    const sum = (list: typeof after) => list.reduce((n, r) => n + Number(r.rows), 0);
    expect(sum(after)).toBe(sum(rows(fromTotals.quality)) + 1);
    expect(await staleActivityTotals(db())).toBe(0);
  });
});
