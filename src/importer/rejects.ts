import { closeSync, openSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';

/**
 * Writes a file's bad rows (line, reason, original text) to a temporary file, created on the
 * first reject. Writes are synchronous: rejects are rare, and it keeps the row loop simple.
 */
export class RejectsFile {
  private fd: number | undefined;
  count = 0;
  readonly byReason = new Map<string, number>();

  constructor(readonly path: string) {}

  add(line: number, reason: string, raw: string): void {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'w');
      writeSync(this.fd, stringify([['line', 'reason', 'original']]));
    }
    this.count++;
    const kind = reasonKind(reason);
    this.byReason.set(kind, (this.byReason.get(kind) ?? 0) + 1);
    writeSync(this.fd, stringify([[line, reason, raw]]));
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Puts a finished rejects file in place, or removes a stale one when there were no rejects. */
export async function publishRejects(partial: string, final: string, count: number): Promise<string | undefined> {
  if (count === 0) {
    await rm(final, { force: true });
    await rm(partial, { force: true });
    return undefined;
  }
  await rename(partial, final);
  return final;
}

export async function discardRejects(partial: string): Promise<void> {
  await rm(partial, { force: true });
}

/**
 * Groups reasons for the summary: values that differ from row to row (dates, quoted text,
 * explanations in brackets) are dropped, small counts stay ("expected 11 columns, found 10").
 */
export function reasonKind(reason: string): string {
  return reason
    .replace(/\s*\(.*$/, '')
    .replace(/\s*["“][^"”]*["”]/g, '')
    .replace(/\S+/g, (token) => (/\d/.test(token) && !/^\d+,?$/.test(token) ? '…' : token))
    .trim()
    .slice(0, 80);
}
