import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrate, openDatabase, type Database } from '../../src/db/index.js';

/**
 * Database suites run once per engine: always on an in-memory PGlite, and on PostgreSQL when
 * DATABASE_URL is set (as .ci/run does). Each suite gets its own fresh PostgreSQL database,
 * so test files can run in parallel.
 */
export interface Engine {
  name: 'pglite' | 'postgres';
  /** Connection options for a fresh, empty database (for CLI tests that spawn golden). */
  create(): Promise<{ options: { databaseUrl?: string; dbDir?: string }; drop(): Promise<void> }>;
}

const serverUrl = process.env.DATABASE_URL;

export const engines: Engine[] = [
  {
    name: 'pglite',
    async create() {
      return { options: { dbDir: 'memory://' }, drop: async () => {} };
    },
  },
  ...(serverUrl
    ? [
        {
          name: 'postgres' as const,
          async create() {
            const name = `golden_test_${randomBytes(6).toString('hex')}`;
            const admin = new pg.Client({ connectionString: serverUrl });
            await admin.connect();
            await admin.query(`CREATE DATABASE ${name}`);
            await admin.end();
            const url = new URL(serverUrl);
            url.pathname = `/${name}`;
            return {
              options: { databaseUrl: url.toString() },
              async drop() {
                const c = new pg.Client({ connectionString: serverUrl });
                await c.connect();
                await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
                await c.end();
              },
            };
          },
        },
      ]
    : []),
];

/** One migrated database per engine, shared by the tests inside. */
export function describeEachDatabase(title: string, body: (db: () => Database, engine: Engine) => void): void {
  for (const engine of engines) {
    describe(`${title} [${engine.name}]`, () => {
      let db: Database | undefined;
      let drop: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        const created = await engine.create();
        drop = created.drop;
        db = await openDatabase(created.options);
        await migrate(db);
      });
      afterAll(async () => {
        await db?.close();
        await drop?.();
      });
      body(() => {
        if (!db) throw new Error('database not open yet');
        return db;
      }, engine);
    });
  }
}
