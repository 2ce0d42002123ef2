import { waitForLock } from './lock-wait.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { ConnectOptions, Database } from './types.js';

export const DEFAULT_DB_DIR = '.golden/db';

/**
 * The server when a connection string is given (flag, then DATABASE_URL), else the embedded
 * database in --db, GOLDEN_DB or .golden/db.
 */
export function resolveConnectOptions(flags: ConnectOptions, env: NodeJS.ProcessEnv = process.env): ConnectOptions {
  const databaseUrl = flags.databaseUrl ?? (env.DATABASE_URL || undefined);
  if (databaseUrl && flags.dbDir === undefined) return { databaseUrl };
  return { dbDir: flags.dbDir ?? (env.GOLDEN_DB || DEFAULT_DB_DIR) };
}

export interface OpenOptions {
  /** PGlite: wait this long for another process's lock on the data folder. @default 0 */
  waitSeconds?: number | undefined;
  onWait?: ((message: string) => void) | undefined;
}

export async function openDatabase(options: ConnectOptions, command = 'golden', open: OpenOptions = {}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  const dir = options.dbDir ?? DEFAULT_DB_DIR;
  return waitForLock(open.waitSeconds ?? 0, () => openPglite(dir, command), open.onWait);
}
