export { DEFAULT_DB_DIR, openDatabase, resolveConnectOptions, type OpenOptions } from './connect.js';
export { waitForLock } from './lock-wait.js';
export { copyText, copyTextArray } from './copy-text.js';
export { isConnectionError } from './errors.js';
export { MIGRATIONS_DIR, migrate, migrationStatus } from './migrate.js';
export type { MigrationStatus } from './migrate.js';
export type { ConnectOptions, Database, Engine, Queryable, Row, Session } from './types.js';
