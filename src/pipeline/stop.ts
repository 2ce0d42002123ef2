import { ExitCode, UserError } from '../errors.js';

/**
 * Stopping `golden run` at a safe point. A signal only asks; the run checks between its steps
 * (between files, before resolve, before the reports) and stops there with the signal's exit
 * code. Each step commits whole or not at all, so what is done stays done and the next run
 * carries on from there.
 */
let requested: 'SIGINT' | 'SIGTERM' | undefined;
let armed = false;

/** From here on a signal asks for a stop instead of exiting (a command that checks calls this). */
export function armSafeStop(): void {
  armed = true;
}

export function safeStopArmed(): boolean {
  return armed;
}

export function requestStop(signal: 'SIGINT' | 'SIGTERM'): void {
  requested ??= signal;
}

export function stopRequested(): boolean {
  return requested !== undefined;
}

/**
 * Throws when a stop was asked for: call where the database is consistent. Lets the event loop
 * turn first, so a signal that arrived while this process was busy is seen here.
 */
export async function checkStop(where: string): Promise<void> {
  // two turns: a signal is read in the loop's poll phase, which the first turn may already be past
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  if (requested === undefined) return;
  throw new UserError(
    `stopped by ${requested} ${where}; what finished is kept and the next run carries on from there`,
    requested === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated,
  );
}
