import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type ConnectOptions, type Database } from '../../src/db/index.js';
import { ExitCode } from '../../src/errors.js';
import { generate } from '../../src/generator/generate.js';
import { GOLDEN, golden } from '../helpers/cli.js';
import { engines, type Engine } from '../helpers/databases.js';
import { canonicalDump, customerIds, pendingState } from './helpers.js';

/**
 * `golden resolve` is one transaction: killed at any point it leaves the database as it was,
 * and the next run ends exactly where an uninterrupted one does (same clusters, golden values,
 * crosswalk, activities, merge log, identifiers, and the same customer ids).
 *
 * Kills are placed by resolve's progress, not by the clock (a loaded machine made timed kills
 * land before or after the run): resolve creates its scratch tables (rs_*) one stage after the
 * other, so how many it has created so far says how far it got. PGlite shows them as the init
 * forks of UNLOGGED tables in its folder; PostgreSQL as relation locks the transaction holds.
 * An uninterrupted run gives the count at the end; kills come at the first table, at half and
 * at nine tenths of that count (the last in the merge/write stage).
 */

// Resolve runs for a second or two on this (most of it training); kills follow its progress.
const PERSONS = 400;
const SEED = 21;

interface Target {
  name: string;
  flags: string[];
  options: ConnectOptions;
}

/** Databases that can be copied: PGlite data folders, or PostgreSQL databases made from a template. */
interface Store {
  create(name: string): Promise<Target>;
  copy(from: string, to: string): Promise<Target>;
  /** How many scratch relations an open resolve transaction on the target has created so far. */
  progress(target: Target): Promise<number>;
  /** PostgreSQL: the killed client's server process has gone (its transaction rolled back). */
  settle(target: Target): Promise<void>;
  dropAll(): Promise<void>;
}

function pgliteStore(root: string): Store {
  const dir = (name: string) => path.join(root, `${name}-db`);
  const target = (name: string): Target => ({ name, flags: ['--db', dir(name)], options: { dbDir: dir(name) } });
  return {
    async create(name) {
      return target(name);
    },
    async copy(from, to) {
      cpSync(dir(from), dir(to), { recursive: true });
      return target(to);
    },
    async progress(t) {
      const base = path.join(dir(t.name), 'base');
      try {
        return readdirSync(base).reduce((n, db) => n + readdirSync(path.join(base, db)).filter((f) => f.endsWith('_init')).length, 0);
      } catch {
        return 0; // a file vanished while listed: count again next time
      }
    },
    async settle() {},
    async dropAll() {},
  };
}

async function postgresStore(serverUrl: string): Promise<Store> {
  const prefix = `golden_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const made: string[] = [];
  const target = (name: string): Target => {
    const url = new URL(serverUrl);
    url.pathname = `/${prefix}_${name}`;
    return { name, flags: ['--database-url', url.toString()], options: { databaseUrl: url.toString() } };
  };
  const count = async (name: string, sql: string) =>
    (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, [`${prefix}_${name}`])).rows[0]!.n;
  return {
    async create(name) {
      await admin.query(`CREATE DATABASE ${prefix}_${name}`);
      made.push(name);
      return target(name);
    },
    async copy(from, to) {
      await admin.query(`CREATE DATABASE ${prefix}_${to} TEMPLATE ${prefix}_${from}`);
      made.push(to);
      return target(to);
    },
    progress(t) {
      // Relations a transaction creates stay locked (AccessExclusive) until it ends, dropped or not.
      return count(
        t.name,
        `pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE a.datname = $1 AND l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'`,
      );
    },
    async settle(t) {
      const others = () => count(t.name, 'pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()');
      for (let i = 0; i < 600 && (await others()) > 0; i++) await sleep(50);
      expect(await others(), 'the killed client still has a server process').toBe(0);
    },
    async dropAll() {
      for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${prefix}_${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Progress counted from what the target holds before resolve starts. */
async function progressOf(store: Store, target: Target): Promise<() => Promise<number>> {
  const zero = await store.progress(target);
  return async () => (await store.progress(target)) - zero;
}

async function withDb<T>(target: Target, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(target.options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const snapshot = (db: Database) =>
  Promise.all([canonicalDump(db), customerIds(db), pendingState(db)]).then(([dump, ids, pending]) => ({ dump, ids, pending }));

interface Watched {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The most scratch relations seen at once. */
  peak: number;
  /** Progress when the kill was sent (undefined: never sent). */
  killedAt?: number;
}

/** Runs `golden …`, following its progress; SIGKILLs it as soon as progress reaches `killAt`. */
function watch(args: string[], progress: () => Promise<number>, killAt?: number): Promise<Watched> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  delete env.DATABASE_URL;
  delete env.GOLDEN_DB;
  const child = spawn(process.execPath, [GOLDEN, ...args], { env });
  const out: Watched = { code: null, signal: null, stdout: '', stderr: '', peak: 0 };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  let running = true;
  const closed = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = false;
      out.code = code;
      out.signal = signal;
      resolve();
    });
  });
  const follow = (async () => {
    while (running) {
      const n = await progress();
      out.peak = Math.max(out.peak, n);
      if (killAt !== undefined && out.killedAt === undefined && n >= killAt) {
        out.killedAt = n;
        child.kill('SIGKILL');
      }
      await sleep(5);
    }
  })();
  return Promise.all([closed, follow]).then(() => out);
}

describe('a crash half way through a resolve', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'golden-resolve-crash-'));
  const configFile = path.join(root, 'golden.config.json');
  beforeAll(async () => {
    await generate({ persons: PERSONS, seed: SEED, outDir: root, dirtyRate: 0 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = async (engine: Engine) => {
    const store = engine.name === 'pglite' ? pgliteStore(root) : await postgresStore(process.env.DATABASE_URL!);
    try {
      const base = await store.create('base');
      const imported = await golden(['import', '--config', configFile, ...base.flags]);
      expect(imported.code, imported.stderr).toBe(ExitCode.ok);
      const before = await withDb(base, snapshot);
      expect(before.pending).toMatchObject({ unresolvedBatches: 4, customers: 0, runs: 0 });
      expect(before.pending.staged).toBeGreaterThan(PERSONS);

      // The uninterrupted run, followed to learn how many scratch relations a whole run makes.
      const reference = await store.copy('base', 'reference');
      const clean = await watch(['resolve', '--json', '--config', configFile, ...reference.flags], await progressOf(store, reference));
      expect(clean.code, clean.stderr).toBe(ExitCode.ok);
      const summary = JSON.parse(clean.stdout) as { merges: number; newCustomers: number };
      expect(summary.merges).toBeGreaterThan(0);
      expect(clean.peak, 'no scratch tables seen during resolve').toBeGreaterThanOrEqual(10);
      const expected = await withDb(reference, snapshot);
      expect(expected.pending).toMatchObject({ staged: 0, unresolvedBatches: 0, customers: summary.newCustomers, runs: 1 });

      // A dry run exits 0 and changes nothing.
      const dry = await store.copy('base', 'dry');
      const dryRun = await golden(['resolve', '--dry-run', '--config', configFile, ...dry.flags]);
      expect(dryRun.code, dryRun.stderr).toBe(ExitCode.ok);
      expect(dryRun.stdout).toMatch(/^dry run: nothing was changed/);
      expect(dryRun.stdout).toMatch(new RegExp(`new customers\\s+${summary.newCustomers.toLocaleString('en-US')} \\(would be created\\)`));
      expect(await withDb(dry, snapshot)).toEqual(before);

      // Killed at the start, half way and late: nothing is left half done, and a rerun converges
      // to the uninterrupted result. A kill that misses (the run ended between two looks) is
      // tried again a little earlier.
      const kills: string[] = [];
      for (const [label, share] of [['start', 0], ['middle', 0.5], ['late', 0.9]] as const) {
        let killAt = Math.max(1, Math.ceil(share * clean.peak));
        for (let attempt = 1; ; attempt++) {
          const target = await store.copy('base', `kill_${label}_${attempt}`);
          const outcome = await watch(['resolve', '--config', configFile, ...target.flags], await progressOf(store, target), killAt);
          if (outcome.signal !== 'SIGKILL' && attempt < 3) {
            killAt = Math.max(1, Math.floor(killAt * 0.8));
            continue;
          }
          expect(outcome.signal, `resolve ended before the ${label} kill (exit ${outcome.code}, ${outcome.stderr})`).toBe('SIGKILL');
          await store.settle(target);
          // On a loaded machine the kill can land after the commit, while the process exits:
          // that kill missed too (the run is whole, not half done); try a little earlier.
          if ((await withDb(target, snapshot)).pending.runs > 0 && attempt < 3) {
            killAt = Math.max(1, Math.floor(killAt * 0.8));
            continue;
          }
          kills.push(`${label}@${outcome.killedAt}/${clean.peak}`);

          // The rerun finds everything still to do: the killed run committed nothing.
          const rerun = await golden(['resolve', '--json', '--config', configFile, ...target.flags]);
          expect(rerun.code, rerun.stderr).toBe(ExitCode.ok);
          expect(JSON.parse(rerun.stdout), `rerun after the ${label} kill`).toMatchObject({
            dryRun: false,
            batches: 4,
            records: { new: before.pending.staged, changed: 0, unchanged: 0 },
            newCustomers: summary.newCustomers,
            merges: summary.merges,
            model: { id: 1, trained: true },
          });
          const after = await withDb(target, snapshot);
          expect(after.pending, `after the ${label} kill and a rerun`).toEqual(expected.pending);
          expect(after.ids).toEqual(expected.ids);
          expect(after.dump).toEqual(expected.dump);
          break;
        }
      }
      expect(kills).toHaveLength(3);
    } finally {
      await store.dropAll();
    }
  };

  // The engines run side by side: each mostly waits on its own child processes.
  for (const engine of engines) {
    it.concurrent(`converges on rerun to exactly what an uninterrupted resolve leaves [${engine.name}]`, () => run(engine), 150_000);
  }
});
