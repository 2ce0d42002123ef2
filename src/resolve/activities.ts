import pLimit from 'p-limit';
import {
  attachConstraints,
  dropDefinitions,
  keyConstraints,
  missingIndexBuilds,
  plainIndexes,
  runIndexBuild,
  withoutIndexes,
  type Definition,
  type IndexBuild,
} from '../db/bulk-indexes.js';
import type { Database, Queryable, Session } from '../db/index.js';
import { ACTIVITY_COLUMNS } from '../importer/staging-rows.js';
import { bulkRowsForTests, hookPoint } from '../test-hooks.js';
import { tuneForBulkWork } from './stages.js';

/**
 * From this many rows, moving or attaching activities drops the indexes concerned and builds
 * them once after, rather than updating them row by row (see withoutIndexes for the figures).
 */
export const BULK_ROWS = 200_000;

/**
 * A move into activities rebuilds its indexes only when it is large beside the table: building
 * costs about 12 µs per row of the whole table, updating about 47 µs per new row once the
 * indexes outgrow the cache (measured on 9.6M rows), so rebuilding wins from about a quarter.
 */
const BULK_SHARE = 4;

export interface SettleSummary {
  /** Activity files whose rows moved. */
  batches: number;
  /** Rows moved into activities. */
  rows: number;
  /** Of those, rows whose customer is not known yet (a later resolve attaches them). */
  unattached: number;
  /** Rows dropped because a newer export of the same key came: earlier rows, or staged rows of an older file. */
  replaced: number;
  /** The indexes of activities were dropped and built again. */
  bulk: boolean;
  seconds: number;
}

export interface SettleOptions {
  /** @default BULK_ROWS */
  bulkRows?: number | undefined;
  onStage?: ((stage: string) => void) | undefined;
}

/** The bulk threshold: as given, else the tests' GOLDEN_BULK_ROWS, else BULK_ROWS. */
export const bulkRows = (given: number | undefined): number => given ?? bulkRowsForTests() ?? BULK_ROWS;

const count = async (tx: Session, sql: string, params: readonly unknown[] = []) =>
  Number((await tx.query<{ n: number }>(sql, params))[0]?.n ?? 0);

/** The customer an activity names: by source key through the crosswalk, by e-mail or phone through the identifiers. */
const CUSTOMER_OF = (a: string, cs: string) => `CASE WHEN ${a}.customer_ref_by = 'source_key' THEN ${cs}.customer_id
  ELSE (SELECT min(ci.customer_id) FROM customer_identifiers ci WHERE ci.kind = ${a}.customer_ref_by AND ci.value = ${a}.customer_ref) END`;
const CROSSWALK_OF = (a: string, cs: string) =>
  `${a}.customer_ref_by = 'source_key' AND ${cs}.source = ${a}.customer_ref_source AND ${cs}.source_key = ${a}.customer_ref`;


/** The INSERT … SELECT moving staged rows (of the batches in $1 when `some`) into activities. */
const MOVE_SQL = (some: boolean) => `INSERT INTO activities (${ACTIVITY_COLUMNS.join(', ')}, customer_id)
  SELECT ${ACTIVITY_COLUMNS.map((c) => `a.${c}`).join(', ')}, ${CUSTOMER_OF('a', 'cs')}
  FROM staging_activities a LEFT JOIN customer_sources cs ON ${CROSSWALK_OF('a', 'cs')}${some ? ' WHERE a.batch_id = ANY ($1)' : ''}`;

/**
 * Moves the staged activity rows of every imported, unsettled file into activities, each with
 * its customer joined in. A newer export of a key replaces the older rows (a ticket exported
 * open, later closed); among files staged together the newest wins.
 *
 * Usually one transaction: a crash rolls the whole move back and the rows stay staged for the
 * next run. A large move on PostgreSQL instead runs on two sessions (finishPendingMove), in
 * steps that each commit and are recorded, and a crash there is finished by the next settle.
 */
export async function settleActivities(db: Database, options: SettleOptions = {}): Promise<SettleSummary> {
  const started = Date.now();
  const finished = await finishPendingMove(db, options);
  const summary = await db.transaction(async (tx) => {
    // No file can be staged meanwhile (they take the run lock too, but this is the guarantee
    // that what was counted is what gets moved and truncated).
    await tx.exec('LOCK TABLE staging_activities IN EXCLUSIVE MODE');
    // The move joins 9.6M staged rows to the crosswalk: with the default 4 MB of work_mem that
    // hash join went to disk in 32 batches (18.4 s against 9.6 s for the SELECT alone).
    await tuneForBulkWork(tx, db.engine);
    const batches = (
      await tx.query<{ id: number; source: string }>(
        "SELECT id, source FROM import_batches WHERE kind = 'activities' AND status = 'loaded' AND settled_at IS NULL ORDER BY id",
      )
    ).map((b) => ({ id: Number(b.id), source: b.source }));
    const summary: SettleSummary = { ...NOTHING_MOVED, batches: batches.length };
    if (batches.length === 0) return summary;
    options.onStage?.('activities: planning');
    await tx.exec('ANALYZE staging_activities');
    const staged = await count(tx, 'SELECT count(*) AS n FROM staging_activities');
    const existing = await count(tx, "SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'activities'::regclass");
    const empty = await count(tx, 'SELECT count(*) AS n FROM (SELECT 1 FROM activities LIMIT 1) x') === 0;
    summary.bulk = staged >= bulkRows(options.bulkRows) && staged * BULK_SHARE >= existing;

    const replace = async () => {
      options.onStage?.('activities: replacing');
      if (!empty) {
        summary.replaced += await count(
          tx,
          `WITH gone AS (
             DELETE FROM activities a USING (SELECT DISTINCT source, source_key FROM staging_activities) s
             WHERE a.source = s.source AND a.source_key = s.source_key RETURNING 1
           ) SELECT count(*) AS n FROM gone`,
        );
      }
      // Two staged files of one source may repeat keys: only the newest file's rows go in.
      const repeated = new Set(batches.map((b) => b.source)).size < batches.length;
      let olderStaged = 0;
      if (repeated) {
        olderStaged = await count(
          tx,
          `WITH gone AS (
             DELETE FROM staging_activities s USING (
               SELECT source, source_key, max(batch_id) AS newest FROM staging_activities GROUP BY source, source_key HAVING min(batch_id) <> max(batch_id)
             ) n WHERE s.source = n.source AND s.source_key = n.source_key AND s.batch_id < n.newest RETURNING 1
           ) SELECT count(*) AS n FROM gone`,
        );
        summary.replaced += olderStaged;
      }
      summary.rows = staged - olderStaged;
    };
    const move = async () => {
      await replace();
      options.onStage?.('activities: moving');
      // staging_activities has the columns the import COPYs into it, all of which activities has too.
      await tx.exec(MOVE_SQL(false));
      if (summary.bulk) options.onStage?.('activities: building indexes');
      hookPoint('settle:moved');
    };
    const everyIndex = async () => [...(await keyConstraints(tx, 'activities')), ...(await plainIndexes(tx, 'activities'))];
    if (summary.bulk && db.engine === 'postgres') {
      // Replaced rows go and the indexes are dropped here; the rest commits step by step.
      await replace();
      const drop = await everyIndex();
      const pending: PendingMove = { batches: batches.map((b) => b.id), drop, rows: summary.rows, replaced: summary.replaced };
      await tx.query('INSERT INTO resolve_state (name, value) VALUES ($1, $2)', [PENDING_MOVE, JSON.stringify(pending)]);
      await dropDefinitions(tx, 'activities', drop);
      await tx.exec(activityTotalsTriggers(false));
      return summary;
    }
    if (summary.bulk) {
      await withActivityTotalsRebuilt(tx, async () => {
        await withoutIndexes(tx, 'activities', await everyIndex(), move);
        options.onStage?.('activities: building totals');
      });
    } else {
      await move();
    }
    options.onStage?.('activities: finishing');
    summary.unattached = await count(tx, 'SELECT count(*) AS n FROM activities WHERE customer_id IS NULL AND batch_id = ANY ($1)', [batches.map((b) => b.id)]);
    await tx.query('UPDATE import_batches SET settled_at = now() WHERE id = ANY ($1)', [batches.map((b) => b.id)]);
    await tx.exec('TRUNCATE staging_activities');
    hookPoint('settle:before-commit');
    return summary;
  });
  if (summary.bulk && db.engine === 'postgres') {
    const moved = await finishPendingMove(db, options);
    summary.unattached = moved.unattached;
  }
  const total = addSettled(finished, summary);
  total.seconds = (Date.now() - started) / 1000;
  return total;
}

const NOTHING_MOVED: SettleSummary = { batches: 0, rows: 0, unattached: 0, replaced: 0, bulk: false, seconds: 0 };

function addSettled(a: SettleSummary, b: SettleSummary): SettleSummary {
  return {
    batches: a.batches + b.batches,
    rows: a.rows + b.rows,
    unattached: a.unattached + b.unattached,
    replaced: a.replaced + b.replaced,
    bulk: a.bulk || b.bulk,
    seconds: a.seconds + b.seconds,
  };
}

/** resolve_state's row for a large move under way on PostgreSQL: what it moves and what it dropped. */
const PENDING_MOVE = 'activities: bulk move';

interface PendingMove {
  batches: number[];
  /** The indexes and constraints of activities it dropped, to be made again. */
  drop: Definition[];
  rows: number;
  replaced: number;
}

/** Sessions a large move uses: a second core does half the INSERT, the index builds and the totals. */
const MOVE_SESSIONS = 2;

/**
 * Finishes a large move whose first step committed (settleActivities): the activities' indexes
 * are dropped and their totals' triggers off. On two sessions at once it moves the batches not
 * yet moved (each share of them in one transaction that also marks them settled), builds the
 * missing indexes, rebuilds the totals, then attaches the constraints, switches the triggers
 * back on and clears the staged rows in one last transaction. Every step can be cut short: the
 * next call (every settle starts with one) takes up what is left, so a crash converges.
 *
 * Measured on a first night's 9.6M activities (2 cores): one session took 37 s to insert, 24 s
 * to build the indexes and 17 s for the totals, with the second core idle.
 */
async function finishPendingMove(db: Database, options: SettleOptions): Promise<SettleSummary> {
  const [state] = await db.query<{ value: PendingMove }>('SELECT value FROM resolve_state WHERE name = $1', [PENDING_MOVE]);
  if (state === undefined) return { ...NOTHING_MOVED };
  const pending = state.value;
  const limit = pLimit(MOVE_SESSIONS);

  options.onStage?.('activities: moving');
  const left = await db.query<{ id: number; rows: number }>(
    'SELECT id, rows_loaded AS rows FROM import_batches WHERE id = ANY ($1) AND settled_at IS NULL ORDER BY rows_loaded DESC, id',
    [pending.batches],
  );
  await Promise.all(
    shares(left.map((b) => ({ id: Number(b.id), rows: Number(b.rows) })), MOVE_SESSIONS).map((share) =>
      limit(() =>
        db.transaction(async (tx) => {
          await tuneForBulkWork(tx, db.engine);
          await tx.query(MOVE_SQL(true), [share]);
          await tx.query('UPDATE import_batches SET settled_at = now() WHERE id = ANY ($1)', [share]);
        }),
      ),
    ),
  );
  hookPoint('settle:moved');

  options.onStage?.('activities: building indexes and totals');
  // The index builds and the totals in one queue: the totals scan the table and need none of
  // the indexes (CREATE INDEX takes a SHARE lock, which lets them read). Roughly longest first, so
  // the two sessions end together (first night, 9.6M activities: 18.5 s of builds then 12.0 s of
  // totals, one session idle at each tail). customer_activity (one row per customer, most of
  // the totals' time) in two halves, odd and even customer ids (ranges of ids hold very unequal
  // numbers of activities). A cut leaves missing indexes, and empty or partial totals, which the
  // next call builds again.
  await db.exec(`TRUNCATE ${ACTIVITY_TOTALS.map(([table]) => table).join(', ')}`);
  const fill = (sql: string) => () =>
    db.transaction(async (tx) => {
      await tuneForBulkWork(tx, db.engine);
      await tx.exec(sql);
    });
  const builds = await missingIndexBuilds(db, 'activities', pending.drop);
  // Partial and BRIN indexes hold or read little: after the whole-table B-trees.
  const small = (b: IndexBuild) => / USING brin | WHERE /.test(b.sql);
  const jobs = [
    ...[0, 1].map((half) => fill(fillTotals('customer_activity', 'customer_activity_live', `customer_id % 2 = ${half}`))),
    ...[...builds.filter((b) => !small(b)), ...builds.filter(small)].map((b) => () => runIndexBuild(db, b, MOVE_SESSIONS)),
    ...ACTIVITY_TOTALS.filter(([table]) => table !== 'customer_activity').map(([table, definition]) => fill(fillTotals(table, definition))),
  ];
  let done = 0;
  await Promise.all(
    jobs.map((job) =>
      limit(async () => {
        await job();
        if (++done === 1) hookPoint('settle:built-one'); // some indexes or totals are in, others not
      }),
    ),
  );

  options.onStage?.('activities: finishing');
  return db.transaction(async (tx) => {
    await tx.exec('LOCK TABLE staging_activities IN EXCLUSIVE MODE');
    await attachConstraints(tx, 'activities', pending.drop);
    await tx.exec(activityTotalsTriggers(true));
    const unattached = await count(tx, 'SELECT count(*) AS n FROM activities WHERE customer_id IS NULL AND batch_id = ANY ($1)', [pending.batches]);
    // Rows of files staged since (a run after a crash) stay for their own move.
    const others = await count(
      tx,
      "SELECT count(*) AS n FROM import_batches WHERE kind = 'activities' AND status = 'loaded' AND settled_at IS NULL AND id <> ALL ($1)",
      [pending.batches],
    );
    if (others === 0) await tx.exec('TRUNCATE staging_activities');
    else await tx.query('DELETE FROM staging_activities WHERE batch_id = ANY ($1)', [pending.batches]);
    await tx.query('DELETE FROM resolve_state WHERE name = $1', [PENDING_MOVE]);
    hookPoint('settle:before-commit');
    return { batches: pending.batches.length, rows: pending.rows, unattached, replaced: pending.replaced, bulk: true, seconds: 0 };
  });
}

/** Splits batches into `n` shares of about equal rows (largest first, each to the lightest share). */
function shares(batches: readonly { id: number; rows: number }[], n: number): number[][] {
  const out = Array.from({ length: n }, () => ({ rows: 0, ids: [] as number[] }));
  for (const b of batches) {
    const lightest = out.reduce((a, c) => (c.rows < a.rows ? c : a));
    lightest.rows += b.rows;
    lightest.ids.push(b.id);
  }
  return out.filter((s) => s.ids.length > 0).map((s) => s.ids);
}

/** The triggers on activities that keep the activity totals up to date (migration 0007). */
const TOTALS_TRIGGERS = ['activity_totals_insert', 'activity_totals_update', 'activity_totals_delete'];

/** SQL switching the activity-totals triggers off or on (inside a transaction that then rebuilds the totals). */
export const activityTotalsTriggers = (on: boolean): string =>
  TOTALS_TRIGGERS.map((t) => `ALTER TABLE activities ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`).join('; ');

const ACTIVITY_TOTALS = [
  ['customer_activity', 'customer_activity_live'],
  ['source_activity', 'source_activity_live'],
  ['source_activity_issues', 'source_activity_issues_live'],
  ['monthly_activity', 'monthly_activity_live'],
] as const;

/** SQL filling an (emptied) activity-totals table from the view that defines it, or the part of it `where` selects. */
const fillTotals = (table: string, definition: string, where?: string) =>
  `INSERT INTO ${table} SELECT * FROM ${definition}${where ? ` WHERE ${where}` : ''} ORDER BY 1`;

/** SQL building each activity-totals table whole from the view that defines it. */
export const REBUILD_ACTIVITY_TOTALS = ACTIVITY_TOTALS.map(([table, definition]) => `TRUNCATE ${table}; ${fillTotals(table, definition)}`).join('; ');

/**
 * Runs a bulk write to activities with the activity-totals triggers off, then builds the
 * totals whole from activities, all in the caller's transaction. Per statement the triggers
 * would keep millions of changed rows aside and recompute most customers through the index
 * being rebuilt; one pass in customer order after the indexes are back is cheaper (about 12 s
 * for 9.6M activities).
 */
export async function withActivityTotalsRebuilt<T>(tx: Session, fn: () => Promise<T>): Promise<T> {
  await tx.exec(activityTotalsTriggers(false));
  const result = await fn();
  await tx.exec(REBUILD_ACTIVITY_TOTALS);
  await tx.exec(activityTotalsTriggers(true));
  return result;
}

/** Gives the activities that wait for a customer theirs: by source key, then by e-mail or phone. Returns how many. */
export async function attachActivities(tx: Session): Promise<number> {
  const byKey = await count(
    tx,
    `WITH by_key AS (
      UPDATE activities a SET customer_id = cs.customer_id FROM customer_sources cs
      WHERE a.customer_id IS NULL AND ${CROSSWALK_OF('a', 'cs')}
      RETURNING 1
    ) SELECT count(*) AS n FROM by_key`,
  );
  const byIdentifier = await count(
    tx,
    `WITH by_identifier AS (
      UPDATE activities a SET customer_id = (
        SELECT min(ci.customer_id) FROM customer_identifiers ci WHERE ci.kind = a.customer_ref_by AND ci.value = a.customer_ref)
      WHERE a.customer_id IS NULL AND a.customer_ref_by IN ('email', 'phone')
        AND EXISTS (SELECT 1 FROM customer_identifiers ci WHERE ci.kind = a.customer_ref_by AND ci.value = a.customer_ref)
      RETURNING 1
    ) SELECT count(*) AS n FROM by_identifier`,
  );
  return byKey + byIdentifier;
}

/** What a settle would move now: the unsettled activity files and their staged rows. */
export async function stagedActivities(tx: Queryable): Promise<SettleSummary> {
  const [row] = await tx.query<{ batches: number; rows: number }>(
    `SELECT count(*)::int AS batches, coalesce(sum(rows_loaded), 0)::bigint AS rows FROM import_batches
     WHERE kind = 'activities' AND status = 'loaded' AND settled_at IS NULL`,
  );
  return { batches: Number(row?.batches ?? 0), rows: Number(row?.rows ?? 0), unattached: 0, replaced: 0, bulk: false, seconds: 0 };
}
