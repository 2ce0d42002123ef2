import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type ConnectOptions } from '../../src/db/index.js';
import { acquireLockFile } from '../../src/db/lockfile.js';
import { RUN_LOCK_KEY } from '../../src/db/postgres.js';
import { ExitCode } from '../../src/errors.js';
import { golden, type CliResult } from '../helpers/cli.js';
import { engines, type Engine } from '../helpers/databases.js';
import { demoWorkspace, type Workspace } from '../helpers/workspace.js';
import { canonicalDump, type CanonicalDump } from '../resolve/helpers.js';

/**
 * One `golden run` at a time, stopping on a signal at a safe point, and a dropped connection:
 * each ends with its documented exit code, and the next run completes the job exactly as an
 * uninterrupted run would have.
 */

async function target(engine: Engine, ws: Workspace): Promise<{ flags: string[]; options: ConnectOptions; drop(): Promise<void> }> {
  if (engine.name === 'pglite') return { flags: ['--db', ws.path('db')], options: { dbDir: ws.path('db') }, drop: async () => {} };
  const created = await engine.create();
  return { flags: ['--database-url', created.options.databaseUrl!], options: created.options, drop: created.drop };
}

async function dump(options: ConnectOptions): Promise<CanonicalDump> {
  const db = await openDatabase(options);
  try {
    return await canonicalDump(db);
  } finally {
    await db.close();
  }
}

/** Runs golden and calls `when` once, as soon as its stderr shows `marker`. */
function goldenUntil(args: string[], cwd: string, env: Record<string, string>, marker: string, when: (pid: number) => Promise<void> | void): Promise<CliResult> {
  let fired: Promise<void> | undefined;
  const result = golden(args, {
    cwd,
    env,
    onStderr: (stderr, pid) => {
      if (fired === undefined && stderr.includes(marker)) fired = Promise.resolve(when(pid));
    },
  });
  return result.then(async (r) => {
    await fired;
    return r;
  });
}

for (const engine of engines) {
  describe(`one golden run at a time, signals and lost connections [${engine.name}]`, () => {
    const workspaces: Workspace[] = [];
    const fresh = () => {
      const ws = demoWorkspace();
      workspaces.push(ws);
      return ws;
    };
    let clean: CanonicalDump;
    afterAll(() => workspaces.forEach((w) => w.remove()));

    beforeAll(async () => {
      const ws = fresh();
      const t = await target(engine, ws);
      try {
        expect((await golden(['run', ...t.flags], { cwd: ws.dir })).code).toBe(ExitCode.rejects);
        clean = await dump(t.options);
      } finally {
        await t.drop();
      }
    });

    it('lets exactly one of two runs started together work; the other exits 5 naming the holder', async () => {
      const ws = fresh();
      const t = await target(engine, ws);
      try {
        const results = await Promise.all([golden(['run', ...t.flags], { cwd: ws.dir }), golden(['run', ...t.flags], { cwd: ws.dir })]);
        const codes = results.map((r) => r.code).sort();
        expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([ExitCode.rejects, ExitCode.locked]);
        const loser = results.find((r) => r.code === ExitCode.locked)!;
        expect(loser.stderr).toMatch(/in use by pid \d+ \(golden run, since |another golden run holds the lock on this database: backend pid \d+ \(golden run, since /);
        expect(await dump(t.options)).toEqual(clean);
      } finally {
        await t.drop();
      }
    });

    it('stops at the next safe point on SIGTERM with exit 143, and the next run completes the job', async () => {
      const ws = fresh();
      const t = await target(engine, ws);
      try {
        // paused right after the import: the signal arrives while the run is busy
        const stopped = await goldenUntil(['run', ...t.flags], ws.dir, { GOLDEN_PAUSE_AT: 'run:imported', GOLDEN_PAUSE_MS: '1500' }, 'paused at run:imported', (pid) => {
          process.kill(pid, 'SIGTERM');
        });
        expect(stopped.code).toBe(ExitCode.terminated);
        // PostgreSQL imports the customer files first and stages the activity files beside resolve.
        const postgres = engine.name === 'postgres';
        expect(stopped.stderr).toContain(
          `stopped by SIGTERM after the ${postgres ? 'customer files' : 'import'}, before resolve; what finished is kept`,
        );
        const counts = await openDatabase(t.options).then(async (db) => {
          try {
            return (await db.query<{ batches: number; customers: number }>(
              "SELECT (SELECT count(*) FROM import_batches WHERE status = 'loaded')::int AS batches, (SELECT count(*) FROM customers)::int AS customers",
            ))[0];
          } finally {
            await db.close();
          }
        });
        expect(counts).toEqual({ batches: postgres ? 4 : 8, customers: 0 });
        const next = await golden(['run', ...t.flags], { cwd: ws.dir });
        expect(next.code).toBe(ExitCode.ok);
        expect(await dump(t.options)).toEqual(clean);
      } finally {
        await t.drop();
      }
    });

    if (engine.name === 'pglite') {
      it('waits for the lock with --wait, and gives up after it with exit 5', async () => {
        const ws = fresh();
        const release = acquireLockFile(`${ws.path('db')}.lock`, 'another golden run');
        try {
          const started = Date.now();
          const gaveUp = await golden(['run', '--wait', '1', '--db', ws.path('db')], { cwd: ws.dir });
          expect(gaveUp.code).toBe(ExitCode.locked);
          expect(gaveUp.stderr).toContain(`in use by pid ${process.pid} (another golden run, since `);
          expect(gaveUp.stderr).toContain('(waited 1 s)');
          expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
          // Released once the second run says it waits: a fixed delay raced a slow start under load.
          const waited = await goldenUntil(['run', '--wait', '30', '--db', ws.path('db')], ws.dir, {}, 'waiting up to 30 s for the lock', release);
          expect(waited.code).toBe(ExitCode.rejects);
        } finally {
          release();
        }
        expect(await dump({ dbDir: ws.path('db') })).toEqual(clean);
      });
    }

    if (engine.name === 'postgres') {
      /**
       * Runs golden paused in resolve, ends the server sessions of its database that `which`
       * picks (a condition on pg_stat_activity), expects exit 4, lets `check` look at the cut
       * run, then expects the next run to complete the job exactly.
       */
      const cutInResolve = async (which: string, check: (cut: CliResult, options: ConnectOptions, ended: number) => Promise<void>) => {
        const ws = fresh();
        const t = await target(engine, ws);
        const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await admin.connect();
        try {
          const database = new URL(t.options.databaseUrl!).pathname.slice(1);
          let ended = 0;
          const cut = await goldenUntil(['run', ...t.flags], ws.dir, { GOLDEN_PAUSE_AT: 'resolve:training', GOLDEN_PAUSE_MS: '1500' }, 'paused at resolve:training', async () => {
            const result = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND ${which}`, [database]);
            ended = result.rowCount ?? 0;
          });
          expect(cut.code, cut.stderr).toBe(ExitCode.databaseUnreachable);
          await check(cut, t.options, ended);
          const next = await golden(['run', ...t.flags], { cwd: ws.dir });
          expect(next.code).toBe(ExitCode.ok);
          expect(await dump(t.options)).toEqual(clean);
        } finally {
          await admin.end();
          await t.drop();
        }
      };

      it('says clearly that the connection was lost when the server ends it mid-run (exit 4), and the next run completes the job', async () => {
        await cutInResolve('pid <> pg_backend_pid()', async (cut) => {
          expect(cut.stderr).toMatch(/golden: lost the connection to PostgreSQL at [^:]+:\d+\/\w+: the server terminated the connection; the step under way was rolled back/);
        });
      });

      it('stops with exit 4 when only the connection holding the run lock is cut (another run could start), and the next run completes the job', async () => {
        await cutInResolve("application_name = 'golden run'", async (cut, options, ended) => {
          expect(ended).toBe(1);
          expect(cut.stderr).toMatch(/golden: lost the connection holding the run lock on PostgreSQL at [^:]+:\d+\/\w+: the server terminated the connection; stopped so that no second run works beside this one/);
          // resolve stopped before committing: nothing of it is there
          const db = await openDatabase(options);
          try {
            expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers'))[0]?.n).toBe(0);
          } finally {
            await db.close();
          }
        });
      });

      it('waits with --wait for a run holding the advisory lock, then works', async () => {
        const ws = fresh();
        const t = await target(engine, ws);
        const holder = new pg.Client({ connectionString: t.options.databaseUrl, application_name: 'golden run' });
        try {
          await holder.connect();
          await holder.query('SELECT pg_advisory_lock($1)', [RUN_LOCK_KEY]);
          const gaveUp = await golden(['run', '--wait', '1', ...t.flags], { cwd: ws.dir });
          expect(gaveUp.code).toBe(ExitCode.locked);
          expect(gaveUp.stderr).toContain('(waited 1 s)');
          setTimeout(() => void holder.query('SELECT pg_advisory_unlock_all()'), 1500);
          const waited = await golden(['run', '--wait', '30', ...t.flags], { cwd: ws.dir });
          expect(waited.code).toBe(ExitCode.rejects);
          expect(await dump(t.options)).toEqual(clean);
        } finally {
          await holder.end();
          await t.drop();
        }
      });
    }
  });
}
