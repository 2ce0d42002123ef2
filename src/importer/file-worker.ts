/**
 * Worker thread: reads, maps and normalises one file and sends its COPY text to the main
 * thread, which owns the database connection. Parsing and normalising are the CPU-heavy part,
 * so two files in two workers use both cores while the database takes the COPY.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExitCode, UserError } from '../errors.js';
import { copyTextStream, type FileJob } from './copy-lines.js';
import { MaxRejectsExceeded } from './max-rejects.js';
import { lowerThreadPriority } from './thread-priority.js';

export type WorkerMessage =
  | { type: 'chunk'; text: string }
  | { type: 'progress'; rows: number }
  | { type: 'done'; outcome: import('./copy-lines.js').FileOutcome }
  | { type: 'error'; kind: 'user' | 'max-rejects' | 'internal'; message: string; exitCode: number; stack?: string };

/** Chunks sent but not yet taken by the database: bounds the memory between the threads. */
export const MAX_CHUNKS_IN_FLIGHT = 4;

const port = parentPort!;
let credits = MAX_CHUNKS_IN_FLIGHT;
let wake: (() => void) | undefined;
port.on('message', () => {
  credits++;
  wake?.();
});

async function main(): Promise<void> {
  const job = workerData as FileJob;
  if (job.background) lowerThreadPriority();
  const { stream, outcome } = copyTextStream(job, (rows) => port.postMessage({ type: 'progress', rows } satisfies WorkerMessage));
  try {
    for await (const text of stream) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      port.postMessage({ type: 'chunk', text: text as string } satisfies WorkerMessage);
    }
    port.postMessage({ type: 'done', outcome: await outcome } satisfies WorkerMessage);
  } catch (error) {
    const err = error as Error;
    const kind = error instanceof MaxRejectsExceeded ? 'max-rejects' : error instanceof UserError ? 'user' : 'internal';
    const exitCode = error instanceof UserError ? error.exitCode : ExitCode.internal;
    port.postMessage({ type: 'error', kind, message: err.message, exitCode, stack: err.stack } satisfies WorkerMessage);
  }
}

await main();
