import type { GoldenConfig } from '../config/index.js';
import { keyConstraints, plainIndexes, withoutIndexes } from '../db/bulk-indexes.js';
import type { Session } from '../db/index.js';
import { attachActivities, bulkRows, withActivityTotalsRebuilt } from './activities.js';
import { ATTRIBUTE_COLUMNS, ATTRIBUTES } from './columns.js';
import { hasRecordKeys } from './stages.js';
import { GOLDEN_COLUMNS, survivorshipSql, survivorshipUpdateSet } from './survivorship.js';

export interface WriteContext {
  runId: number;
  modelId: number;
  batches: readonly number[];
  startedAt: Date;
  /** Attach activities with their customer indexes dropped and rebuilt from this many unattached rows. @default bulkRows() */
  bulkRows?: number | undefined;
}

export interface WriteCounts {
  newCustomers: number;
  mergedCustomers: number;
  merges: number;
  activitiesAttached: number;
  reviewItems: number;
}

const ids = (list: readonly number[]) => (list.length === 0 ? 'NULL' : list.map((n) => String(Math.trunc(n))).join(', '));

/**
 * Runs fn, which loads `table`; when the table is empty (a first load) its indexes and
 * constraints are dropped first and rebuilt after (see withoutIndexes). fn learns whether it
 * runs in bulk mode (no unique index to resolve ON CONFLICT against).
 */
async function whenEmptyBulkLoad<T>(tx: Session, table: string, fn: (bulk: boolean) => Promise<T>): Promise<T> {
  const empty = (await tx.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`))[0]?.empty === true;
  if (!empty) return fn(false);
  return withoutIndexes(tx, table, [...(await keyConstraints(tx, table)), ...(await plainIndexes(tx, table))], () => fn(true));
}

async function count(tx: Session, sql: string): Promise<number> {
  const rows = await tx.query<{ n: number }>(sql);
  return Number(rows[0]?.n ?? 0);
}

/**
 * INSERT INTO table (columns) from `select`, in two steps: the rows into a scratch table by
 * CREATE TABLE AS, then inserted as they are. The SELECT of an INSERT never runs in parallel
 * (PostgreSQL 15), a CREATE TABLE AS's does: worth it where joins and sorts are most of the work.
 * `select` gives the columns in the order of `columns`; it can take no parameters.
 */
async function insertViaScratch(tx: Session, scratch: string, table: string, columns: string, select: string): Promise<void> {
  await tx.exec(`CREATE UNLOGGED TABLE ${scratch} AS ${select}`);
  await tx.exec(`INSERT INTO ${table} (${columns}) SELECT * FROM ${scratch}`);
}

/**
 * Merge in place, all inside the resolve transaction: new customers get ids after every id
 * ever used (so a loser's id is never reused), the survivor of a merge keeps the oldest id, the
 * losers' crosswalk rows, identifiers and activities move to it and the losers are deleted;
 * merge_log keeps the evidence and the undo data. Ids come from max()+n, not sequences, so a
 * killed and rerun resolve ends in exactly the state of an uninterrupted one.
 */
export async function writeResolution(
  tx: Session,
  config: GoldenConfig,
  ctx: WriteContext,
  step: (name: string) => void = () => {},
): Promise<WriteCounts> {
  const base = await count(
    tx,
    'SELECT greatest((SELECT max(id) FROM customers), (SELECT max(merged_id) FROM merge_log), (SELECT max(survivor_id) FROM merge_log), 0) AS n',
  );
  // Each new record's cluster (itself when alone); then each cluster's customer: the surviving
  // existing customer, or a new id in cluster order.
  await tx.exec(`CREATE UNLOGGED TABLE rs_newrec AS
    WITH c AS (
      SELECT d.id, coalesce(a.cluster, d.id) AS cluster FROM rs_delta d LEFT JOIN rs_assign a ON a.record_id = d.id WHERE d.change = 'new'
    )
    SELECT id AS record_id, cluster,
      CASE WHEN cluster < 0 THEN -cluster ELSE ${base} + dense_rank() OVER (PARTITION BY cluster > 0 ORDER BY cluster) END AS customer_id,
      cluster > 0 AS new_customer
    FROM c`);
  await tx.exec(`CREATE UNLOGGED TABLE rs_clusters AS
    SELECT DISTINCT cluster, customer_id FROM rs_newrec WHERE cluster IN (SELECT cluster FROM rs_joins)
    UNION SELECT cluster, -cluster FROM rs_joins WHERE cluster < 0`);
  await tx.exec('ANALYZE rs_clusters; ANALYZE rs_newrec');

  step('merge log');
  // 1. The merge log, written before anything moves so undo sees the state before the merge.
  // A join of new records only (every join of a first load) has nothing to undo: its rows are
  // computed in parallel (insertViaScratch; first load: 10.3-12.0 s inserted straight, 7.1 s so).
  // A join that absorbs customers keeps them, their activities and records.
  const mergeBase = await count(tx, 'SELECT coalesce(max(id), 0) AS n FROM merge_log');
  // Values, not parameters: CREATE TABLE AS takes none.
  const batch = ctx.batches.length ? String(Math.max(...ctx.batches.map(Math.trunc))) : 'NULL';
  const logRows = (merged: string, undo: string, records: string, where: string) => `
    SELECT ${mergeBase} + j.seq AS id, k.customer_id AS survivor_id, ${merged} AS merged_id,
      CASE WHEN j.weight IS NULL THEN 1 ELSE 1 / (1 + power(2, -j.weight)) END AS score,
      CASE WHEN j.kind = 'link' OR s.code IS NULL THEN jsonb_build_object('override', true)
           ELSE jsonb_build_object('modelId', ${Math.trunc(ctx.modelId)}::bigint, 'pattern', s.pattern, 'patternWeight', s.pattern_weight,
                                   'termFrequency', s.tf_adjust, 'rules', s.rules) END AS evidence,
      ${undo} AS undo, ${batch}::bigint AS batch_id, '${ctx.startedAt.toISOString()}'::timestamptz AS merged_at,
      ${Math.trunc(ctx.runId)}::bigint AS run_id, j.kind, j.left_record AS left_record_id, j.right_record AS right_record_id,
      j.weight, ${records} AS records
    FROM rs_joins j JOIN rs_clusters k ON k.cluster = j.cluster
    LEFT JOIN rs_edges s ON s.code = (least(j.left_record, j.right_record) << 31) | greatest(j.left_record, j.right_record)
    WHERE ${where}`;
  const logColumns = 'id, survivor_id, merged_id, score, evidence, undo, batch_id, merged_at, run_id, kind, left_record_id, right_record_id, weight, records';
  await whenEmptyBulkLoad(tx, 'merge_log', async () => {
    await insertViaScratch(tx, 'rs_merges', 'merge_log', logColumns, logRows('NULL::bigint', "'{}'::jsonb", 'j.new_records', 'cardinality(j.customers) = 0'));
    await tx.exec(`INSERT INTO merge_log (${logColumns}) ${logRows(
      '(SELECT min(x) FROM unnest(j.customers) x)',
      `jsonb_build_object(
        'customers', (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.id) FROM customers c WHERE c.id = ANY (j.customers)),
        'activities', (SELECT coalesce(jsonb_agg(a.id ORDER BY a.id), '[]') FROM activities a WHERE a.customer_id = ANY (j.customers)))`,
      'j.new_records || ARRAY(SELECT cs.id FROM customer_sources cs WHERE cs.customer_id = ANY (j.customers) ORDER BY cs.id)',
      'cardinality(j.customers) > 0',
    )}`);
  });
  const merges = await count(tx, 'SELECT count(*) AS n FROM rs_joins');

  step('absorb');
  // 2. Absorbed customers move into their survivors and disappear.
  await tx.exec(`
    UPDATE customer_sources cs SET customer_id = a.survivor FROM rs_absorb a WHERE cs.customer_id = a.loser;
    UPDATE activities x SET customer_id = a.survivor FROM rs_absorb a WHERE x.customer_id = a.loser;
    INSERT INTO customer_identifiers (customer_id, kind, value, source)
      SELECT a.survivor, ci.kind, ci.value, ci.source FROM customer_identifiers ci JOIN rs_absorb a ON ci.customer_id = a.loser
      ON CONFLICT DO NOTHING;
    DELETE FROM customer_identifiers ci USING rs_absorb a WHERE ci.customer_id = a.loser;
    DELETE FROM customers c USING rs_absorb a WHERE c.id = a.loser;`);
  const mergedCustomers = await count(tx, 'SELECT count(*) AS n FROM rs_absorb');

  step('new customers');
  // 3. New customers, their golden values chosen from their (all new) records, in parallel
  // (insertViaScratch; first load of 1.86M records: 18.3-20.4 s inserted straight, 14.9-17.2 s so).
  const attrs = ATTRIBUTE_COLUMNS.map((c) => `d.${c}`).join(', ');
  await insertViaScratch(
    tx,
    'rs_golden',
    'customers',
    `id, ${GOLDEN_COLUMNS.join(', ')}, customer_since, lineage`,
    `SELECT customer_id, ${GOLDEN_COLUMNS.join(', ')}, customer_since, lineage FROM (
      ${survivorshipSql(config, `(SELECT n.customer_id, d.id, d.source, d.batch_id AS seen, ${attrs}
         FROM rs_delta d JOIN rs_newrec n ON n.record_id = d.id WHERE n.new_customer)`)}
    ) s`,
  );
  const newCustomers = await count(tx, 'SELECT count(DISTINCT customer_id) AS n FROM rs_newrec WHERE new_customer');

  step('crosswalk');
  // 4. The crosswalk: new records in, changed records updated (their customer never changes).
  await whenEmptyBulkLoad(tx, 'customer_sources', () =>
    tx.exec(`INSERT INTO customer_sources (id, source, source_key, customer_id, ${ATTRIBUTES}, attributes_hash,
        first_seen_batch, last_seen_batch, updated_run, issues)
      SELECT d.id, d.source, d.source_key, n.customer_id, ${attrs}, d.attributes_hash, d.batch_id, d.batch_id, ${ctx.runId}, d.issues
      FROM rs_delta d JOIN rs_newrec n ON n.record_id = d.id`),
  );
  await tx.exec(`UPDATE customer_sources cs SET (${ATTRIBUTES}, attributes_hash, last_seen_batch, updated_run, issues) =
      (${attrs}, d.attributes_hash, d.batch_id, ${ctx.runId}, d.issues)
    FROM rs_delta d WHERE d.change = 'changed' AND cs.id = d.id;`);

  step('survivorship');
  // 5. Golden values of every existing customer that gained, lost or changed a record.
  await tx.exec(`CREATE UNLOGGED TABLE rs_touched AS
    SELECT survivor AS customer_id FROM rs_absorb
    UNION SELECT customer_id FROM rs_newrec WHERE NOT new_customer
    UNION SELECT cs.customer_id FROM customer_sources cs JOIN rs_delta d ON d.id = cs.id WHERE d.change = 'changed'`);
  await tx.exec(`UPDATE customers c SET ${survivorshipUpdateSet()},
      customer_since = least(c.customer_since, s.customer_since), lineage = c.lineage || s.lineage, updated_at = now()
    FROM (${survivorshipSql(
      config,
      `(SELECT cs.customer_id, cs.id, cs.source, cs.last_seen_batch AS seen, ${ATTRIBUTE_COLUMNS.map((c) => `cs.${c}`).join(', ')}
         FROM customer_sources cs WHERE cs.customer_id IN (SELECT customer_id FROM rs_touched))`,
    )}) s
    WHERE c.id = s.customer_id`);

  step('identifiers');
  // 6. Every e-mail and phone seen stays findable, in the form activities use and the matching form.
  await whenEmptyBulkLoad(tx, 'customer_identifiers', (bulk) =>
    tx.exec(`INSERT INTO customer_identifiers (customer_id, kind, value, source)
      WITH d AS MATERIALIZED (
        -- New records take their customer from rs_newrec (narrow), changed ones from the crosswalk.
        SELECT n.customer_id, x.source, x.email, x.email_match, x.other_emails, x.phone, x.other_phones
        FROM rs_delta x JOIN rs_newrec n ON n.record_id = x.id
        UNION ALL
        SELECT cs.customer_id, cs.source, cs.email, cs.email_match, cs.other_emails, cs.phone, cs.other_phones
        FROM rs_delta x JOIN customer_sources cs ON cs.id = x.id WHERE x.change = 'changed'
      )
      -- GROUP BY (hashed) rather than DISTINCT ON (a sort of every value): 3x faster at 1M records.
      -- unnest is called only for the few records with other e-mails or phones (as in
      -- blockingKeysSql): a call for each of 1.86M records cost 0.8 s per list.
      SELECT customer_id, kind, value, min(source) FROM (
        SELECT customer_id, 'email' AS kind, email AS value, source FROM d WHERE email IS NOT NULL
        UNION ALL SELECT customer_id, 'email', email_match, source FROM d WHERE email_match <> email
        UNION ALL SELECT customer_id, 'email', lower(x), source FROM d, unnest(other_emails) x WHERE cardinality(other_emails) > 0
        UNION ALL SELECT customer_id, 'phone', phone, source FROM d WHERE phone IS NOT NULL
        UNION ALL SELECT customer_id, 'phone', x, source FROM d, unnest(other_phones) x WHERE cardinality(other_phones) > 0
      ) v
      GROUP BY customer_id, kind, value
      ${bulk ? '' : 'ON CONFLICT DO NOTHING'}`),
  );

  step('record keys');
  // 7. Blocking keys for the next nights. A big first load builds the index once at the end.
  // record_keys is derived data (UNLOGGED; rebuilt from the crosswalk when lost). On a first
  // load the run's keys already are the whole table: it is renamed into place, not copied.
  if (!(await hasRecordKeys(tx))) {
    await tx.exec(`DROP TABLE record_keys;
      ALTER TABLE rs_keys DROP COLUMN is_delta;
      ALTER TABLE rs_keys RENAME TO record_keys;
      ALTER TABLE record_keys RESET (autovacuum_enabled);
      CREATE INDEX record_keys_key ON record_keys (key);`);
  } else {
    await tx.exec('INSERT INTO record_keys (key, record_id, rule) SELECT key, record_id, rule FROM rs_keys WHERE is_delta');
  }

  // 8. Activities that had no customer yet find theirs (staged rows get theirs as they move in,
  // after this transaction). Many of them: without the indexes that hold customer_id, rebuilt
  // once after (9.6M rows: 408 s updating them, 165 s rebuilding).
  const waiting = await count(tx, 'SELECT count(*) AS n FROM activities WHERE customer_id IS NULL');
  const bulkAttach = waiting >= bulkRows(ctx.bulkRows);
  step(bulkAttach ? 'activities (indexes rebuilt)' : 'activities');
  const activitiesAttached = await (bulkAttach
    ? withActivityTotalsRebuilt(tx, async () => withoutIndexes(tx, 'activities', await plainIndexes(tx, 'activities', 'customer_id'), () => attachActivities(tx)))
    : attachActivities(tx));

  step('review queue');
  // 9. Pairs for a person to decide; items whose records have since joined are settled.
  await tx.exec(`INSERT INTO review_queue (left_ref, right_ref, left_record_id, right_record_id, score, evidence, run_id)
    SELECT l.source || ':' || l.source_key, r.source || ':' || r.source_key, v.left_record, v.right_record,
      1 / (1 + power(2, -v.weight)),
      jsonb_build_object('modelId', ${ctx.modelId}, 'pattern', s.pattern, 'patternWeight', s.pattern_weight, 'termFrequency', s.tf_adjust),
      ${ctx.runId}
    FROM rs_review v
    JOIN customer_sources l ON l.id = v.left_record JOIN customer_sources r ON r.id = v.right_record
    LEFT JOIN rs_edges s ON s.code = (v.left_record << 31) | v.right_record
    ON CONFLICT (left_record_id, right_record_id) DO UPDATE SET score = EXCLUDED.score, evidence = EXCLUDED.evidence
      WHERE review_queue.status = 'open';
    DELETE FROM review_queue q USING customer_sources l, customer_sources r
    WHERE q.status = 'open' AND l.id = q.left_record_id AND r.id = q.right_record_id AND l.customer_id = r.customer_id;`);
  const reviewItems = await count(tx, "SELECT count(*) AS n FROM review_queue WHERE status = 'open'");

  step('batches');
  // 10. The batches are consumed: staging is transient.
  if (ctx.batches.length > 0) {
    await tx.exec(`UPDATE import_batches SET resolved_at = now() WHERE id IN (${ids(ctx.batches)})`);
    const pending = await count(
      tx,
      `SELECT count(*) AS n FROM import_batches WHERE kind = 'customers' AND status = 'loaded' AND resolved_at IS NULL`,
    );
    if (pending === 0) await tx.exec('TRUNCATE staging_records');
    else await tx.exec(`DELETE FROM staging_records WHERE batch_id IN (${ids(ctx.batches)})`);
  }
  return { newCustomers, mergedCustomers, merges, activitiesAttached, reviewItems };
}
