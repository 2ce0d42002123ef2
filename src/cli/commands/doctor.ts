import path from 'node:path';
import { resolveConnectOptions, type ConnectOptions, type Database } from '../../db/index.js';
import { describeUrl } from '../../db/errors.js';
import {
  checkConfig,
  checkDiskSpace,
  checkExtensions,
  checkInputFiles,
  checkMigrations,
  checkOutputFolders,
  checkRunLock,
  checkServer,
  displayPath,
  doctorExitCode,
  embeddedNotCreated,
  embeddedState,
  fail,
  findingsJson,
  migrationsOfNewDatabase,
  ok,
  openFailure,
  outputTargets,
  renderFindings,
  type DiskPlace,
  type Finding,
} from '../../doctor/index.js';
import { UserError, type ExitCodeValue } from '../../errors.js';
import { database, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';

export interface DoctorCommandOptions extends GlobalOptions {
  /** The reports folder the nightly job passes to golden run --out. */
  out?: string;
}

const MEMORY = 'memory://';

/**
 * `golden doctor`: a read-only health check for the nightly job. It applies no migration,
 * creates no folder or database, leaves no file behind and takes no lock on PostgreSQL (on
 * the embedded database, opening it holds the lock file for a moment). In order: config,
 * database and server version, extensions, migrations, run lock, input files, output folders,
 * free disk. One line per problem and one `ok` line per passed check on stdout (`--json`:
 * `{ checks: [{ check, status, message }], ok }`).
 *
 * Exit code: the one `golden run` would stop with first.
 * - 0: no errors (warnings allowed: pending migrations, a glob matching nothing, a run holding
 *   the lock, an embedded database not created yet, 1–5 GiB free).
 * - 2 (usage): the config does not load, or any other error: unreadable input file, unwritable
 *   output folder, under 1 GiB free, PostgreSQL older than 13, a missing extension.
 *   A config error wins over an unreachable database, as golden run loads the config first.
 * - 4 (database unreachable): the database cannot be reached (and the config is fine).
 */
export default async function doctorCommand(options: DoctorCommandOptions): Promise<ExitCodeValue> {
  const findings: Finding[] = [];
  const { config, findings: configFindings } = await checkConfig(options.config);
  findings.push(...configFindings);

  const connect = resolveConnectOptions({ databaseUrl: options.databaseUrl, dbDir: options.db });
  findings.push(...(await databaseChecks(options, connect)));

  // The rest needs the config: without it there are no globs or output folders to look at.
  const disk: DiskPlace[] = [];
  if (config) {
    const input = await checkInputFiles(config);
    findings.push(...input.findings);
    const targets = outputTargets(config, options.out, input.files);
    findings.push(...(await checkOutputFolders(targets)));
    disk.push(...targets.filter((t) => !t.besideInputs));
  }
  if (connect.dbDir !== undefined && connect.dbDir !== MEMORY) disk.push({ label: 'embedded database', dir: path.resolve(connect.dbDir) });
  findings.push(...(await checkDiskSpace(disk)));

  if (options.json) printJson(findingsJson(findings));
  else printData(renderFindings(findings));
  return doctorExitCode(findings);
}

/** Database, extensions, migrations and run lock; opening problems become findings. */
async function databaseChecks(options: DoctorCommandOptions, connect: ConnectOptions): Promise<Finding[]> {
  const embedded = connect.dbDir !== undefined && connect.dbDir !== MEMORY ? path.resolve(connect.dbDir) : undefined;
  if (embedded !== undefined) {
    // Opening a folder without a database would create one: report it instead.
    const state = await embeddedState(embedded);
    if (state !== 'present') {
      const findings = await embeddedNotCreated(embedded, state);
      if (state === 'not a folder') return findings;
      return [...findings, ok('extensions', 'pg_trgm, fuzzystrmatch, unaccent bundled with PGlite (the first run creates them)'), ...(await migrationsOfNewDatabase())];
    }
  }
  const label = connect.databaseUrl !== undefined ? describeUrl(connect.databaseUrl) : embedded !== undefined ? `PGlite at ${displayPath(embedded)}` : 'PGlite in memory';
  let db: Database;
  try {
    // The schema is left as it is: doctor reports pending migrations, never applies them.
    db = await database({ ...options, wait: undefined }, 'doctor', { migrateSchema: false });
  } catch (error) {
    return [openFailure(error, label)];
  }
  const findings: Finding[] = [];
  try {
    findings.push(...(await checkServer(db, db.engine, db.label)));
    findings.push(...(await checkExtensions(db, db.engine)));
    findings.push(...(await checkMigrations(db)));
    // PGlite: the lock file this process now holds proves no other process has it.
    findings.push(...(db.engine === 'postgres' ? await checkRunLock(db) : [ok('lock', 'no other golden process is using the embedded database')]));
  } catch (error) {
    // A connection lost half way: report it with what was found so far.
    if (!(error instanceof UserError)) throw error;
    findings.push(fail('database', error.message, error.exitCode));
  } finally {
    await db.close().catch(() => {});
  }
  return findings;
}
