import type { GoldenConfig } from '../config/index.js';
import type { Database, Session } from '../db/index.js';
import { normalizeEmail, normalizePhone } from '../normalize/index.js';
import { blockingFingerprint, blockingKeysSql } from './blocking.js';
import { clusterGraph } from './graph.js';
import { probabilityToWeight } from './model.js';
import { scorePairs } from './score.js';
import { buildBlocklist, buildDelta, buildLevels, buildPairs, buildRecords, dropScratch, tuneForBulkWork } from './stages.js';
import { loadModel, trainModel } from './train.js';
import { settleActivities, stagedActivities, type SettleSummary } from './activities.js';
import { writeResolution, type WriteCounts } from './write.js';

export interface ResolveOptions {
  /** Compute everything, print what would merge, change nothing. */
  dryRun?: boolean;
  /** Candidate pairs per blocking rule and the pairs rules share. */
  explainBlocking?: boolean;
  onStage?: (stage: string) => void;
  /** From this many activity rows to move or attach, rebuild the indexes concerned rather than update them. @default BULK_ROWS */
  bulkRows?: number | undefined;
  /**
   * Move the staged activity rows into activities after the customers are resolved (a second
   * transaction). `golden run` says false when it stages activity files while resolve runs, and
   * moves them itself once both are done. @default true
   */
  settleActivities?: boolean | undefined;
}

export interface BlockingReport {
  rules: { name: string; pairs: number; only: number }[];
  shared: { left: string; right: string; pairs: number }[];
  total: number;
}

export interface MergePreview {
  customer: number | 'new';
  records: string[];
  probability: number | null;
}

export interface ResolveSummary extends WriteCounts {
  /** Staged activity rows moved into activities (in a dry run: what is staged). */
  activities: SettleSummary;
  batches: number;
  records: { new: number; changed: number; unchanged: number };
  candidatePairs: number;
  refusedByGuards: number;
  model: { id: number; trained: boolean };
  dryRun: boolean;
  blocking?: BlockingReport;
  preview?: MergePreview[];
  /** Seconds per stage, for tuning. */
  stages: Record<string, number>;
  seconds: number;
}

/** Thrown inside the transaction to roll a dry run back; carries its summary out. */
class DryRun extends Error {
  constructor(readonly summary: ResolveSummary) {
    super('dry run');
  }
}

/** Blocklist entries as written and in the normalised forms records carry. */
export function blocklistValues(config: GoldenConfig): string[] {
  const out: string[] = [];
  for (const raw of config.resolve.blocklist) {
    out.push(raw.trim().toLowerCase());
    const email = normalizeEmail(raw);
    if (email.email) out.push(email.email.toLowerCase());
    if (email.match) out.push(email.match);
    const phone = normalizePhone(raw, config.defaultCountry);
    if (phone.e164) out.push(phone.e164);
  }
  return out;
}

/** record_keys built from other blocking rules (or never built) are rebuilt from the crosswalk. */
async function ensureRecordKeys(tx: Session, config: GoldenConfig): Promise<void> {
  const fingerprint = blockingFingerprint(config.resolve.blocking);
  const rows = await tx.query<{ value: string }>("SELECT value #>> '{}' AS value FROM resolve_state WHERE name = 'blocking'");
  const lost = (await tx.query<{ lost: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM record_keys) AND EXISTS (SELECT 1 FROM customer_sources) AS lost',
  ))[0]?.lost === true;
  if (rows[0]?.value === fingerprint && !lost) return;
  await tx.exec('TRUNCATE record_keys');
  await tx.exec(`INSERT INTO record_keys (key, record_id, rule) ${blockingKeysSql(config.resolve.blocking, 'customer_sources', 'true')}`);
  await tx.query(
    `INSERT INTO resolve_state (name, value) VALUES ('blocking', to_jsonb($1::text))
     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
    [fingerprint],
  );
}

async function blockingReport(tx: Session, config: GoldenConfig): Promise<BlockingReport> {
  const names = config.resolve.blocking.map((r) => r.name);
  const perRule = await tx.query<{ rule: number; pairs: number; only: number }>(
    `SELECT r.rule, count(*) FILTER (WHERE p.rules & (1 << r.rule) <> 0)::bigint AS pairs,
       count(*) FILTER (WHERE p.rules = (1 << r.rule))::bigint AS only
     FROM rs_pairs p CROSS JOIN generate_series(0, ${names.length - 1}) AS r(rule) GROUP BY r.rule ORDER BY r.rule`,
  );
  const shared = await tx.query<{ a: number; b: number; pairs: number }>(
    `SELECT a.rule AS a, b.rule AS b, count(*)::bigint AS pairs
     FROM rs_pairs p CROSS JOIN generate_series(0, ${names.length - 1}) AS a(rule) CROSS JOIN generate_series(0, ${names.length - 1}) AS b(rule)
     WHERE a.rule < b.rule AND p.rules & (1 << a.rule) <> 0 AND p.rules & (1 << b.rule) <> 0
     GROUP BY a.rule, b.rule ORDER BY a.rule, b.rule`,
  );
  const [total] = (await tx.query<{ n: number }>('SELECT count(*)::bigint AS n FROM rs_pairs')) as [{ n: number }];
  return {
    rules: perRule.map((r) => ({ name: names[Number(r.rule)]!, pairs: Number(r.pairs), only: Number(r.only) })),
    shared: shared.map((s) => ({ left: names[Number(s.a)]!, right: names[Number(s.b)]!, pairs: Number(s.pairs) })),
    total: Number(total.n),
  };
}

async function preview(tx: Session, limit: number): Promise<MergePreview[]> {
  const rows = await tx.query<{ cluster: number; records: string[]; weight: number | null }>(
    `SELECT j.cluster, max(j.weight) AS weight,
       array_agg(DISTINCT coalesce(d.source, cs.source) || ':' || coalesce(d.source_key, cs.source_key)) AS records
     FROM rs_joins j
     CROSS JOIN LATERAL unnest(j.new_records || ARRAY[j.left_record, j.right_record]) AS m(id)
     LEFT JOIN rs_delta d ON d.id = m.id LEFT JOIN customer_sources cs ON cs.id = m.id
     GROUP BY j.cluster ORDER BY j.cluster LIMIT ${Math.trunc(limit)}`,
  );
  return rows.map((r) => ({
    customer: Number(r.cluster) < 0 ? -Number(r.cluster) : 'new',
    records: r.records,
    probability: r.weight === null ? null : 1 / (1 + 2 ** -Number(r.weight)),
  }));
}

async function countChanges(tx: Session): Promise<ResolveSummary['records']> {
  const rows = await tx.query<{ change: string; n: number }>('SELECT change, count(*)::bigint AS n FROM rs_delta GROUP BY change');
  const get = (c: string) => Number(rows.find((r) => r.change === c)?.n ?? 0);
  return { new: get('new'), changed: get('changed'), unchanged: get('same') };
}

/**
 * `golden resolve`: staged records are matched against the existing customers and each other
 * and merged in place. One transaction: a crash or a kill rolls everything back and the next
 * run starts again from the same staged batches, so it converges to the same state.
 */
export async function resolve(db: Database, config: GoldenConfig, options: ResolveOptions = {}): Promise<ResolveSummary> {
  const started = new Date();
  const stages: Record<string, number> = {};
  let current = 'start';
  let since = Date.now();
  const stage = (name: string) => {
    stages[current] = (Date.now() - since) / 1000;
    current = name;
    since = Date.now();
    options.onStage?.(name);
  };
  try {
    const resolved = await db.transaction(async (tx) => {
      const batchRows = await tx.query<{ id: number }>(
        "SELECT id FROM import_batches WHERE kind = 'customers' AND status = 'loaded' AND resolved_at IS NULL ORDER BY id",
      );
      const batches = batchRows.map((b) => Number(b.id));
      await tuneForBulkWork(tx, db.engine);
      await dropScratch(tx);
      await buildBlocklist(tx, blocklistValues(config));
      await ensureRecordKeys(tx, config);
      stage('reading staged records');
      await buildDelta(tx, batches, 'resolve');
      const records = await countChanges(tx);
      if (batches.length === 0 && records.new + records.changed === 0 && (await loadModel(tx)) === null) {
        // Never resolved and nothing to resolve (activity files came before any customer file):
        // no model is trained on nothing, which would then be kept and used for the real data.
        await dropScratch(tx);
        return nothingResolved(records, options.dryRun === true, stages);
      }
      stage('blocking');
      await buildPairs(tx, config);
      const blocking = options.explainBlocking ? await blockingReport(tx, config) : undefined;
      let stored = await loadModel(tx);
      const trained = stored === null;
      stage('comparing');
      await buildRecords(tx, config, trained);
      await buildLevels(tx);
      if (stored === null) {
        stage('training');
        stored = await trainModel(tx, config);
      }
      stage('scoring');
      await scorePairs(tx, config, stored.model, stored.id);
      const [pairs] = (await tx.query<{ n: number }>('SELECT count(*)::bigint AS n FROM rs_pairs')) as [{ n: number }];
      stage('clustering');
      const graph = await clusterGraph(tx, probabilityToWeight(config.resolve.autoMergeAt));
      const base = {
        batches: batches.length,
        records,
        candidatePairs: Number(pairs.n),
        refusedByGuards: graph.refused,
        model: { id: stored.id, trained },
        blocking,
      };
      if (options.dryRun) {
        const [{ n: newCustomers }] = (await tx.query<{ n: number }>(
          `SELECT count(*)::bigint AS n FROM (SELECT DISTINCT coalesce(a.cluster, d.id) AS c FROM rs_delta d
             LEFT JOIN rs_assign a ON a.record_id = d.id WHERE d.change = 'new') x WHERE c > 0`,
        )) as [{ n: number }];
        throw new DryRun({
          ...base,
          newCustomers: Number(newCustomers),
          mergedCustomers: graph.absorbed,
          merges: graph.joins,
          activitiesAttached: 0,
          activities: await stagedActivities(tx),
          reviewItems: graph.review,
          dryRun: true,
          preview: await preview(tx, 20),
          stages,
          seconds: (Date.now() - started.getTime()) / 1000,
        });
      }
      stage('merging');
      const [{ n: runId }] = (await tx.query<{ n: number }>('SELECT coalesce(max(id), 0) + 1 AS n FROM resolve_runs')) as [{ n: number }];
      const counts = await writeResolution(tx, config, { runId: Number(runId), modelId: stored.id, batches, startedAt: started, bulkRows: options.bulkRows }, (s) =>
        stage(`write: ${s}`),
      );
      stage('cleanup');
      await dropScratch(tx);
      const summary: ResolveSummary = { ...base, ...counts, activities: NOTHING_SETTLED, dryRun: false, stages, seconds: 0 };
      await tx.query('INSERT INTO resolve_runs (id, model_id, started_at, counts) VALUES ($1, $2, $3, $4)', [
        Number(runId),
        stored.id,
        started,
        JSON.stringify({ ...counts, records, candidatePairs: base.candidatePairs }),
      ]);
      return summary;
    });
    if (options.dryRun) resolved.activities = await stagedActivities(db);
    else if (options.settleActivities !== false) resolved.activities = await settleActivities(db, { bulkRows: options.bulkRows, onStage: stage });
    stage('done');
    resolved.seconds = (Date.now() - started.getTime()) / 1000;
    return resolved;
  } catch (error) {
    if (error instanceof DryRun) return error.summary;
    throw error;
  }
}

function nothingResolved(records: ResolveSummary['records'], dryRun: boolean, stages: Record<string, number>): ResolveSummary {
  return {
    batches: 0,
    records,
    candidatePairs: 0,
    refusedByGuards: 0,
    model: { id: 0, trained: false },
    newCustomers: 0,
    mergedCustomers: 0,
    merges: 0,
    activitiesAttached: 0,
    reviewItems: 0,
    activities: NOTHING_SETTLED,
    dryRun,
    stages,
    seconds: 0,
  };
}

const NOTHING_SETTLED: SettleSummary = { batches: 0, rows: 0, unattached: 0, replaced: 0, bulk: false, seconds: 0 };
