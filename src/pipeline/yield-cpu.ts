import { readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';

const AUTOGROUP = '/proc/self/autogroup';
const LOWEST = constants.priority.PRIORITY_LOW;

/** The nice value of this process's autogroup, or undefined where there is none (not Linux, or autogroups off). */
export function autogroupNice(): number | undefined {
  try {
    const match = /nice (-?\d+)/.exec(readFileSync(AUTOGROUP, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether no terminal controls this process's session: cron, systemd, `setsid` and CI start
 * such sessions for the job alone; an interactive shell's session has its terminal.
 */
function sessionWithoutTerminal(): boolean {
  try {
    // /proc/self/stat: pid (comm) state ppid pgrp session tty_nr …; comm may hold spaces, so read after ')'.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[4]) === 0;
  } catch {
    return false;
  }
}

/**
 * Gives the CPU work of golden's session the lowest priority against other sessions' (the
 * database's) until the returned function is called. Linux first shares the cores between
 * sessions (autogroups), so a thread's own priority does not make it yield to PostgreSQL:
 * parsing activity files beside resolve took half the cores and stretched resolve's blocking
 * and comparisons from 43 s to 75 s on a first night. Only done in a session without a
 * terminal (a nightly job's own), so nothing a user runs in a terminal is slowed. Returns a
 * function restoring the priority (a no-op when nothing was changed).
 */
export function yieldCpuToDatabase(): () => void {
  const before = autogroupNice();
  if (before === undefined || before >= LOWEST || !sessionWithoutTerminal()) return () => {};
  try {
    writeFileSync(AUTOGROUP, String(LOWEST));
  } catch {
    return () => {};
  }
  return () => {
    try {
      writeFileSync(AUTOGROUP, String(before));
    } catch {
      // Raising a priority again needs privileges: the session is the job's own and ends with it.
    }
  };
}
