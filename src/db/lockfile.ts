import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  pid: number;
  startedAt: string;
  command: string;
}

/**
 * An exclusive lock file beside the PGlite data folder: PGlite's files must never be opened
 * by two processes at once. A lock whose process no longer exists is stale and taken over.
 */
export function acquireLockFile(lockPath: string, command: string): () => void {
  mkdirSync(path.dirname(lockPath), { recursive: true });
  const me: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
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
      const owner = readOwner(lockPath);
      if (owner && isAlive(owner.pid) && owner.pid !== process.pid) {
        throw new UserError(
          `the embedded database is in use by pid ${owner.pid} (${owner.command}, since ${owner.startedAt}); lock file ${lockPath}`,
          ExitCode.locked,
        );
      }
      rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new UserError(`could not take the lock file ${lockPath}`, ExitCode.locked);
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined; // half-written or unreadable: treated as stale
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
