import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import type { Database } from './types.js';

/** migrations/ at the package root, both from src/db (tests) and dist/db (built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const UP = /^--\s*migrate:up\s*$/m;
const DOWN = /^--\s*migrate:down\s*$/m;

/**
 * knex migrations kept as plain SQL files, so a DBA can read them and both engines run the
 * same text. knex records what ran (knex_migrations) and serialises concurrent migrators.
 */
class SqlMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly db: Database) {}

  async getMigrations(): Promise<string[]> {
    return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<Knex.Migration> {
    const text = await readFile(`${MIGRATIONS_DIR}${name}`, 'utf8');
    const up = text.split(UP)[1]?.split(DOWN)[0];
    const down = text.split(DOWN)[1];
    if (up === undefined || down === undefined) {
      throw new Error(`migration ${name} needs "-- migrate:up" and "-- migrate:down" sections`);
    }
    const run = async (knex: Knex, sql: string) => {
      // PGlite's knex dialect sends one statement per call; its single session is the one
      // knex's migration transaction runs in, so the script runs there directly.
      if (this.db.engine === 'pglite') await this.db.exec(sql);
      else await knex.raw(sql);
    };
    return { up: (knex) => run(knex, up), down: (knex) => run(knex, down) };
  }
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const [applied, pending] = (await db.knex().migrate.list({ migrationSource: new SqlMigrationSource(db) })) as [
    { name: string }[],
    string[],
  ];
  return { applied: applied.map((m) => m.name), pending };
}

/** Key of the advisory lock that queues golden processes migrating one PostgreSQL database. */
const MIGRATE_LOCK_KEY = 0x676f6c64656e6d; // "goldenm"

/**
 * Applies pending migrations; returns the names applied. On PostgreSQL two processes starting
 * on a new database (two cron jobs at once) would both create knex's bookkeeping tables and one
 * would fail: they queue on an advisory lock, and the second finds nothing pending.
 */
export async function migrate(db: Database): Promise<string[]> {
  const latest = async () =>
    ((await db.knex().migrate.latest({ migrationSource: new SqlMigrationSource(db) })) as [number, string[]])[1];
  if (db.engine === 'pglite') return latest(); // one process at a time already (the lock file)
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK_KEY]);
    return latest();
  });
}
