/**
 * Test hooks for crash tests: named points along `golden run`. Unset (normal use) they do
 * nothing. `GOLDEN_KILL_AT=<point>` makes the process kill itself with SIGKILL there (no
 * cleanup, like a power cut); `GOLDEN_PAUSE_AT=<point>` makes it stop for GOLDEN_PAUSE_MS
 * (default 3000) after saying so on stderr, so a test can cut its database connection. A point
 * reached several times is picked by `<point>#<n>` (the n-th time, from 1).
 */
const seen = new Map<string, number>();

export function hookPoint(name: string): void {
  const kill = process.env.GOLDEN_KILL_AT;
  const pause = process.env.GOLDEN_PAUSE_AT;
  if (kill === undefined && pause === undefined) return;
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  const hits = (target: string | undefined) => target === name || target === `${name}#${n}`;
  if (hits(kill)) process.kill(process.pid, 'SIGKILL');
  if (hits(pause)) {
    process.stderr.write(`golden: paused at ${name}\n`);
    // A blocking sleep: nothing of golden's runs meanwhile, as if the machine stalled.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.GOLDEN_PAUSE_MS ?? 3000));
  }
}

/**
 * `GOLDEN_BULK_ROWS=<n>`: the row count from which activities move in with their indexes
 * rebuilt, so the crash tests can reach that path on the small demo data. Unset: undefined.
 */
export function bulkRowsForTests(): number | undefined {
  const value = process.env.GOLDEN_BULK_ROWS;
  return value === undefined || value === '' ? undefined : Number(value);
}
