export { DEFAULT_DB_DIR, openDatabase, resolveConnectOptions } from './connect.js';
export { copyText, copyTextArray } from './copy-text.js';
export { isConnectionError } from './errors.js';
export { MIGRATIONS_DIR, migrate, migrationStatus } from './migrate.js';
export type { MigrationStatus } from './migrate.js';
export type { ConnectOptions, Database, Engine, Queryable, Row, Session } from './types.js';
