import { readlinkSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';

/**
 * Gives the calling thread the lowest CPU priority, leaving the rest of the process as it is
 * (Linux keeps a priority per thread, and /proc/thread-self names the thread's id). Returns
 * whether it did; elsewhere, or where it is not allowed, the thread keeps its priority.
 */
export function lowerThreadPriority(): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, constants.priority.PRIORITY_LOW);
    return getPriority(tid) === constants.priority.PRIORITY_LOW;
  } catch {
    return false;
  }
}
