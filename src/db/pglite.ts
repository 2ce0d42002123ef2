import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { acquireLockFile } from './lockfile.js';
import type { Database, Queryable, Row, Session } from './types.js';

/** PGlite takes COPY data as one blob per statement: send it in slices of about this size. */
const COPY_SLICE_BYTES = 2 * 1024 * 1024;

const MEMORY = 'memory://';

export async function openPglite(dir: string, command = 'golden'): Promise<Database> {
  const inMemory = dir === MEMORY;
  const absolute = inMemory ? dir : path.resolve(dir);
  const release = inMemory ? () => {} : acquireLockFile(`${absolute}.lock`, command);
  let db: PGlite;
  try {
    if (!inMemory) mkdirSync(absolute, { recursive: true });
    db = await PGlite.create(inMemory ? undefined : absolute, {
      extensions: { pg_trgm, fuzzystrmatch, unaccent },
      // Same value shapes as the pg driver setup: int8 as number, date as 'YYYY-MM-DD'.
      parsers: { 20: (v: string) => Number(v), 1082: (v: string) => v },
    });
  } catch (error) {
    release();
    throw error;
  }
  let knexInstance: Knex | undefined;
  const queryable = (target: PGlite | Transaction): Queryable => ({
    async query<R extends object = Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<R>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });
  return {
    engine: 'pglite',
    label: inMemory ? 'PGlite in memory' : `PGlite at ${displayPath(absolute)}`,
    ...queryable(db),
    async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) =>
        fn({
          ...queryable(tx),
          copyFrom: (table, columns, chunks) => copySlices(tx, table, columns, chunks),
        }),
      );
    },
    // One connection: one session, in one transaction (PGlite has no other writer meanwhile).
    async readSnapshot<T>(_sessions: number, setup: string, fn: (sessions: readonly Queryable[]) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => {
        await tx.exec(`SET TRANSACTION READ ONLY; ${setup}`);
        const result = await fn([queryable(tx)]);
        // read only: nothing to commit, and a caught failed statement must not fail the commit
        await tx.rollback();
        return result;
      });
    },
    // The lock file taken at open already keeps every other process out.
    acquireRunLock: async () => async () => {},
    knex() {
      knexInstance ??= knexFactory({ client: ClientPgLite, connection: () => ({ pglite: db }) } as Knex.Config);
      return knexInstance;
    },
    async close() {
      try {
        // knex-pglite closes the shared instance when its pool is destroyed.
        if (knexInstance) await knexInstance.destroy();
        if (!db.closed) await db.close();
      } finally {
        release();
      }
    },
  };
}

/** Relative to the working folder when inside it, else absolute. */
function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith('..') ? relative : absolute;
}

async function copySlices(tx: Transaction, table: string, columns: readonly string[], chunks: AsyncIterable<string>): Promise<void> {
  const sql = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    await tx.query(sql, [], { blob: new Blob(parts) });
    parts = [];
    size = 0;
  };
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= COPY_SLICE_BYTES) await flush();
  }
  await flush();
}
