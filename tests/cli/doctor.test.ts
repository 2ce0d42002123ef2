import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoldenConfigInput } from '../../src/config/index.js';
import { MIGRATIONS_DIR, openDatabase, type ConnectOptions } from '../../src/db/index.js';
import { acquireLockFile } from '../../src/db/lockfile.js';
import { RUN_LOCK_KEY } from '../../src/db/postgres.js';
import { ExitCode } from '../../src/errors.js';
import { CHECKS, diskFinding, doctorExitCode, GiB, type DoctorJson, type Finding } from '../../src/doctor/index.js';
import { golden } from '../helpers/cli.js';
import { engines, type Engine } from '../helpers/databases.js';
import { demoWorkspace, type Workspace } from '../helpers/workspace.js';

/**
 * `golden doctor` reports what the nightly job would trip over, one line per problem, and
 * changes nothing: no migration, no folder, no file, no lock.
 */

// Root reads and writes whatever the mode bits say: permission checks cannot fail for it.
const isRoot = process.getuid?.() === 0;

interface Line {
  status: string;
  check: string;
  message: string;
}

/** The text output, one parsed line each; every line must have the documented shape. */
function parse(stdout: string): Line[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => {
      const match = /^(ok|warn|error) +([a-z]+): (.+)$/.exec(line);
      expect(match, line).not.toBeNull();
      return { status: match![1]!, check: match![2]!, message: match![3]! };
    });
}

async function migrationCount(): Promise<number> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).length;
}

/** Every file and folder under dir, except the ones under `skip` (relative names). */
function listing(dir: string, skip: readonly string[] = []): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !skip.some((s) => f === s || f.startsWith(`${s}/`))).sort();
}

function editConfig(ws: Workspace, edit: (config: GoldenConfigInput) => void): void {
  const config = JSON.parse(readFileSync(ws.path('golden.config.json'), 'utf8')) as GoldenConfigInput;
  edit(config);
  ws.write('golden.config.json', JSON.stringify(config, null, 2));
}

async function target(engine: Engine, ws: Workspace): Promise<{ flags: string[]; options: ConnectOptions; drop(): Promise<void> }> {
  if (engine.name === 'pglite') return { flags: ['--db', ws.path('db')], options: { dbDir: ws.path('db') }, drop: async () => {} };
  const created = await engine.create();
  return { flags: ['--database-url', created.options.databaseUrl!], options: created.options, drop: created.drop };
}

async function knexTableExists(options: ConnectOptions): Promise<boolean> {
  const db = await openDatabase(options);
  try {
    const [row] = await db.query<{ present: boolean }>("SELECT to_regclass('knex_migrations') IS NOT NULL AS present");
    return row?.present === true;
  } finally {
    await db.close();
  }
}

for (const engine of engines) {
  describe(`golden doctor [${engine.name}]`, () => {
    const workspaces: Workspace[] = [];
    const drops: (() => Promise<void>)[] = [];
    const fresh = () => {
      const ws = demoWorkspace();
      workspaces.push(ws);
      return ws;
    };
    afterAll(async () => {
      for (const drop of drops) await drop();
      workspaces.forEach((w) => w.remove());
    });

    // One workspace after a nightly run, shared by the tests that look at a healthy setup.
    let healthy: Workspace;
    let healthyFlags: string[];
    let healthyOptions: ConnectOptions;
    beforeAll(async () => {
      healthy = fresh();
      const t = await target(engine, healthy);
      drops.push(t.drop);
      healthyFlags = t.flags;
      healthyOptions = t.options;
      expect((await golden(['run', ...t.flags], { cwd: healthy.dir })).code).toBe(ExitCode.rejects);
    });

    it('passes every check after golden run, one ok line each in order, and leaves nothing behind', async () => {
      const before = listing(healthy.dir, ['db']);
      const result = await golden(['doctor', ...healthyFlags], { cwd: healthy.dir });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(ExitCode.ok);
      const lines = parse(result.stdout);
      expect(lines.map((l) => l.check)).toEqual([...CHECKS]);
      expect(lines.filter((l) => l.status !== 'ok')).toEqual([]);
      expect(lines.find((l) => l.check === 'migrations')!.message).toBe(`all ${await migrationCount()} applied`);
      expect(lines.find((l) => l.check === 'extensions')!.message).toMatch(/^pg_trgm [\d.]+, fuzzystrmatch [\d.]+, unaccent [\d.]+ installed$/);
      expect(lines.find((l) => l.check === 'files')!.message).toBe('8 patterns match 8 files, all readable');
      expect(lines.find((l) => l.check === 'disk')!.message).toMatch(/^\d+\.\d GiB free for reports\.outDir /);
      // No temp file, no lock file (PGlite's db.lock sits beside the data folder), nothing new.
      expect(listing(healthy.dir, ['db'])).toEqual(before);
    });

    it('prints the checks as JSON with --json', async () => {
      const result = await golden(['doctor', '--json', ...healthyFlags], { cwd: healthy.dir });
      expect(result.code).toBe(ExitCode.ok);
      const json = JSON.parse(result.stdout) as DoctorJson;
      expect(json.ok).toBe(true);
      expect(json.checks.map((c) => c.check)).toEqual([...CHECKS]);
      for (const c of json.checks) {
        expect(Object.keys(c).sort()).toEqual(['check', 'message', 'status']);
        expect(c.status).toBe('ok');
        expect(c.message.length).toBeGreaterThan(0);
      }
    });

    it('warns about pending migrations on a fresh database, exits 0, and applies none', async () => {
      const ws = fresh();
      const t = await target(engine, ws);
      drops.push(t.drop);
      // PGlite: a database that exists but was never migrated (a missing one is reported apart).
      if (engine.name === 'pglite') await (await openDatabase(t.options)).close();
      const pending = await migrationCount();

      const result = await golden(['doctor', ...t.flags], { cwd: ws.dir });
      expect(result.code).toBe(ExitCode.ok);
      const lines = parse(result.stdout);
      expect(lines.filter((l) => l.status === 'error')).toEqual([]);
      const migrations = lines.filter((l) => l.check === 'migrations');
      expect(migrations).toHaveLength(1);
      expect(migrations[0]!.status).toBe('warn');
      expect(migrations[0]!.message).toMatch(new RegExp(`^${pending} of ${pending} pending \\(0001_initial\\.sql, .*\\): run \`golden db migrate\``));
      if (engine.name === 'postgres') {
        // A fresh server database has the contrib extensions available, not created.
        expect(lines.filter((l) => l.check === 'extensions').map((l) => l.status)).toEqual(['warn', 'warn', 'warn']);
        expect(lines.find((l) => l.check === 'extensions')!.message).toContain('the first run creates it, which needs the CREATE privilege');
      }

      // Not even knex's bookkeeping table was created (knex's own listing would create it) …
      expect(await knexTableExists(t.options)).toBe(false);
      // … and golden db status still finds every migration pending.
      const status = await golden(['db', 'status', ...t.flags], { cwd: ws.dir });
      expect(status.code).toBe(ExitCode.ok);
      expect(status.stdout).toContain(`migrations: 0 applied, ${pending} pending: 0001_initial.sql`);
    });

    it('reports a run holding the lock as a warning, without taking or breaking it', async () => {
      if (engine.name === 'pglite') {
        // Another process holds the data folder's lock file (here: this test process).
        const lockFile = `${healthyOptions.dbDir}.lock`;
        const release = acquireLockFile(lockFile, 'golden run');
        try {
          const result = await golden(['doctor', ...healthyFlags], { cwd: healthy.dir });
          expect(result.code).toBe(ExitCode.ok);
          const lines = parse(result.stdout);
          const lock = lines.filter((l) => l.check === 'lock');
          expect(lock).toHaveLength(1);
          expect(lock[0]!.status).toBe('warn');
          expect(lock[0]!.message).toContain(`the embedded database is in use by pid ${process.pid} (golden run`);
          // Nothing inside the database could be checked; the file checks still ran.
          expect(lines.map((l) => l.check)).toEqual(['config', 'lock', 'files', 'output', 'disk']);
          expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid).toBe(process.pid);
        } finally {
          release();
        }
        return;
      }
      const client = new pg.Client({ connectionString: healthyOptions.databaseUrl, application_name: 'golden run' });
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [RUN_LOCK_KEY]);
        const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const result = await golden(['doctor', ...healthyFlags], { cwd: healthy.dir });
        // Exit 0, not 5: doctor never tries to take the lock.
        expect(result.code).toBe(ExitCode.ok);
        const lines = parse(result.stdout);
        expect(lines.map((l) => l.check)).toEqual([...CHECKS]);
        const lock = lines.find((l) => l.check === 'lock')!;
        expect(lock.status).toBe('warn');
        expect(lock.message).toContain(`another golden run holds the run lock now: backend pid ${backend} (golden run, since `);
        const held = await client.query('SELECT 1 FROM pg_locks WHERE locktype = $1 AND pid = pg_backend_pid() AND objid = $2 AND granted', ['advisory', RUN_LOCK_KEY]);
        expect(held.rowCount).toBe(1);
      } finally {
        await client.end();
      }
    });
  });
}

describe('golden doctor without a database to look into', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => workspaces.forEach((w) => w.remove()));
  const fresh = () => {
    const ws = demoWorkspace();
    workspaces.push(ws);
    return ws;
  };
  // An embedded database folder that does not exist: doctor reports it and opens nothing.
  const noDb = (ws: Workspace) => ['--db', ws.path('db')];

  it('reports an embedded database that does not exist yet without creating it', async () => {
    const ws = fresh();
    const before = listing(ws.dir);
    const result = await golden(['doctor', '--db', ws.path('data/db')], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.ok);
    const lines = parse(result.stdout);
    expect(lines.map((l) => [l.check, l.status])).toEqual([
      ['config', 'ok'],
      ['database', 'warn'],
      ['extensions', 'ok'],
      ['migrations', 'warn'],
      ['files', 'ok'],
      ['output', 'ok'],
      ['disk', 'ok'],
    ]);
    expect(lines[1]!.message).toContain('does not exist yet: the first golden run creates the database');
    expect(lines.find((l) => l.check === 'output')!.message).toContain(`reports.outDir ${ws.path('reports')} (created by the first run, in ${ws.dir})`);
    expect(listing(ws.dir)).toEqual(before);
    expect(existsSync(ws.path('data'))).toBe(false);
  });

  it('names the key of a broken config and exits 2, still checking the database', async () => {
    const ws = fresh();
    editConfig(ws, (c) => {
      const source = c.sources.retail_loyalty as unknown as Record<string, unknown>;
      source.delimeter = source.delimiter;
      delete source.delimiter;
    });
    const result = await golden(['doctor', ...noDb(ws)], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.usage);
    const lines = parse(result.stdout);
    expect(lines[0]).toEqual({
      status: 'error',
      check: 'config',
      message: `config ${ws.path('golden.config.json')}: sources.retail_loyalty.delimeter: unknown key (did you mean "delimiter"?)`,
    });
    // The checks that need the config are skipped; the others still run.
    expect(lines.map((l) => l.check)).toEqual(['config', 'database', 'extensions', 'migrations', 'disk']);
  });

  it('exits 2 when the config file is missing', async () => {
    const ws = fresh();
    const result = await golden(['doctor', '--config', 'nope.json', '--json', ...noDb(ws)], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.usage);
    const json = JSON.parse(result.stdout) as DoctorJson;
    expect(json.ok).toBe(false);
    expect(json.checks[0]).toEqual({ check: 'config', status: 'error', message: 'config nope.json: not found (create one with `golden init FILE...`)' });
  });

  it('warns about a glob matching nothing and exits 0', async () => {
    const ws = fresh();
    editConfig(ws, (c) => {
      c.sources.web_shop!.files = 'exports/web_*.csv';
    });
    const result = await golden(['doctor', ...noDb(ws)], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.ok);
    const files = parse(result.stdout).filter((l) => l.check === 'files');
    expect(files).toEqual([
      { status: 'warn', check: 'files', message: `sources.web_shop: "exports/web_*.csv" matches no file in ${ws.dir} (fine on a quiet night; otherwise check the pattern and the folder)` },
    ]);
  });

  it.skipIf(isRoot)('names an unreadable input file as an error and exits 2', async () => {
    const ws = fresh();
    chmodSync(ws.path('retail_loyalty.csv'), 0o000);
    try {
      const result = await golden(['doctor', ...noDb(ws)], { cwd: ws.dir });
      expect(result.code).toBe(ExitCode.usage);
      const files = parse(result.stdout).filter((l) => l.check === 'files');
      expect(files).toEqual([
        { status: 'error', check: 'files', message: `sources.retail_loyalty: cannot read ${ws.path('retail_loyalty.csv')} (EACCES): give the user running golden read access to it` },
      ]);
    } finally {
      chmodSync(ws.path('retail_loyalty.csv'), 0o644);
    }
  });

  it.skipIf(isRoot)('reports an output folder it cannot write into and exits 2, leaving nothing in it', async () => {
    const ws = fresh();
    mkdirSync(ws.path('reports'));
    chmodSync(ws.path('reports'), 0o555);
    try {
      const result = await golden(['doctor', ...noDb(ws)], { cwd: ws.dir });
      expect(result.code).toBe(ExitCode.usage);
      const output = parse(result.stdout).filter((l) => l.check === 'output');
      expect(output).toEqual([
        {
          status: 'error',
          check: 'output',
          message: `reports.outDir ${ws.path('reports')}: cannot create a file in it (EACCES): give the user running golden write access there, or point reports.outDir elsewhere`,
        },
      ]);
      expect(readdirSync(ws.path('reports'))).toEqual([]);
    } finally {
      chmodSync(ws.path('reports'), 0o755);
    }
  });

  it('reports an output folder that cannot be a folder (a file on its path) and exits 2', async () => {
    // Fails for root too: no permission bit makes a file a folder.
    const ws = fresh();
    editConfig(ws, (c) => {
      c.reports = { outDir: 'golden.config.json/reports' };
    });
    const result = await golden(['doctor', ...noDb(ws)], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.usage);
    expect(parse(result.stdout).filter((l) => l.check === 'output')).toEqual([
      {
        status: 'error',
        check: 'output',
        message: `reports.outDir ${ws.path('golden.config.json/reports')}: ${ws.path('golden.config.json')} is a file, not a folder: give the user running golden write access there, or point reports.outDir elsewhere`,
      },
    ]);

    // --out replaces reports.outDir, as in golden run; relative to the working folder.
    const withOut = await golden(['doctor', '--out', 'out', ...noDb(ws)], { cwd: ws.dir });
    expect(withOut.code).toBe(ExitCode.ok);
    expect(parse(withOut.stdout).find((l) => l.check === 'output')!.message).toBe(
      `writable: --out ${ws.path('out')} (created by the first run, in ${ws.dir}), input folder ${ws.dir}`,
    );
  });

  it('checks rejectsDir when set, without creating it', async () => {
    const ws = fresh();
    editConfig(ws, (c) => {
      c.rejectsDir = 'rejects/nightly';
    });
    const result = await golden(['doctor', ...noDb(ws)], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.ok);
    expect(parse(result.stdout).find((l) => l.check === 'output')!.message).toBe(
      `writable: reports.outDir ${ws.path('reports')} (created by the first run, in ${ws.dir}), rejectsDir ${ws.path('rejects/nightly')} (created by the first run, in ${ws.dir})`,
    );
    expect(existsSync(ws.path('rejects'))).toBe(false);
  });

  it('exits 4 with the unreachable line when PostgreSQL cannot be reached', async () => {
    const ws = fresh();
    const result = await golden(['doctor'], { cwd: ws.dir, env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' } });
    expect(result.code).toBe(ExitCode.databaseUnreachable);
    const lines = parse(result.stdout);
    expect(lines.filter((l) => l.status !== 'ok')).toEqual([
      { status: 'error', check: 'database', message: 'cannot reach PostgreSQL at 127.0.0.1:1/nowhere: connection refused (is PostgreSQL running?)' },
    ]);
    expect(lines.map((l) => l.check)).toEqual(['config', 'database', 'files', 'output', 'disk']);
  });
});

describe('doctor findings', () => {
  it('grades free disk: an error under 1 GiB, a warning under 5 GiB', () => {
    expect(diskFinding('x', 0.5 * GiB)).toMatchObject({ status: 'error', message: 'only 512 MiB free for x: golden run may fail to write; free space (at least 1 GiB, better 5 GiB)' });
    expect(diskFinding('x', 1 * GiB)).toMatchObject({ status: 'warn', message: 'only 1.0 GiB free for x: free some space (5 GiB or more recommended)' });
    expect(diskFinding('x', 4.9 * GiB).status).toBe('warn');
    expect(diskFinding('x', 5 * GiB)).toMatchObject({ status: 'ok', message: '5.0 GiB free for x' });
  });

  it('exits with the code golden run would stop with first', () => {
    const f = (check: Finding['check'], status: Finding['status'], exitCode?: Finding['exitCode']): Finding => ({ check, status, message: '', exitCode });
    expect(doctorExitCode([f('config', 'ok'), f('migrations', 'warn'), f('lock', 'warn')])).toBe(ExitCode.ok);
    expect(doctorExitCode([f('database', 'error', ExitCode.databaseUnreachable)])).toBe(ExitCode.databaseUnreachable);
    expect(doctorExitCode([f('config', 'error', ExitCode.usage), f('database', 'error', ExitCode.databaseUnreachable)])).toBe(ExitCode.usage);
    expect(doctorExitCode([f('database', 'error', ExitCode.databaseUnreachable), f('files', 'error')])).toBe(ExitCode.databaseUnreachable);
    expect(doctorExitCode([f('disk', 'error')])).toBe(ExitCode.usage);
  });
});
