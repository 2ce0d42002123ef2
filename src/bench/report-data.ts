import pg from 'pg';
import { NIGHTLY_TABLES } from '../pipeline/run.js';
import { activityTotalsTriggers, REBUILD_ACTIVITY_TOTALS } from '../resolve/activities.js';

/**
 * Fills a migrated PostgreSQL database with `customers` golden customers (one to three source
 * records each over four units) and `activities` activity rows over 2023–2025, set-wise in SQL:
 * the reports' benchmark measures the reports, not the import (measured separately). The
 * activities' indexes are built after the rows are in: kept during the insert, the fill took 8 min.
 * Like a bulk move in golden, the fill switches the activity-totals triggers off and builds the
 * totals once after.
 * The tables end vacuumed and analyzed, as `golden run` leaves them.
 */
export async function fillReportData(url: string, customers: number, activities: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`
      ${activityTotalsTriggers(false)};
      INSERT INTO import_batches (id, kind, source, file_name, file_path, file_sha256, file_bytes, status, started_at)
      SELECT i, 'customers', s, s || '.csv', s || '.csv', md5(s), 0, 'loaded', now()
      FROM unnest(ARRAY['retail_loyalty', 'card_services', 'web_shop', 'call_centre']) WITH ORDINALITY AS u(s, i);
      INSERT INTO customers (id, given_name, family_name, email, birth_date, customer_since)
      SELECT g, 'Given' || (g % 997), 'Family' || (g % 4999), 'c' || g || '@mail.test', DATE '1950-01-01' + (g % 20000), DATE '2015-01-01' + (g % 3000)
      FROM generate_series(1, ${customers}) g;
      INSERT INTO customer_sources (id, source, source_key, customer_id, attributes_hash, first_seen_batch, last_seen_batch, given_name, family_name)
      SELECT row_number() OVER (), s.source, s.source || ':' || c, c, 'x', s.batch, s.batch, 'Given', 'Family'
      FROM generate_series(1, ${customers}) c
      JOIN (VALUES ('retail_loyalty', 1, 1), ('card_services', 2, 3), ('web_shop', 3, 2), ('call_centre', 4, 5)) AS s(source, batch, every)
        ON c % s.every = 0 OR s.source = 'retail_loyalty';
      CREATE TEMP TABLE bench_indexes AS
        SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'activities' AND indexname <> 'activities_pkey';
      DO $$ DECLARE i record; BEGIN
        FOR i IN SELECT indexname FROM bench_indexes LOOP EXECUTE format('DROP INDEX %I', i.indexname); END LOOP;
      END $$;
      INSERT INTO activities (batch_id, source, source_key, line_no, kind, business_unit, customer_id, customer_ref_by, customer_ref,
        occurred_at, amount, currency, channel, category, status, closed_at, csat, nps)
      SELECT 9, k.source, 'A' || g, g, k.kind, k.unit, 1 + (hashint8(g) & 2147483647) % ${customers}, 'source_key', 'x',
        t, CASE WHEN k.kind IN ('order', 'transaction') THEN round(((hashint8(g + 7) & 65535) / 100.0 - 30)::numeric, 2) END, 'USD',
        (ARRAY['store', 'web', 'phone', 'email', 'chat'])[1 + g % 5],
        (ARRAY['billing', 'delivery', 'card', 'account', 'product', 'returns'])[1 + (g / 7) % 6],
        CASE WHEN k.kind = 'ticket' THEN (ARRAY['closed', 'closed', 'closed', 'open', 'escalated'])[1 + g % 5] END,
        CASE WHEN k.kind = 'ticket' AND g % 5 < 3 THEN t + ((g % 200) || ' hours')::interval END,
        CASE WHEN k.kind = 'feedback' THEN 1 + g % 5 END, CASE WHEN k.kind = 'feedback' THEN g % 11 END
      FROM generate_series(1, ${activities}) g
      CROSS JOIN LATERAL (SELECT TIMESTAMP '2023-01-01' + ((hashint8(g + 3) & 2147483647) % (3 * 365 * 86400)) * INTERVAL '1 second' AS t) x
      JOIN (VALUES (0, 'retail_orders', 'order', 'Retail'), (1, 'card_transactions', 'transaction', 'Cards'),
                   (2, 'retail_orders', 'order', 'Retail'), (3, 'card_transactions', 'transaction', 'Cards'),
                   (4, 'support_tickets', 'ticket', 'Contact centre'), (5, 'survey_feedback', 'feedback', 'Web'))
        AS k(m, source, kind, unit) ON k.m = g % 6;
      DO $$ DECLARE i record; BEGIN
        FOR i IN SELECT indexdef FROM bench_indexes LOOP EXECUTE i.indexdef; END LOOP;
      END $$;
      ${REBUILD_ACTIVITY_TOTALS};
      ${activityTotalsTriggers(true)};`);
    await client.query('COMMIT');
    // As `golden run` leaves the tables after resolve: vacuumed (the visibility map the
    // reports' index-only scans rely on) and analyzed.
    await client.query(`VACUUM (ANALYZE) ${NIGHTLY_TABLES.join(', ')}`);
  } finally {
    await client.end();
  }
}
