import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  pid: number;
  startedAt: string;
  command: string;
  /** When the owner process started (Linux: clock ticks after boot), to tell a reused pid apart. */
  processStart?: string | undefined;
}

/** When process `pid` started, from /proc (Linux); undefined where there is none. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields count from the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * An exclusive lock file beside the PGlite data folder: PGlite's files must never be opened
 * by two processes at once. A lock whose process no longer exists is stale and taken over, and
 * so is one whose pid now belongs to another process (it started at another time).
 */
export function acquireLockFile(lockPath: string, command: string): () => void {
  mkdirSync(path.dirname(lockPath), { recursive: true });
  const me: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), command, processStart: processStart(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Written whole beside it, then linked into place: link fails if the lock exists, and a
      // reader never sees a half-written lock (which it would take for a stale one).
      const temp = `${lockPath}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(me));
      try {
        linkSync(temp, lockPath);
      } finally {
        rmSync(temp, { force: true });
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        rmSync(lockPath, { force: true });
      };
      // Also on process.exit (signals, errors): a lock left behind would be taken as stale
      // later anyway, but a clean exit should leave nothing.
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = readText(lockPath);
      const owner = readOwner(text);
      if (owner && owner.pid !== process.pid && isAlive(owner.pid) && !pidReused(owner)) {
        throw new UserError(
          `the embedded database is in use by pid ${owner.pid} (${owner.command}, since ${owner.startedAt}); lock file ${lockPath}`,
          ExitCode.locked,
        );
      }
      // Stale: its process is gone. Removed only if it is still the lock judged stale, not one
      // another process has just taken over.
      if (readText(lockPath) === text) rmSync(lockPath, { force: true });
    }
  }
  throw new UserError(`could not take the lock file ${lockPath}`, ExitCode.locked);
}

function readText(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
}

function readOwner(text: string | undefined): LockOwner | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as LockOwner);
  } catch {
    return undefined; // unreadable (locks are written whole): treated as stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner's pid is alive but started at another time than the owner did: a new process. */
function pidReused(owner: LockOwner): boolean {
  if (owner.processStart === undefined) return false;
  const now = processStart(owner.pid);
  return now !== undefined && now !== owner.processStart;
}
