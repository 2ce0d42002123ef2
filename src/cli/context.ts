import { loadConfig, type GoldenConfig } from '../config/index.js';
import { migrate, openDatabase, resolveConnectOptions, type Database } from '../db/index.js';
import { say } from './output.js';

/** Flags every command accepts (declared once in main.ts). */
export interface GlobalOptions {
  config?: string;
  db?: string;
  databaseUrl?: string;
  json?: boolean;
  /** Seconds to wait for another run's lock (golden run --wait). */
  wait?: number;
}

export function config(options: GlobalOptions): Promise<GoldenConfig> {
  return loadConfig(options.config);
}

/** Opens the database and brings its schema up to date, so no command runs on an old schema. */
export async function database(options: GlobalOptions, command: string, { migrateSchema = true } = {}): Promise<Database> {
  const db = await openDatabase(resolveConnectOptions({ databaseUrl: options.databaseUrl, dbDir: options.db }), `golden ${command}`, {
    waitSeconds: options.wait,
    onWait: say,
  });
  try {
    if (migrateSchema) await migrate(db);
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** Runs fn with an open database and always closes it. */
export async function withDatabase<T>(options: GlobalOptions, command: string, fn: (db: Database) => Promise<T>, migrateSchema = true): Promise<T> {
  const db = await database(options, command, { migrateSchema });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
