import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { RUN_LOCK_KEY } from '../../src/db/postgres.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { engines } from '../helpers/databases.js';
import { golden } from '../helpers/cli.js';
import { demoWorkspace, Workspace } from '../helpers/workspace.js';


describe('golden CLI', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => workspaces.forEach((w) => w.remove()));

  it('prints help and exits 0', async () => {
    const result = await golden(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: golden');
    for (const command of ['run', 'import', 'init', 'db']) expect(result.stdout).toContain(command);
  });

  it('exits 2 on an unknown option, with usage on stderr', async () => {
    const result = await golden(['import', '--bogus']);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });

  it('exits 4 with one clear line when the server is unreachable', async () => {
    const ws = demoWorkspace();
    workspaces.push(ws);
    const result = await golden(['run'], { cwd: ws.dir, env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' } });
    expect(result.code).toBe(ExitCode.databaseUnreachable);
    expect(result.stderr.trim()).toBe('golden: cannot reach PostgreSQL at 127.0.0.1:1/nowhere: connection refused (is PostgreSQL running?)');
  });

  it('exits 2 naming the key when the config has a typo', async () => {
    const ws = demoWorkspace();
    workspaces.push(ws);
    const config = JSON.parse(readFileSync(ws.path('golden.config.json'), 'utf8')) as { sources: Record<string, Record<string, unknown>> };
    const first = Object.keys(config.sources)[0]!;
    config.sources[first]!.delimter = ',';
    writeFileSync(ws.path('golden.config.json'), JSON.stringify(config));
    const result = await golden(['run', '--db', ws.path('db')], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain(`sources.${first}.delimter: unknown key (did you mean "delimiter"?)`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 5 naming the holder when the embedded database is in use', async () => {
    const ws = demoWorkspace();
    workspaces.push(ws);
    // This test process is alive, so its lock is not stale.
    writeFileSync(ws.path('db.lock'), JSON.stringify({ pid: process.pid, startedAt: '2026-01-01T02:00:00.000Z', command: 'golden run' }));
    const result = await golden(['run', '--db', ws.path('db')], { cwd: ws.dir });
    expect(result.code).toBe(ExitCode.locked);
    expect(result.stderr).toContain(`in use by pid ${process.pid} (golden run, since 2026-01-01T02:00:00.000Z)`);
  });

  it('drafts a config from sample exports with golden init', async () => {
    const ws = demoWorkspace();
    workspaces.push(ws);
    const config = JSON.parse(readFileSync(ws.path('golden.config.json'), 'utf8')) as {
      sources: Record<string, { files: string; delimiter?: string; encoding?: string; key: string }>;
    };
    const samples = Object.values(config.sources).map((s) => s.files);
    const result = await golden(['init', ...samples, '--out', 'draft.json'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    const draft = JSON.parse(readFileSync(ws.path('draft.json'), 'utf8')) as {
      sources: Record<string, { delimiter: string; encoding: string; key: string; columns: Record<string, string | null> }>;
      review: string[];
    };
    for (const source of Object.values(config.sources)) {
      const drafted = Object.values(draft.sources).find((d) => JSON.stringify(d).includes(source.files))!;
      expect(drafted, source.files).toBeDefined();
      expect(drafted.delimiter).toBe(source.delimiter ?? ',');
      expect(drafted.encoding).toBe(source.encoding ?? 'utf-8');
      expect(drafted.key).toBe(source.key);
    }
    expect(draft.review.length).toBeGreaterThan(0);
  });

  it('drafts a config from every demo export that imports them exactly as the real config does', async () => {
    const ws = demoWorkspace();
    workspaces.push(ws);
    const real = JSON.parse(readFileSync(ws.path('golden.config.json'), 'utf8')) as Record<string, Record<string, { files: string }>>;
    const files = [...Object.values(real.sources!), ...Object.values(real.activities!)].map((b) => b.files);
    const drafted = await golden(['init', ...files, '--out', 'draft.json'], { cwd: ws.dir });
    expect(drafted.code).toBe(0);
    const loadedWith = async (config: string) => {
      const result = await golden(['import', '--json', '--config', config, '--db', ws.path(`db-${config}`)], { cwd: ws.dir });
      const summary = JSON.parse(result.stdout) as { files: { file: string; kind: string; rowsLoaded: number; rowsRejected: number }[] };
      return summary.files.map((f) => [path.basename(f.file), f.kind, f.rowsLoaded, f.rowsRejected]).sort();
    };
    expect(await loadedWith('draft.json')).toEqual(await loadedWith('golden.config.json'));
  });

  for (const engine of engines) {
    it(`warns once, before loading, of a file that reads as UTF-8 against its declared encoding [${engine.name}]`, async () => {
      const ws = demoWorkspace();
      workspaces.push(ws);
      // One customer file and one activity file: a run checks both kinds' headers at the start
      // and imports them in two steps, and the warning must be told once.
      const config = JSON.parse(readFileSync(ws.path('golden.config.json'), 'utf8')) as {
        sources: Record<string, { encoding?: string }>;
        activities: Record<string, unknown>;
      };
      config.sources = { web_shop: { ...config.sources.web_shop!, encoding: 'windows-1252' } };
      config.activities = { survey_feedback: config.activities.survey_feedback };
      writeFileSync(ws.path('golden.config.json'), JSON.stringify(config));
      const created = await engine.create();
      const flags = created.options.databaseUrl ? ['--database-url', created.options.databaseUrl] : ['--db', created.options.dbDir!];
      try {
        const result = await golden(['run', '--json', '--log-format', 'json', ...flags], { cwd: ws.dir });
        expect([ExitCode.ok, ExitCode.rejects]).toContain(result.code);
        const events = result.stderr
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { level: string; stage: string; message: string });
        const warned = events.filter((e) => e.level === 'warn' && e.message.includes('reads as UTF-8'));
        expect(warned).toHaveLength(1);
        expect(warned[0]!.message).toContain('web_shop.csv: declared "windows-1252"');
        const files = (JSON.parse(result.stdout) as { import: { files: { file: string; status: string }[] } }).import.files;
        expect(files.map((f) => [path.basename(f.file), f.status]).sort()).toEqual([
          ['survey_feedback.csv', 'loaded'],
          ['web_shop.csv', 'loaded'],
        ]);
      } finally {
        await created.drop();
      }
    });

    it(`runs the demo end to end and is a no-op the second time [${engine.name}]`, async () => {
      const ws = demoWorkspace();
      workspaces.push(ws);
      const created = engine.name === 'pglite' ? { options: { dbDir: ws.path('db') }, drop: async () => {} } : await engine.create();
      const flags = created.options.databaseUrl ? ['--database-url', created.options.databaseUrl] : ['--db', created.options.dbDir!];
      try {
        // A dry run finds the new files and changes nothing
        const dry = await golden(['run', '--dry-run', ...flags], { cwd: ws.dir });
        expect(dry.code).toBe(ExitCode.ok);
        expect(dry.stdout.trim()).toMatch(/^golden run --dry-run: \d+ new files would be imported; .*nothing was changed/);
        const empty = await golden(['db', 'status', '--json', ...flags], { cwd: ws.dir });
        expect((JSON.parse(empty.stdout) as { counts: unknown }).counts).toEqual({ batches: 0, staged: 0, activities: 0, customers: 0 });

        const first = await golden(['run', '--json', '--log-format', 'json', ...flags], { cwd: ws.dir });
        // The log: JSON lines on stderr, a line per step, no personal data
        const events = first.stderr
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { time: string; level: string; stage: string; message: string });
        expect(new Set(events.map((e) => e.stage))).toEqual(new Set(['run', 'import', 'resolve', 'vacuum', 'report']));
        expect(events.at(-1)).toMatchObject({ stage: 'run', message: 'finished', level: 'info' });
        expect(first.stderr).not.toMatch(/@[a-z0-9-]+\.[a-z]{2,}/i);
        expect([ExitCode.ok, ExitCode.rejects]).toContain(first.code);
        const summary = JSON.parse(first.stdout) as { import: { rowsRead: number; rowsLoaded: number; rowsRejected: number; files: { status: string }[] } };
        expect(summary.import.rowsRead).toBe(summary.import.rowsLoaded + summary.import.rowsRejected);
        expect(summary.import.files.length).toBeGreaterThanOrEqual(8);
        expect(summary.import.files.every((f) => f.status === 'loaded')).toBe(true);
        expect(first.code).toBe(summary.import.rowsRejected > 0 ? ExitCode.rejects : ExitCode.ok);
        // The run ends with the reports written, a self-contained page and its JSON.
        const { reports, totals } = JSON.parse(first.stdout) as {
          reports: { html: string; json: string; csv: string; csvDir: string };
          totals: { files: number; rows: number; newCustomers: number; nothingNew: boolean };
        };
        expect(totals).toMatchObject({ files: summary.import.files.length, rows: summary.import.rowsRead, nothingNew: false });
        expect(totals.newCustomers).toBeGreaterThan(0);
        expect(readFileSync(reports.html, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<svg[\s\S]*<\/html>\s*$/i);
        const json = JSON.parse(readFileSync(reports.json, 'utf8')) as { sections: { title: string; tables: unknown[] }[] };
        expect(json.sections.length).toBeGreaterThan(3);
        // CSV: every table in report.csv, and one file per table in csv/
        const tables = json.sections.reduce((n, s) => n + s.tables.length, 0);
        expect(readdirSync(reports.csvDir).filter((f) => f.endsWith('.csv')).length).toBe(tables);
        expect(readFileSync(reports.csv, 'utf8').split('\n')[0]).toMatch(/^Section,Table,/);
        const one = await golden(['report', 'customer', 'retail_loyalty:R0000002', '--format', 'json', ...flags], { cwd: ws.dir });
        expect(one.code).toBe(ExitCode.ok);
        expect(one.stdout).toContain('retail_loyalty:R0000002');

        // A night with no new files: one line saying so, exit 0, the same customers
        const counts = () =>
          golden(['db', 'status', '--json', ...flags], { cwd: ws.dir }).then((r) => (JSON.parse(r.stdout) as { counts: unknown }).counts);
        const before = await counts();
        const second = await golden(['run', ...flags], { cwd: ws.dir });
        expect(second.code).toBe(ExitCode.ok);
        expect(second.stdout.trim()).toMatch(
          new RegExp(`^golden run: no new files \\(${summary.import.files.length} already imported\\); nothing changed in [\\d.]+ s; report: \\S+report\\.html$`),
        );
        expect(await counts()).toEqual(before);

        const status = await golden(['db', 'status', ...flags], { cwd: ws.dir });
        expect(status.code).toBe(0);
        expect(status.stdout).toContain('none pending');
      } finally {
        await created.drop();
      }
    });
  }
});

describe('a second run on PostgreSQL while one holds the lock', () => {
  const server = engines.find((e) => e.name === 'postgres');
  it.skipIf(!server)('exits 5 at once naming the holder, and works once the lock is free', async () => {
    const ws = demoWorkspace();
    const created = await server!.create();
    const flags = ['--database-url', created.options.databaseUrl!];
    // Stands in for a running `golden run`: the same advisory lock, held by another session.
    const holder = new pg.Client({ connectionString: created.options.databaseUrl, application_name: 'golden run' });
    try {
      await holder.connect();
      const [{ pid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
      await holder.query('SELECT pg_advisory_lock($1)', [RUN_LOCK_KEY]);
      for (const command of ['run', 'import']) {
        const blocked = await golden([command, ...flags], { cwd: ws.dir });
        expect(blocked.code).toBe(ExitCode.locked);
        expect(blocked.stderr).toContain(`another golden run holds the lock on this database: backend pid ${pid} (golden run, since `);
      }
      await holder.query('SELECT pg_advisory_unlock($1)', [RUN_LOCK_KEY]);
      const free = await golden(['run', ...flags], { cwd: ws.dir });
      expect(free.code).toBe(ExitCode.rejects);
    } finally {
      await holder.end();
      await created.drop();
      ws.remove();
    }
  });
});
