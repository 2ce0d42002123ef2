import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type GoldenConfig } from '../../src/config/index.js';
import type { Database, Queryable } from '../../src/db/index.js';
import { ExitCode } from '../../src/errors.js';
import { importAll } from '../../src/importer/index.js';
import { COMPARISONS, resolve, retrain, type TrainSummary } from '../../src/resolve/index.js';
import { levelWeight, priorWeight } from '../../src/resolve/model.js';
import { loadModel, loadModelById } from '../../src/resolve/train.js';
import { golden, REPO } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { Workspace } from '../helpers/workspace.js';
import { canonicalDump, customerIds, resetDatabase } from './helpers.js';

/**
 * `golden train` on the 60-person demo: a new model is stored and used from then on, its
 * summary compares every level's weight, and the customers stay exactly as they were.
 */

const DEMO = path.join(REPO, 'fixtures/demo');
const workspaces: Workspace[] = [];
afterAll(() => workspaces.forEach((w) => w.remove()));

function demoWorkspace(resolveConfig: Record<string, unknown> = {}): Workspace {
  const ws = new Workspace();
  cpSync(DEMO, ws.dir, { recursive: true });
  workspaces.push(ws);
  if (Object.keys(resolveConfig).length > 0) {
    const file = ws.path('golden.config.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    json.resolve = { ...(json.resolve as object | undefined), ...resolveConfig };
    writeFileSync(file, JSON.stringify(json, null, 2));
  }
  return ws;
}

async function load(db: Database, ws: Workspace): Promise<GoldenConfig> {
  const config = await loadConfig(ws.path('golden.config.json'));
  await importAll(db, config);
  const summary = await resolve(db, config);
  expect(summary.model).toEqual({ id: 1, trained: true });
  return config;
}

/** Everything training must leave alone, ids included. */
async function state(db: Queryable) {
  const { models, ...dump } = await canonicalDump(db);
  const [counts] = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM record_keys)::int AS record_keys, (SELECT count(*) FROM resolve_runs)::int AS runs,
       (SELECT count(*) FROM merge_log)::int AS merges, (SELECT count(*) FROM review_queue)::int AS review,
       (SELECT count(*) FROM customers)::int AS customers, (SELECT max(id) FROM customers)::int AS max_customer`,
  );
  const customers = await db.query('SELECT * FROM customers ORDER BY id');
  const sources = await db.query('SELECT * FROM customer_sources ORDER BY id');
  return { models, dump, ids: await customerIds(db), counts, customers: JSON.stringify(customers), sources: JSON.stringify(sources) };
}

async function scratchTables(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'rs\\_%'");
  return rows.map((r) => r.name);
}

const LEVELS = COMPARISONS.flatMap((c) => c.levels.map((l) => `${c.label} / ${l.label}`));

describeEachDatabase('golden train', (db) => {
  let config: GoldenConfig;
  let before: Awaited<ReturnType<typeof state>>;
  let summary: TrainSummary;

  beforeAll(async () => {
    config = await load(db(), demoWorkspace());
    before = await state(db());
    summary = await retrain(db(), config);
  });

  it('stores a new model with a higher id, which loadModel then returns', async () => {
    expect(summary.previousModelId).toBe(1);
    expect(summary.modelId).toBeGreaterThan(1);
    const rows = await db().query<{ id: number; record_count: number; pair_count: number }>(
      'SELECT id, record_count, pair_count FROM match_models ORDER BY id',
    );
    expect(rows.map((r) => Number(r.id))).toEqual([1, summary.modelId]);
    const stored = rows.at(-1)!;
    const [{ n }] = (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM customer_sources')) as [{ n: number }];
    expect(summary.records).toBe(Number(n));
    expect(Number(stored.record_count)).toBe(summary.records);
    expect(Number(stored.pair_count)).toBe(summary.candidatePairs);
    expect(summary.candidatePairs).toBeGreaterThan(0);

    const loaded = await loadModel(db());
    expect(loaded?.id).toBe(summary.modelId);
    expect(loaded?.model).toEqual(await loadModelById(db(), summary.modelId));
    expect(loaded!.model.comparisons.map((c) => c.name)).toEqual(COMPARISONS.map((c) => c.name));
    // Term frequencies were counted for the new model.
    const [tf] = (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM match_term_frequencies WHERE model_id = $1', [summary.modelId])) as [{ n: number }];
    expect(Number(tf.n)).toBeGreaterThan(0);
    // The scratch tables are gone.
    expect(await scratchTables(db())).toEqual([]);
  });

  it('retrained on unchanged data, reproduces the model the first load trained', async () => {
    const first = await loadModelById(db(), 1);
    const now = await loadModelById(db(), summary.modelId);
    expect(now!.lambda).toBeCloseTo(first!.lambda, 9);
    expect(now!.prior).toBeCloseTo(first!.prior, 12);
    now!.comparisons.forEach((c, i) =>
      c.levels.forEach((l, k) => {
        expect(l.m, `${c.name} ${l.label} m`).toBeCloseTo(first!.comparisons[i]!.levels[k]!.m, 9);
        expect(l.u, `${c.name} ${l.label} u`).toBeCloseTo(first!.comparisons[i]!.levels[k]!.u, 9);
      }),
    );
  });

  it('lists every comparison level with its weight before and after', async () => {
    const previous = (await loadModelById(db(), 1))!;
    const current = (await loadModelById(db(), summary.modelId))!;
    expect(summary.levels.map((l) => `${l.comparison} / ${l.level}`)).toEqual(LEVELS);
    let at = 0;
    COMPARISONS.forEach((c, i) =>
      c.levels.forEach((_, k) => {
        const level = summary.levels[at++]!;
        expect(level.before).not.toBeNull();
        expect(level.before).toBeCloseTo(levelWeight(previous, i, k + 1), 9);
        expect(level.after).toBeCloseTo(levelWeight(current, i, k + 1), 9);
        expect(Number.isFinite(level.after)).toBe(true);
      }),
    );
    expect(summary.prior.before).toBeCloseTo(priorWeight(previous), 12);
    expect(summary.prior.after).toBeCloseTo(priorWeight(current), 12);
    expect(summary.seconds).toBeGreaterThanOrEqual(0);
  });

  it('leaves customers, crosswalk, merges and keys exactly as they were', async () => {
    const after = await state(db());
    expect(after.models).toBe(before.models + 1);
    expect(after.dump).toEqual(before.dump);
    expect(after.ids).toEqual(before.ids);
    expect(after.counts).toEqual(before.counts);
    expect(after.customers).toBe(before.customers);
    expect(after.sources).toBe(before.sources);
  });

  it('trains again on top of the trained model, and resolve scores with the newest', async () => {
    const again = await retrain(db(), config);
    expect(again.previousModelId).toBe(summary.modelId);
    expect(again.modelId).toBe(summary.modelId + 1);
    // Same data, same weights.
    for (const level of again.levels) expect(level.after).toBeCloseTo(level.before!, 9);
    const run = await resolve(db(), config);
    expect(run.model).toEqual({ id: again.modelId, trained: false });
    expect((await state(db())).dump).toEqual(before.dump);
  });

  it('trains with the configured blocklist, as the first load did', async () => {
    // A landline four demo records share: blocklisted, it is no evidence for resolve's training,
    // so retraining on the same data must give the same model again.
    await resetDatabase(db());
    const blocked = await load(db(), demoWorkspace({ blocklist: ['+18724592900'] }));
    const [{ n }] = (await db().query<{ n: number }>("SELECT count(*)::int AS n FROM customer_sources WHERE phone = '+18724592900'")) as [{ n: number }];
    expect(Number(n)).toBeGreaterThan(1);
    const trained = await retrain(db(), blocked);
    const changed = trained.levels.filter((l) => Math.abs(l.after - l.before!) > 1e-9).map((l) => `${l.comparison} / ${l.level}: ${l.before} → ${l.after}`);
    expect(changed.length, `weights retraining changed:\n${changed.slice(0, 6).join('\n')}`).toBe(0);
    expect(trained.prior.after).toBeCloseTo(trained.prior.before!, 9);
  });
});

describe('golden train on the command line', () => {
  it('prints the summary as JSON and exits 0 [pglite dir]', async () => {
    const ws = demoWorkspace();
    const flags = ['--db', ws.path('db')];
    const run = await golden(['run', ...flags], { cwd: ws.dir });
    expect([ExitCode.ok, ExitCode.rejects], run.stderr).toContain(run.code);
    const trained = await golden(['train', '--json', ...flags], { cwd: ws.dir });
    expect(trained.code, trained.stderr).toBe(ExitCode.ok);
    const json = JSON.parse(trained.stdout) as TrainSummary & { peakRssMb: number };
    expect(json.modelId).toBe(2);
    expect(json.previousModelId).toBe(1);
    expect(json.records).toBeGreaterThan(100);
    expect(json.candidatePairs).toBeGreaterThan(0);
    expect(json.levels.map((l) => `${l.comparison} / ${l.level}`)).toEqual(LEVELS);
    expect(json.levels.every((l) => typeof l.before === 'number' && typeof l.after === 'number')).toBe(true);
    const text = await golden(['train', ...flags], { cwd: ws.dir });
    expect(text.code, text.stderr).toBe(ExitCode.ok);
    expect(text.stdout).toMatch(/trained model #3 on 1\d\d records and \d+ candidate pairs \(replaces #2\)/);
  });
});
