import { readdir } from 'node:fs/promises';
import { MIGRATIONS_DIR, migrationStatus, type Database, type Engine, type MigrationStatus, type Queryable } from '../db/index.js';
import { runLockHolder } from '../db/postgres.js';
import { ExitCode, UserError, errorMessage } from '../errors.js';
import { fail, ok, orOk, warn, type Finding } from './findings.js';

/** server_version_num of the oldest PostgreSQL golden supports (13: trusted contrib extensions). */
export const MIN_SERVER_VERSION_NUM = 130_000;

/** The contrib extensions the first migration creates. */
export const REQUIRED_EXTENSIONS = ['pg_trgm', 'fuzzystrmatch', 'unaccent'] as const;

export async function checkServer(db: Queryable, engine: Engine, label: string): Promise<Finding[]> {
  const [row] = await db.query<{ num: string; version: string }>(
    "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version",
  );
  const version = row?.version ?? 'unknown';
  if (engine === 'pglite') return [ok('database', `${label} (embedded PostgreSQL ${version})`)];
  if (!(Number(row?.num) >= MIN_SERVER_VERSION_NUM)) {
    return [fail('database', `${label} runs PostgreSQL ${version}; golden needs PostgreSQL 13 or later: upgrade the server`)];
  }
  return [ok('database', `${label} (PostgreSQL ${version})`)];
}

export async function checkExtensions(db: Queryable, engine: Engine): Promise<Finding[]> {
  const names = [...REQUIRED_EXTENSIONS];
  const installed = new Map(
    (await db.query<{ name: string; version: string }>('SELECT extname AS name, extversion AS version FROM pg_extension WHERE extname = ANY($1)', [names])).map(
      (r) => [r.name, r.version],
    ),
  );
  const available = new Set(
    (await db.query<{ name: string }>('SELECT name FROM pg_available_extensions WHERE name = ANY($1)', [names])).map((r) => r.name),
  );
  const missing = names.filter((n) => !installed.has(n));
  const listed = names.filter((n) => installed.has(n)).map((n) => `${n} ${installed.get(n)}`);
  // PGlite bundles the three (src/db/pglite.ts); its single user may create anything.
  if (engine === 'pglite') {
    const later = missing.length > 0 ? `${missing.join(', ')} bundled with PGlite (the first run creates them)` : '';
    return [ok('extensions', [listed.length > 0 ? `${listed.join(', ')} installed` : '', later].filter(Boolean).join('; '))];
  }
  const problems: Finding[] = [];
  const creatable = missing.filter((n) => available.has(n));
  const rights = creatable.length > 0 ? await createRights(db) : undefined;
  for (const name of missing) {
    if (!available.has(name)) {
      problems.push(
        fail('extensions', `${name} is not available on the server: install the contrib extensions on the database host (package postgresql-contrib; on Debian/Ubuntu they come with the postgresql package)`),
      );
    } else if (rights?.canCreate) {
      problems.push(
        warn('extensions', `${name} is available but not created in database ${rights.database} yet: the first run creates it, which needs the CREATE privilege on the database (user ${rights.user} has it)`),
      );
    } else {
      problems.push(
        fail('extensions', `${name} is available but not created in database ${rights?.database ?? '?'}, and user ${rights?.user ?? '?'} lacks the CREATE privilege the first run needs to create it: have a DBA run CREATE EXTENSION ${name} there (or GRANT CREATE ON DATABASE)`),
      );
    }
  }
  return orOk('extensions', problems, `${listed.join(', ')} installed`);
}

/** Whether this user can run CREATE EXTENSION for the (trusted, on 13+) contrib extensions. */
async function createRights(db: Queryable): Promise<{ canCreate: boolean; user: string; database: string }> {
  const [row] = await db.query<{ can_create: boolean; user: string; database: string }>(
    `SELECT has_database_privilege(current_database(), 'CREATE') OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS can_create,
            current_user AS "user", current_database() AS database`,
  );
  return { canCreate: row?.can_create === true, user: row?.user ?? '?', database: row?.database ?? '?' };
}

/** The migration files this golden ships, as knex names them (src/db/migrate.ts). */
export async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
}

/**
 * Applied and pending migrations without changing anything. knex's list (migrationStatus)
 * first creates its bookkeeping tables and lock row when they are missing, so it is only asked
 * once they exist; before that, the table is read by hand (or there is none: nothing applied).
 */
export async function readMigrationStatus(db: Database): Promise<MigrationStatus> {
  const [state] = await db.query<{ migrations: boolean; lock: boolean }>(
    "SELECT to_regclass('knex_migrations') IS NOT NULL AS migrations, to_regclass('knex_migrations_lock') IS NOT NULL AS lock",
  );
  const lockRows = state?.lock ? ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM knex_migrations_lock'))[0]?.n ?? 0) : 0;
  if (state?.migrations && lockRows > 0) return migrationStatus(db);
  const applied = state?.migrations ? (await db.query<{ name: string }>('SELECT name FROM knex_migrations ORDER BY id')).map((r) => r.name) : [];
  const files = await migrationFiles();
  return { applied, pending: files.filter((f) => !applied.includes(f)) };
}

export function migrationFindings(status: MigrationStatus, files: readonly string[]): Finding[] {
  const problems: Finding[] = [];
  const unknown = status.applied.filter((name) => !files.includes(name));
  if (unknown.length > 0) {
    // knex refuses to migrate a database whose applied migrations it cannot find.
    problems.push(fail('migrations', `the database has migrations this golden does not ship (${unknown.join(', ')}): a newer golden migrated it; upgrade golden`));
  }
  if (status.pending.length > 0) {
    problems.push(
      warn(
        'migrations',
        `${status.pending.length} of ${files.length} pending (${status.pending.join(', ')}): run \`golden db migrate\` (golden run also applies them itself)`,
      ),
    );
  }
  return orOk('migrations', problems, `all ${files.length} applied`);
}

export async function checkMigrations(db: Database): Promise<Finding[]> {
  return migrationFindings(await readMigrationStatus(db), await migrationFiles());
}

/** The database does not exist yet: every migration is pending, nothing can be unknown. */
export async function migrationsOfNewDatabase(): Promise<Finding[]> {
  const files = await migrationFiles();
  return migrationFindings({ applied: [], pending: files }, files);
}

/**
 * PostgreSQL: who holds the run lock (an advisory lock on RUN_LOCK_KEY, in this database),
 * read from pg_locks: asking with pg_try_advisory_lock would take it when free.
 */
export async function checkRunLock(db: Queryable): Promise<Finding[]> {
  const holder = await runLockHolder(db);
  if (!holder) return [ok('lock', 'no golden run holds the run lock')];
  const since = holder.since ? `, since ${new Date(holder.since).toISOString()}` : '';
  return [
    warn(
      'lock',
      `another golden run holds the run lock now: backend pid ${holder.pid} (${holder.app || 'golden'}${since}); a run started meanwhile exits 5 (or waits with golden run --wait)`,
    ),
  ];
}

/**
 * Opening the database failed. Unreachable: the error line (exit 4). The embedded database
 * in use by another process: information, not a failure. Anything else the user can fix
 * (a UserError, or a file-system error such as EACCES): an error. Other errors are bugs.
 */
export function openFailure(error: unknown, label: string): Finding {
  if (error instanceof UserError) {
    if (error.exitCode === ExitCode.locked) {
      return warn('lock', `${error.message}: a run started now would exit 5; database, extensions and migrations were not checked (run golden doctor again when it is done)`);
    }
    return fail('database', error.message, error.exitCode);
  }
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') {
    return fail('database', `cannot open ${label}: ${errorMessage(error)}`);
  }
  throw error;
}
