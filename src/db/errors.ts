import { ExitCode, UserError } from '../errors.js';

/** Error codes meaning "the server is not there or will not talk to us". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const SQLSTATE_CLASSES_UNREACHABLE = ['08', '28', '57P']; // connection, authorisation, operator intervention

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
  '28P01': 'password authentication failed',
  '28000': 'not authorised',
  '3D000': 'database does not exist',
  '57P01': 'the server terminated the connection',
  '57P03': 'the server is starting up or shutting down',
};

/** True when the error says the database cannot be reached (as opposed to a bad statement). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? '';
  if (NETWORK_CODES.has(code) || code === '3D000') return true;
  if (SQLSTATE_CLASSES_UNREACHABLE.some((c) => code.startsWith(c))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}

/**
 * True when a connection is beyond use: the driver's own error, or the one clear message it
 * was already turned into (unreachable, connectionLost). Such a client is dropped, not rolled
 * back and returned to the pool.
 */
export function isDeadConnection(error: unknown): boolean {
  return isConnectionError(error) || (error instanceof UserError && error.exitCode === ExitCode.databaseUnreachable);
}

/** The cause in words: a known code's explanation, else the driver's message. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  return REASONS[code] ?? (error instanceof Error ? error.message : String(error));
}

/** One clear line naming host, port and cause, with the documented exit code. */
export function unreachable(target: string, error: unknown): UserError {
  return new UserError(`cannot reach ${target}: ${reasonOf(error)}`, ExitCode.databaseUnreachable);
}

/**
 * The connection broke after it had worked (a server restart, pg_terminate_backend, a network
 * cut): the transaction under way is rolled back by the server, so running again completes it.
 */
export function connectionLost(target: string, error: unknown): UserError {
  return new UserError(
    `lost the connection to ${target}: ${reasonOf(error)}; the step under way was rolled back, and running again completes it`,
    ExitCode.databaseUnreachable,
  );
}

/**
 * The connection holding the run lock broke: the lock is gone with it, so another run could
 * start. This one stops at its next statement, before committing anything more.
 */
export function runLockLost(target: string, error: unknown): UserError {
  return new UserError(
    `lost the connection holding the run lock on ${target}: ${reasonOf(error)}; stopped so that no second run works beside this one; the step under way was rolled back, and running again completes it`,
    ExitCode.databaseUnreachable,
  );
}

/** Describes a connection string for messages, without the password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname.replace(/^\//, '') || u.username || 'postgres';
    return `PostgreSQL at ${u.hostname || 'localhost'}:${u.port || '5432'}/${db}`;
  } catch {
    return 'PostgreSQL (unparseable DATABASE_URL)';
  }
}
