import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type ConnectOptions } from '../../src/db/index.js';
import { ExitCode } from '../../src/errors.js';
import { golden } from '../helpers/cli.js';
import { engines, type Engine } from '../helpers/databases.js';
import { demoWorkspace, type Workspace } from '../helpers/workspace.js';
import { canonicalDump, staleActivityTotals, type CanonicalDump } from '../resolve/helpers.js';

/**
 * `golden run` killed with SIGKILL at any point, then run again, ends exactly where an
 * uninterrupted run does: the same customers, crosswalk, activities, merge log, identifiers
 * and review queue (compared free of ids and timestamps), the same rejects files, and a whole
 * report with no temporary files beside it. The points (src/test-hooks.ts) are spread over the
 * import (inside a file's transaction and after its commit), resolve (its stages, up to just
 * before its commit), the vacuum and the report writing.
 */
const POINTS = [
  'run:locked',
  'import:before-commit#1',
  'import:committed#2',
  'import:before-commit#6',
  'run:imported',
  'resolve:blocking',
  'resolve:training',
  'resolve:clustering',
  'resolve:write: crosswalk',
  'resolve:activities: moving',
  'settle:before-commit',
  'resolve:done',
  'run:resolved',
  'run:vacuumed',
  'report:html',
  'run:reported',
];

/**
 * Inside the move of the staged activities with the indexes of activities dropped (the path of
 * a large load, forced here on the small demo): a kill must bring every index back, and the
 * activity totals must come out exact. On PostgreSQL that move commits step by step on two
 * sessions: moved, then indexes built and totals rebuilt (each its own step), then constraints
 * and triggers back.
 */
const BULK_POINTS = [
  'settle:moved',
  'resolve:activities: building indexes and totals',
  'settle:built-one',
  'resolve:activities: finishing',
  'settle:before-commit',
];

/** On PostgreSQL the activity files are staged while resolve runs: killed after both, before the move. */
const POSTGRES_POINTS = ['run:staged'];

/**
 * PGlite runs take three times as long (its start-up and migrations in WebAssembly), so there
 * every stage is killed at one or two points rather than at all of them: the code paths are
 * the same on both engines but for the staging beside resolve, which only PostgreSQL does.
 */
const PGLITE_POINTS = new Set([
  'run:locked',
  'import:before-commit#1',
  'import:committed#2',
  'run:imported',
  'resolve:training',
  'resolve:write: crosswalk',
  'resolve:activities: moving',
  'settle:moved',
  'run:resolved',
  'report:html',
  'run:reported',
]);

interface Outcome {
  dump: CanonicalDump;
  /** The indexes of activities: a kill while they are dropped for a large move must bring them back. */
  indexes: string[];
  /** The triggers keeping the activity totals, and whether they are on: a large move switches them off. */
  triggers: string[];
  /** Activity-totals rows that differ from their definitions: none. */
  staleTotals: number;
  rejects: Record<string, string>;
}

async function target(engine: Engine, ws: Workspace): Promise<{ flags: string[]; options: ConnectOptions; drop(): Promise<void> }> {
  if (engine.name === 'pglite') return { flags: ['--db', ws.path('db')], options: { dbDir: ws.path('db') }, drop: async () => {} };
  const created = await engine.create();
  return { flags: ['--database-url', created.options.databaseUrl!], options: created.options, drop: created.drop };
}

async function outcome(ws: Workspace, options: ConnectOptions): Promise<Outcome> {
  const db = await openDatabase(options);
  try {
    const rejects = Object.fromEntries(
      readdirSync(ws.dir)
        .filter((f) => f.endsWith('.rejects.csv'))
        .map((f) => [f, readFileSync(ws.path(f), 'utf8')]),
    );
    const indexes = await db.query<{ def: string }>("SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'activities' ORDER BY indexname");
    const triggers = await db.query<{ t: string }>(
      "SELECT tgname || ' ' || tgenabled::text AS t FROM pg_trigger WHERE tgrelid = 'activities'::regclass AND NOT tgisinternal ORDER BY tgname",
    );
    return {
      dump: await canonicalDump(db),
      indexes: indexes.map((i) => i.def),
      triggers: triggers.map((t) => t.t),
      staleTotals: await staleActivityTotals(db),
      rejects,
    };
  } finally {
    await db.close();
  }
}

/** The one report folder a run wrote: whole, and nothing temporary left in it. */
function checkReport(ws: Workspace): void {
  const root = ws.path('reports');
  const [day, ...others] = readdirSync(root);
  expect(others).toEqual([]);
  const files = readdirSync(path.join(root, day!));
  expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
  expect(files.sort()).toEqual(['csv', 'report.csv', 'report.html', 'report.json']);
  expect(JSON.parse(readFileSync(path.join(root, day!, 'report.json'), 'utf8'))).toHaveProperty('sections');
}

/**
 * The suite for one engine. Each engine has its own test file so the two run in parallel
 * workers: together they are the longest suite.
 */
export function describeRunKilled(engineName: Engine['name']): void {
  const engine = engines.find((e) => e.name === engineName);
  if (engine === undefined) {
    it.skip(`golden run killed at any point [${engineName}] needs DATABASE_URL`, () => {});
    return;
  }
  describe(`golden run killed at any point [${engine.name}]`, () => {
    const workspaces: Workspace[] = [];
    let clean: Outcome;
    afterAll(() => workspaces.forEach((w) => w.remove()));

    beforeAll(async () => {
      const ws = demoWorkspace();
      workspaces.push(ws);
      const t = await target(engine, ws);
      try {
        const run = await golden(['run', ...t.flags], { cwd: ws.dir });
        expect(run.code).toBe(ExitCode.rejects);
        clean = await outcome(ws, t.options);
      } finally {
        await t.drop();
      }
      expect(Object.keys(clean.dump.crosswalk).length).toBeGreaterThan(100);
      expect(Object.keys(clean.rejects).length).toBe(4);
      expect(clean.staleTotals).toBe(0);
      expect(clean.triggers).toHaveLength(4);
    });

    const cases = [
      ...POINTS.map((point) => ({ point, bulk: false })),
      ...BULK_POINTS.map((point) => ({ point, bulk: true })),
      ...(engine.name === 'postgres' ? POSTGRES_POINTS.map((point) => ({ point, bulk: false })) : []),
    ].filter(({ point }) => engine.name === 'postgres' || PGLITE_POINTS.has(point));
    it.each(cases)('converges after a SIGKILL at $point (indexes rebuilt: $bulk)', async ({ point, bulk }) => {
      const ws = demoWorkspace();
      workspaces.push(ws);
      const t = await target(engine, ws);
      try {
        const env = { GOLDEN_KILL_AT: point, ...(bulk ? { GOLDEN_BULK_ROWS: '0' } : {}) };
        const killed = await golden(['run', ...t.flags], { cwd: ws.dir, env });
        expect(killed.signal, `not killed at ${point}: ${killed.stderr}`).toBe('SIGKILL');
        const rerun = await golden(['run', ...t.flags], { cwd: ws.dir });
        expect([ExitCode.ok, ExitCode.rejects], rerun.stderr).toContain(rerun.code);
        expect(await outcome(ws, t.options)).toEqual(clean);
        checkReport(ws);
      } finally {
        await t.drop();
      }
    });
  });
}
