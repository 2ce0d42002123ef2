import type { Knex } from 'knex';

export type Row = Record<string, unknown>;

/** Anything that runs SQL: the database itself or one transaction. Values travel as parameters. */
export interface Queryable {
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (DDL, maintenance). */
  exec(sql: string): Promise<void>;
}

/** One transaction. */
export interface Session extends Queryable {
  /**
   * Bulk-loads rows with COPY … FROM STDIN in PostgreSQL's text format. Each chunk holds whole
   * lines (tab-separated, `\N` for null, escaped with `copyText`). Back-pressure is honoured:
   * the next chunk is pulled only when the database has taken the previous one.
   */
  copyFrom(table: string, columns: readonly string[], chunks: AsyncIterable<string>): Promise<void>;
}

export type Engine = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly engine: Engine;
  /** Where the data lives, for messages: "PGlite at .golden/db" or "PostgreSQL at host:5432/db". */
  readonly label: string;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
  /**
   * Runs fn in one read-only snapshot seen by up to `sessions` sessions, so independent reads
   * can run at once. PostgreSQL: a REPEATABLE READ transaction exports its snapshot and the
   * others import it (one session when the server refuses to export); PGlite has a single
   * connection and gives one. `setup` (SET LOCAL …) runs first in each session.
   */
  readSnapshot<T>(sessions: number, setup: string, fn: (sessions: readonly Queryable[]) => Promise<T>): Promise<T>;
  /**
   * Takes the exclusive run lock (PostgreSQL: a session advisory lock; PGlite: the data folder's
   * lock file, already held while it is open). Throws a UserError naming the holder if taken.
   */
  acquireRunLock(command: string): Promise<() => Promise<void>>;
  /** A knex instance on the same database, for migrations. */
  knex(): Knex;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL connection string; when set, the server is used instead of PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, or "memory://" for a throw-away database. @default ".golden/db" */
  dbDir?: string | undefined;
}
