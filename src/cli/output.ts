import ora, { type Ora } from 'ora';

/** Progress for people: an ora spinner on stderr when it is a TTY and not CI, else nothing. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

export function createProgress(enabled = Boolean(process.stderr.isTTY) && !process.env.CI): Progress {
  if (!enabled) return { update() {}, stop() {} };
  let spinner: Ora | undefined;
  return {
    update(text) {
      spinner ??= ora({ stream: process.stderr }).start();
      spinner.text = text;
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}

/** Data to stdout. */
export function printData(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  printData(JSON.stringify(value, null, 2));
}

/** Messages for people to stderr. */
export function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Peak resident memory of this process so far, in MB (reported in --json summaries). */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export const fmt = {
  int: (n: number) => n.toLocaleString('en-US'),
  seconds: (s: number) => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`,
  rate: (rows: number, seconds: number) => (seconds > 0 ? `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s` : '–'),
};
