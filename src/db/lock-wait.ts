import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../errors.js';

/**
 * Tries `take` until it stops failing with the lock-held error or `seconds` have passed
 * (0: one try). The last error names the holder; it says how long this run waited.
 */
export async function waitForLock<T>(seconds: number, take: () => Promise<T>, onWait?: (message: string) => void): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let told = false;
  for (;;) {
    try {
      return await take();
    } catch (error) {
      if (!(error instanceof UserError && error.exitCode === ExitCode.locked)) throw error;
      if (Date.now() >= deadline) {
        throw seconds > 0 ? new UserError(`${error.message} (waited ${seconds} s)`, ExitCode.locked) : error;
      }
      if (!told) onWait?.(`waiting up to ${seconds} s for the lock: ${error.message}`);
      told = true;
      await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
    }
  }
}
