/**
 * `npm run bench`: the figures the issues ask for, measured on generated data.
 * Prints a table: rows, seconds, rows/s and the golden process's peak RSS, beside each target.
 *
 *   npm run bench -- [--rows 1000000] [--pglite-rows 1000000] [--seed 7] [--data DIR]
 *
 * The PostgreSQL runs use DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) to
 * create a scratch database golden_bench, dropped afterwards.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import pg from 'pg';
import { generate } from '../generator/generate.js';
import { fillReportData } from './report-data.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = path.join(REPO, 'bin/golden');

interface Row {
  benchmark: string;
  engine: string;
  rows: number;
  seconds: number;
  peakRssMb: number;
  target: string;
}

/** Silo records per person in the generator's mix: persons to generate for about `rows` records. */
const RECORDS_PER_PERSON = 1.863;

async function main(): Promise<void> {
  const options = new Command('bench')
    .option('--rows <n>', 'customer rows to import into PostgreSQL', (v) => Number(v), 1_000_000)
    .option('--pglite-rows <n>', 'customer rows to import into PGlite', (v) => Number(v), 1_000_000)
    .option('--pglite-resolve-rows <n>', 'customer rows to import and resolve on PGlite', (v) => Number(v), 100_000)
    .option('--delta <n>', 'new or changed records in the nightly delta', (v) => Number(v), 10_000)
    .option('--report-customers <n>', 'customers for the reports benchmark (0 skips it)', (v) => Number(v), 1_000_000)
    .option('--report-activities <n>', 'activity rows for the reports benchmark', (v) => Number(v), 10_000_000)
    .option('--nightly-persons <n>', 'persons for the nightly-job benchmark (0 skips it)', (v) => Number(v), 1_000_000)
    .option('--only <part>', 'run one part: import, resolve, pglite, reports or nightly')
    .option('--seed <n>', 'generator seed', (v) => Number(v), 7)
    .option('--data <dir>', 'where generated data is kept between runs', path.join(REPO, 'bench-data'))
    .parse()
    .opts<{
      rows: number;
      pgliteRows: number;
      pgliteResolveRows: number;
      delta: number;
      reportCustomers: number;
      reportActivities: number;
      nightlyPersons: number;
      only?: string;
      seed: number;
      data: string;
    }>();
  const part = (name: string) => options.only === undefined || options.only === name;

  const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const results: Row[] = [];

  // A quarter-size run first: peak RSS must stay flat as the input grows.
  for (const rows of part('import') || part('resolve') ? [Math.round(options.rows / 4), options.rows] : []) {
    const pgData = await dataset(options.data, rows, options.seed);
    const db = await scratchDatabase(serverUrl, 'golden_bench');
    try {
      await run([GOLDEN, 'db', 'migrate', '--database-url', db.url]);
      const summary = await goldenImport(pgData, ['--database-url', db.url]);
      results.push({ benchmark: 'import customers', engine: 'PostgreSQL', ...summary, target: '≥ 200,000 rows/s, ≤ 300 MB, flat' });
      if (rows === options.rows) {
        const first = await goldenResolve(pgData, ['--database-url', db.url], summary.rows);
        results.push({ benchmark: 'resolve, first load', engine: 'PostgreSQL', ...first, target: '≤ 60 s, ≤ 1 GB' });
        const delta = await nightlyDelta(pgData, ['--database-url', db.url], options.delta);
        results.push({ benchmark: `nightly delta: import`, engine: 'PostgreSQL', ...delta.import, target: 'reported' });
        results.push({ benchmark: `nightly delta: resolve vs ${Math.round(summary.rows / 1e5) / 10}M`, engine: 'PostgreSQL', ...delta.resolve, target: '≤ 10 s' });
      }
    } finally {
      await db.drop();
    }
  }

  if (options.pgliteRows > 0 && part('pglite')) {
    const liteData = await dataset(options.data, options.pgliteRows, options.seed);
    const dir = path.join(options.data, 'pglite-db');
    rmSync(dir, { recursive: true, force: true });
    try {
      // Create the database first: PGlite's initdb alone peaks near 900 MB, which is not import.
      await run([GOLDEN, 'db', 'migrate', '--db', dir]);
      const summary = await goldenImport(liteData, ['--db', dir]);
      results.push({ benchmark: 'import customers', engine: 'PGlite', ...summary, target: 'reported' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (options.pgliteResolveRows > 0 && part('pglite')) {
    const liteData = await dataset(options.data, options.pgliteResolveRows, options.seed);
    const dir = path.join(options.data, 'pglite-resolve-db');
    rmSync(dir, { recursive: true, force: true });
    try {
      await run([GOLDEN, 'db', 'migrate', '--db', dir]);
      const imported = await goldenImport(liteData, ['--db', dir]);
      const resolved = await goldenResolve(liteData, ['--db', dir], imported.rows);
      results.push({
        benchmark: 'import + resolve',
        engine: 'PGlite',
        rows: imported.rows,
        seconds: imported.seconds + resolved.seconds,
        peakRssMb: Math.max(imported.peakRssMb, resolved.peakRssMb),
        target: '≤ 60 s',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (options.nightlyPersons > 0 && part('nightly')) {
    const data = await dataset(options.data, Math.round(options.nightlyPersons * RECORDS_PER_PERSON), options.seed);
    const db = await scratchDatabase(serverUrl, 'golden_nightly_bench');
    try {
      const nights = await nightlyRuns(data, db.url);
      results.push({ benchmark: 'golden run, first night (customers + activities)', engine: 'PostgreSQL', ...nights.first, target: '≤ 180 s, ≤ 1 GB' });
      results.push({ benchmark: 'golden run, second night (1% new or changed)', engine: 'PostgreSQL', ...nights.second, target: '≤ 30 s, ≤ 1 GB' });
    } finally {
      await db.drop();
    }
  }

  if (options.reportCustomers > 0 && part('reports')) {
    mkdirSync(options.data, { recursive: true });
    const db = await scratchDatabase(serverUrl, 'golden_report_bench');
    try {
      await run([GOLDEN, 'db', 'migrate', '--database-url', db.url]);
      process.stderr.write(`filling ${options.reportCustomers.toLocaleString('en-US')} customers and ${options.reportActivities.toLocaleString('en-US')} activities …\n`);
      await fillReportData(db.url, options.reportCustomers, options.reportActivities);
      const config = path.join(options.data, 'report-bench.config.json');
      writeFileSync(
        config,
        JSON.stringify({
          sources: Object.fromEntries(
            ['retail_loyalty:Retail', 'card_services:Cards', 'web_shop:Web', 'call_centre:Contact centre'].map((s) => {
              const [name, unit] = s.split(':') as [string, string];
              return [name, { businessUnit: unit, files: `${name}.csv`, key: 'id', columns: { id: null } }];
            }),
          ),
        }),
      );
      let seconds = 0;
      let peak = 0;
      for (const kind of ['segments', 'trends', 'service']) {
        const started = Date.now();
        const out = path.join(options.data, `${kind}.json`);
        const rss = await timedPeak([GOLDEN, 'report', kind, '--as-of', '2025-12-31', '--format', 'json', '--config', config, '--database-url', db.url, '--out', out]);
        const took = (Date.now() - started) / 1000;
        process.stderr.write(`  report ${kind}: ${took.toFixed(2)} s, ${rss} MB\n`);
        seconds += took;
        peak = Math.max(peak, rss);
      }
      results.push({ benchmark: 'reports: segments + trends + service', engine: 'PostgreSQL', rows: options.reportActivities, seconds, peakRssMb: peak, target: '≤ 20 s, ≤ 300 MB' });
    } finally {
      await db.drop();
    }
  }
  printTable(results);
}

/** Runs a golden command under GNU time and returns the child's peak RSS in MB (0 without it). */
function timedPeak(args: string[]): Promise<number> {
  const time = '/usr/bin/time';
  const withTime = existsSync(time);
  return new Promise((resolve, reject) => {
    const child = withTime
      ? spawn(time, ['-f', '%M', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${err}`));
      const kb = Number(err.trim().split('\n').pop());
      resolve(withTime && Number.isFinite(kb) ? Math.round(kb / 1024) : 0);
    });
  });
}

/** `golden resolve --json` on what was imported: seconds and peak RSS of the golden process. */
async function goldenResolve(dataDir: string, dbFlags: string[], rows: number): Promise<{ rows: number; seconds: number; peakRssMb: number }> {
  const out = await run([GOLDEN, 'resolve', '--json', '--config', path.join(dataDir, 'customers-only.config.json'), ...dbFlags]);
  const summary = JSON.parse(out) as { seconds: number; peakRssMb: number };
  return { rows, seconds: summary.seconds, peakRssMb: summary.peakRssMb };
}

/**
 * A nightly delta: a new web-shop export where half the rows are existing customers with a
 * changed e-mail and half are new accounts of existing people (new keys), so it exercises
 * both the changed-record path and matching against the million customers already there.
 */
async function nightlyDelta(
  dataDir: string,
  dbFlags: string[],
  size: number,
): Promise<{ import: { rows: number; seconds: number; peakRssMb: number }; resolve: { rows: number; seconds: number; peakRssMb: number } }> {
  const config = JSON.parse(readFileSync(path.join(dataDir, 'customers-only.config.json'), 'utf8')) as {
    sources: Record<string, { files: string | string[]; key: string; delimiter?: string }>;
  };
  const web = config.sources['web_shop']!;
  const lines = readFileSync(path.join(dataDir, String(web.files)), 'utf8').split('\n');
  const header = lines[0]!;
  const body = lines.slice(1).filter((l) => l !== '');
  const half = Math.floor(size / 2);
  const changed = body.slice(0, half).map((l) => {
    const cells = l.split('\t');
    cells[3] = cells[3] ? `nightly.${cells[3]}` : 'nightly.customer@gmail.com';
    return cells.join('\t');
  });
  const added = body.slice(half, 2 * half).map((l) => {
    const cells = l.split('\t');
    cells[0] = `N${cells[0]}`;
    return cells.join('\t');
  });
  const deltaFile = path.join(dataDir, 'web_shop.delta.csv');
  writeFileSync(deltaFile, [header, ...changed, ...added, ''].join('\n'));
  const deltaConfig = path.join(dataDir, 'delta.config.json');
  writeFileSync(deltaConfig, JSON.stringify({ ...config, sources: { ...config.sources, web_shop: { ...web, files: 'web_shop.delta.csv' } } }));
  const imported = JSON.parse(await run([GOLDEN, 'import', '--json', '--config', deltaConfig, '--source', 'web_shop', ...dbFlags])) as {
    rowsRead: number;
    seconds: number;
    peakRssMb: number;
  };
  const resolved = JSON.parse(await run([GOLDEN, 'resolve', '--json', '--config', deltaConfig, ...dbFlags])) as { seconds: number; peakRssMb: number };
  return {
    import: { rows: imported.rowsRead, seconds: imported.seconds, peakRssMb: imported.peakRssMb },
    resolve: { rows: imported.rowsRead, seconds: resolved.seconds, peakRssMb: resolved.peakRssMb },
  };
}

interface Measured {
  rows: number;
  seconds: number;
  peakRssMb: number;
}

/**
 * `golden run` as cron runs it, twice. The first night loads every export (the four silos and
 * their activity files) into an empty database, resolves and writes the reports. The second
 * night adds 1% of the customer records (half of them existing web-shop customers with a
 * changed e-mail, half new accounts of existing people) and 1% more orders; the files of the
 * first night are still there and are recognised as imported.
 */
async function nightlyRuns(dataDir: string, url: string): Promise<{ first: Measured; second: Measured }> {
  const out = path.join(dataDir, 'nightly-reports');
  rmSync(out, { recursive: true, force: true });
  const night = async (name: string, config: string): Promise<Measured> => {
    const started = Date.now();
    const logFile = path.join(dataDir, `nightly-${name}.log.jsonl`);
    const summary = JSON.parse(
      await run([GOLDEN, 'run', '--json', '--log-format', 'json', '--config', config, '--database-url', url, '--out', out], true, logFile, true),
    ) as { totals: { rows: number }; peakRssMb: number };
    printSteps(logFile);
    return { rows: summary.totals.rows, seconds: (Date.now() - started) / 1000, peakRssMb: summary.peakRssMb };
  };
  process.stderr.write('nightly: first night …\n');
  const first = await night('first', path.join(dataDir, 'golden.config.json'));

  const config = JSON.parse(readFileSync(path.join(dataDir, 'golden.config.json'), 'utf8')) as {
    sources: Record<string, { files: string }>;
    activities: Record<string, { files: string }>;
  };
  const customers = Object.values(config.sources).reduce((n, s) => n + lineCount(path.join(dataDir, s.files)) - 1, 0);
  const delta = Math.round(customers / 100);
  const web = readFileSync(path.join(dataDir, config.sources['web_shop']!.files), 'utf8').split('\n');
  const body = web.slice(1).filter((l) => l !== '');
  const half = Math.floor(delta / 2);
  const changed = body.slice(0, half).map((l) => {
    const cells = l.split('\t');
    cells[3] = cells[3] ? `night2.${cells[3]}` : 'night2.customer@gmail.com';
    return cells.join('\t');
  });
  const added = body.slice(half, delta).map((l) => {
    const cells = l.split('\t');
    cells[0] = `N${cells[0]}`;
    return cells.join('\t');
  });
  writeFileSync(path.join(dataDir, 'web_shop.night2.csv'), [web[0], ...changed, ...added, ''].join('\n'));
  const orders = readFileSync(path.join(dataDir, config.activities['retail_orders']!.files), 'latin1').split('\n');
  const orderRows = orders.slice(1).filter((l) => l !== '');
  const newOrders = orderRows.slice(0, Math.round(orderRows.length / 100)).map((l) => `N${l}`);
  writeFileSync(path.join(dataDir, 'retail_orders.night2.csv'), [orders[0], ...newOrders, ''].join('\n'), 'latin1');
  const second = structuredClone(config) as typeof config;
  second.sources['web_shop']!.files = 'web_shop*.csv';
  second.activities['retail_orders']!.files = 'retail_orders*.csv';
  const secondConfig = path.join(dataDir, 'night2.config.json');
  writeFileSync(secondConfig, JSON.stringify({ ...JSON.parse(readFileSync(path.join(dataDir, 'golden.config.json'), 'utf8')), ...second }));
  process.stderr.write(`nightly: second night (${delta.toLocaleString('en-US')} customer records, ${newOrders.length.toLocaleString('en-US')} orders) …\n`);
  return { first, second: await night('second', secondConfig) };
}

/** Where a night's time went: every logged step that took a second or more, in order. */
function printSteps(logFile: string): void {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { time: string; stage: string; message: string; seconds?: number; stages?: Record<string, number> };
    if (entry.seconds === undefined || entry.seconds < 1) continue;
    process.stderr.write(`  ${entry.time.slice(11, 19)} ${entry.stage} ${entry.message}: ${entry.seconds.toFixed(1)} s\n`);
    for (const [stage, seconds] of Object.entries(entry.stages ?? {})) {
      if (seconds >= 1) process.stderr.write(`      ${stage}: ${seconds.toFixed(1)} s\n`);
    }
  }
  process.stderr.write(`  (the whole log: ${logFile})\n`);
}

function lineCount(file: string): number {
  const text = readFileSync(file);
  let n = 0;
  for (const byte of text) if (byte === 10) n++;
  return n;
}

/** Generated exports for about `rows` customer records, reused when already there. */
async function dataset(root: string, rows: number, seed: number): Promise<string> {
  const persons = Math.round(rows / RECORDS_PER_PERSON);
  const dir = path.join(root, `persons-${persons}-seed-${seed}`);
  if (!existsSync(path.join(dir, 'golden.config.json'))) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`generating ${persons.toLocaleString('en-US')} persons into ${dir} …\n`);
    await generate({ persons, seed, outDir: dir, dirtyRate: 0.001 });
  }
  return dir;
}

async function scratchDatabase(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Imports the customer sources only (the figure), as a user would run it. */
async function goldenImport(dataDir: string, dbFlags: string[]): Promise<{ rows: number; seconds: number; peakRssMb: number }> {
  const config = JSON.parse(readFileSync(path.join(dataDir, 'golden.config.json'), 'utf8')) as Record<string, unknown>;
  const customersOnly = path.join(dataDir, 'customers-only.config.json');
  writeFileSync(customersOnly, JSON.stringify({ ...config, activities: {} }));
  const out = await run([GOLDEN, 'import', '--json', '--config', customersOnly, ...dbFlags]);
  const summary = JSON.parse(out) as { rowsRead: number; peakRssMb: number; seconds: number };
  return { rows: summary.rowsRead, seconds: summary.seconds, peakRssMb: summary.peakRssMb };
}

/**
 * Runs golden; its stdout is the result. `quiet` keeps its log (stderr) out of the terminal
 * unless it fails; `logFile` receives the whole log. `ownSession` starts it in a session of its
 * own, without a terminal, as a nightly job runs under cron or systemd (see yieldCpuToDatabase).
 */
function run(args: string[], quiet = false, logFile?: string, ownSession = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'], detached: ownSession });
    let err = '';
    const log = logFile === undefined ? undefined : createWriteStream(logFile);
    child.stderr?.on('data', (d: Buffer) => {
      log?.write(d);
      err = (err + d.toString()).slice(-4000);
    });
    child.on('close', () => log?.end());
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || code === 3 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}\n${err}`))));
  });
}

function printTable(rows: Row[]): void {
  const header = ['benchmark', 'engine', 'rows', 'seconds', 'rows/s', 'peak RSS MB', 'target'];
  const body = rows.map((r) => [
    r.benchmark,
    r.engine,
    r.rows.toLocaleString('en-US'),
    r.seconds.toFixed(2),
    Math.round(r.rows / r.seconds).toLocaleString('en-US'),
    String(Math.round(r.peakRssMb)),
    r.target,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

await main();
