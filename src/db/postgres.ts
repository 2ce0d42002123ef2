import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { ExitCode, UserError } from '../errors.js';
import { connectionLost, describeUrl, isConnectionError, isDeadConnection, runLockLost, unreachable } from './errors.js';
import type { Database, Queryable, Row, Session } from './types.js';

// Same value shapes as PGlite: counts and ids as numbers, dates as 'YYYY-MM-DD' text.
const parsers = new Map<number, (v: string) => unknown>([
  [20, (v) => Number(v)], // int8: ids and counts stay far below 2^53
  [1082, (v) => v], // date: keep the calendar date, no time-zone shift
]);
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    parsers.get(oid) ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Advisory lock key for "one golden run at a time" on this database. */
export const RUN_LOCK_KEY = 0x601d3e;

/** Who holds the run lock, and since when. */
export interface RunLockHolder {
  pid: number;
  app: string | null;
  since: Date | string | null;
}

/**
 * The session holding the run lock on the current database, read from pg_locks (asking with
 * pg_try_advisory_lock would take it when free). Advisory locks are per database, so the
 * database is part of the match; a bigint key is stored as classid (high 32 bits), objid (low 32
 * bits) and objsubid 1.
 */
export async function runLockHolder(q: Pick<Queryable, 'query'>): Promise<RunLockHolder | undefined> {
  const [holder] = await q.query<RunLockHolder>(
    `SELECT l.pid, a.application_name AS app, a.backend_start AS since
     FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid = $1 AND l.objid = $2`,
    [Math.floor(RUN_LOCK_KEY / 2 ** 32), RUN_LOCK_KEY % 2 ** 32],
  );
  return holder;
}

async function lockHeld(q: Queryable): Promise<UserError> {
  const holder = await runLockHolder(q).catch(() => undefined);
  const since = holder?.since ? `, since ${new Date(holder.since).toISOString()}` : '';
  const who = holder ? `backend pid ${holder.pid} (${holder.app || 'golden'}${since})` : 'another session';
  return new UserError(`another golden run holds the lock on this database: ${who}`, ExitCode.locked);
}

export async function openPostgres(url: string): Promise<Database> {
  const label = describeUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, types, connectionTimeoutMillis: 10_000 });
  // A client whose backend dies (idle in the pool, or checked out between two queries) must
  // not crash the process with an unhandled 'error' event; the next query on it reports it.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  let reached = false;
  const wrap = <T>(p: Promise<T>): Promise<T> =>
    p.catch((error: unknown) => {
      if (!isConnectionError(error)) throw error;
      throw reached ? connectionLost(label, error) : unreachable(label, error);
    });
  try {
    await pool.query('SELECT 1');
    reached = true;
  } catch (error) {
    await pool.end().catch(() => {});
    throw unreachable(label, error);
  }
  let knexInstance: Knex | undefined;
  // Set when the connection holding the run lock breaks: from then on no statement runs and
  // nothing commits, since another run may already hold the lock.
  let lockLost: UserError | undefined;
  const checkLock = () => {
    if (lockLost !== undefined) throw lockLost;
  };
  const queryable = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends object = Row>(sql: string, params: readonly unknown[] = []) {
      checkLock();
      const result = await wrap(client.query(sql, params as unknown[]));
      return result.rows as R[];
    },
    async exec(sql: string) {
      checkLock();
      await wrap(client.query(sql));
    },
  });
  return {
    engine: 'postgres',
    label,
    ...queryable(pool),
    async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
      const client = await wrap(pool.connect());
      const session: Session = {
        ...queryable(client),
        async copyFrom(table, columns, chunks) {
          checkLock();
          const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
          await wrap(pipeline(Readable.from(chunks), client.query(copyFromStdin(sql))));
        },
      };
      try {
        checkLock();
        await wrap(client.query('BEGIN'));
        const result = await fn(session);
        checkLock();
        await wrap(client.query('COMMIT'));
        client.release();
        return result;
      } catch (error) {
        // A dead connection cannot roll back; dropping it discards the transaction anyway.
        const dead = isDeadConnection(error);
        if (!dead) await client.query('ROLLBACK').catch(() => {});
        client.release(dead ? true : undefined);
        throw error;
      }
    },
    async readSnapshot<T>(sessions: number, setup: string, fn: (sessions: readonly Queryable[]) => Promise<T>): Promise<T> {
      const clients: pg.PoolClient[] = [];
      let failed: unknown;
      try {
        const first = await wrap(pool.connect());
        clients.push(first);
        await wrap(first.query(`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; ${setup}`));
        // A server that cannot export (an old standby) leaves the reads to the one session.
        const id = sessions > 1 ? await first.query<{ id: string }>('SELECT pg_export_snapshot() AS id').then((r) => r.rows[0]?.id, () => undefined) : undefined;
        if (id !== undefined && /^[0-9A-F-]+$/i.test(id)) {
          for (let i = 1; i < sessions; i++) {
            const client = await wrap(pool.connect());
            clients.push(client);
            await wrap(client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '${id}'; ${setup}`));
          }
        }
        return await fn(clients.map((c) => queryable(c)));
      } catch (error) {
        failed = error;
        throw error;
      } finally {
        // Read only: nothing to commit. A dead connection is dropped, not returned to the pool.
        const dead = failed !== undefined && isDeadConnection(failed);
        for (const client of clients) {
          if (!dead) await client.query('ROLLBACK').catch(() => {});
          client.release(dead ? true : undefined);
        }
      }
    },
    async acquireRunLock(command) {
      const client = await wrap(pool.connect());
      await client.query('SELECT set_config($1, $2, false)', ['application_name', command]);
      const [row] = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RUN_LOCK_KEY])).rows;
      if (!row?.ok) {
        client.release();
        throw await lockHeld(queryable(pool));
      }
      let dead = false;
      const onError = (error: Error) => {
        dead = true;
        lockLost ??= runLockLost(label, error);
      };
      client.on('error', onError);
      return async () => {
        client.off('error', onError);
        if (!dead) await client.query('SELECT pg_advisory_unlock($1)', [RUN_LOCK_KEY]).catch(() => {});
        client.release(dead ? true : undefined);
      };
    },
    knex() {
      knexInstance ??= knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      return knexInstance;
    },
    async close() {
      await knexInstance?.destroy();
      await pool.end();
    },
  };
}
