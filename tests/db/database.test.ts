import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyText, copyTextArray, migrate, migrationStatus } from '../../src/db/index.js';
import { acquireLockFile, processStart } from '../../src/db/lockfile.js';
import { resolveConnectOptions } from '../../src/db/connect.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { atOnce } from '../../src/report/sql.js';
import { describeEachDatabase } from '../helpers/databases.js';

describe('connection options', () => {
  it('prefers flags over the environment, and the embedded database when nothing says otherwise', () => {
    expect(resolveConnectOptions({}, {})).toEqual({ dbDir: '.golden/db' });
    expect(resolveConnectOptions({}, { GOLDEN_DB: '/data/g' })).toEqual({ dbDir: '/data/g' });
    expect(resolveConnectOptions({}, { DATABASE_URL: 'postgres://h/db' })).toEqual({ databaseUrl: 'postgres://h/db' });
    expect(resolveConnectOptions({ dbDir: 'x' }, { DATABASE_URL: 'postgres://h/db' })).toEqual({ dbDir: 'x' });
    expect(resolveConnectOptions({ databaseUrl: 'postgres://a/b' }, { DATABASE_URL: 'postgres://h/db' })).toEqual({ databaseUrl: 'postgres://a/b' });
  });
});

describe('lock file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'golden-lock-'));
  const lock = path.join(dir, 'db.lock');

  it('is exclusive while its owner lives, and released on demand', () => {
    const release = acquireLockFile(lock, 'golden run');
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, command: 'golden run' });
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, startedAt: 'x', command: 'golden import' }));
    const error = (() => {
      try {
        acquireLockFile(lock, 'golden run');
      } catch (e) {
        return e as UserError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error!.exitCode).toBe(ExitCode.locked);
    expect(error!.message).toContain(`in use by pid ${process.ppid} (golden import`);
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('records when its owner started, and takes over a lock whose pid now belongs to another process', () => {
    const release = acquireLockFile(lock, 'golden run');
    const written = JSON.parse(readFileSync(lock, 'utf8')) as { processStart?: string };
    expect(written.processStart).toBe(processStart(process.pid));
    expect(written.processStart).toMatch(/^\d+$/);
    release();
    // the parent process is alive, but this lock names a start time it does not have: its
    // owner died and the pid was given to the parent since
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, startedAt: 'x', command: 'golden run', processStart: '1' }));
    const again = acquireLockFile(lock, 'golden run');
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    again();
    // with its real start time, the same pid holds the lock
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, startedAt: 'x', command: 'golden run', processStart: processStart(process.ppid) }));
    expect(() => acquireLockFile(lock, 'golden run')).toThrow(/in use by pid/);
    rmSync(lock, { force: true });
  });

  it('takes over a lock whose process is gone', () => {
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: 'x', command: 'golden run' }));
    const release = acquireLockFile(lock, 'golden run');
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    release();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('COPY text format', () => {
  it('escapes what COPY would misread and writes null as \\N', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText(12)).toBe('12');
    expect(copyTextArray([])).toBe('{}');
    expect(copyTextArray(['a@b.com', 'x"y'])).toBe('{"a@b.com","x\\\\"y"}');
  });
});

describeEachDatabase('database layer', (db, engine) => {
  it('migrates once and reports nothing pending', async () => {
    expect(await migrate(db())).toEqual([]);
    const status = await migrationStatus(db());
    expect(status.pending).toEqual([]);
    expect(status.applied).toContain('0001_initial.sql');
  });

  it('round-trips awkward values through COPY', async () => {
    const values = ['tab\there', 'new\nline', 'back\\slash', 'Zoë Ñúñez 東京', '\\N', ''];
    await db().exec('CREATE TEMP TABLE IF NOT EXISTS copy_check (i int, v text, a text[])');
    await db().transaction(async (tx) => {
      await tx.exec('DELETE FROM copy_check');
      async function* lines() {
        yield values.map((v, i) => `${i}\t${copyText(v)}\t${copyTextArray([v])}\n`).join('');
        yield `${values.length}\t\\N\t{}\n`;
      }
      await tx.copyFrom('copy_check', ['i', 'v', 'a'], lines());
      const rows = await tx.query<{ i: number; v: string | null; a: string[] }>('SELECT i, v, a FROM copy_check ORDER BY i');
      expect(rows.map((r) => r.v)).toEqual([...values, null]);
      expect(rows.slice(0, values.length).map((r) => r.a[0])).toEqual(values);
    });
  });

  it('rolls a transaction back when its function throws, COPY included', async () => {
    await db().exec('CREATE TABLE IF NOT EXISTS rollback_check (v text)');
    const error = await db()
      .transaction(async (tx) => {
        async function* lines() {
          yield 'one\n';
          throw new Error('stop half way');
        }
        await tx.query(`INSERT INTO rollback_check VALUES ('before')`);
        await tx.copyFrom('rollback_check', ['v'], lines());
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop half way');
    expect(await db().query('SELECT * FROM rollback_check')).toEqual([]);
  });

  it('returns counts as numbers and dates as calendar text on both engines', async () => {
    const [row] = await db().query<{ n: number; d: string }>(`SELECT count(*) AS n, DATE '1980-02-29' AS d FROM generate_series(1, 3)`);
    expect(row).toEqual({ n: 3, d: '1980-02-29' });
  });

  it('gives read sessions that all see one snapshot, read only, and runs reads at once on them', async () => {
    await db().exec('CREATE TABLE IF NOT EXISTS snapshot_check (v int); DELETE FROM snapshot_check; INSERT INTO snapshot_check VALUES (1)');
    const seen = await db().readSnapshot(2, '', async (sessions) => {
      expect(sessions.length).toBe(engine.name === 'postgres' ? 2 : 1);
      const before = await sessions[0]!.query<{ n: number }>('SELECT count(*) AS n FROM snapshot_check');
      // PGlite's single connection is inside the snapshot's transaction; only a server has another writer
      if (engine.name === 'postgres') await db().exec('INSERT INTO snapshot_check VALUES (2)');
      const source = { ...sessions[0]!, others: sessions.slice(1) };
      const [a, b] = await atOnce(
        source,
        (q) => q.query<{ n: number; pid: number }>('SELECT count(*) AS n, pg_backend_pid() AS pid FROM snapshot_check'),
        (q) => q.query<{ n: number; pid: number }>('SELECT count(*) AS n, pg_backend_pid() AS pid FROM snapshot_check'),
      );
      const write = await sessions[sessions.length - 1]!.exec('INSERT INTO snapshot_check VALUES (3)').then(
        () => 'written',
        (e: unknown) => (e as Error).message,
      );
      return { before: before[0]!.n, a: a[0]!, b: b[0]!, write };
    });
    expect(seen.before).toBe(1);
    // the row committed meanwhile is not seen by either session
    expect([seen.a.n, seen.b.n]).toEqual([1, 1]);
    expect(seen.write).toMatch(/read-only transaction/);
    if (engine.name === 'postgres') {
      expect(seen.a.pid).not.toBe(seen.b.pid);
      expect(await db().query('SELECT v FROM snapshot_check ORDER BY v')).toEqual([{ v: 1 }, { v: 2 }]);
    }
  });

  if (engine.name === 'postgres') {
    it('lets one run hold the run lock and names it to the next', async () => {
      const release = await db().acquireRunLock('golden run');
      const error = await db()
        .acquireRunLock('golden run')
        .catch((e: unknown) => e as UserError);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(ExitCode.locked);
      expect((error as UserError).message).toMatch(/another golden run holds the lock on this database: backend pid \d+ \(golden run, since /);
      await release();
      const again = await db().acquireRunLock('golden run');
      await again();
    });
  }
});
