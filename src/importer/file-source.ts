import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { UserError, type ExitCodeValue } from '../errors.js';
import { MaxRejectsExceeded } from './max-rejects.js';
import type { FileJob, FileOutcome } from './copy-lines.js';
import type { WorkerMessage } from './file-worker.js';

/** The COPY text of a file, and its counts once fully read. */
export interface CopySource {
  chunks: AsyncIterable<string>;
  outcome(): FileOutcome;
}

const WORKER = new URL('./file-worker.js', import.meta.url);
/**
 * Worker heap caps, measured at 1M rows on 2 cores: uncapped, RSS reached 330 MB; a 16 MB young
 * generation kept it at 250 MB but spent 30 % of a worker in GC (15 s); 32 MB gives 11 s at
 * about 300 MB.
 */
const WORKER_HEAP_MB = 64;
const WORKER_YOUNG_MB = 32;

/**
 * Workers need the compiled file-worker.js; when running from TypeScript sources (the tests),
 * the same code runs on the main thread instead.
 */
export function workersAvailable(): boolean {
  return WORKER.protocol === 'file:' && existsSync(fileURLToPath(WORKER));
}

export function copySource(job: FileJob, onProgress: ((rows: number) => void) | undefined, useWorker: boolean): CopySource {
  let outcome: FileOutcome | undefined;
  const get = () => {
    if (!outcome) throw new Error('file not fully read yet');
    return outcome;
  };
  if (!useWorker) {
    return {
      chunks: (async function* () {
        // Loaded on demand: the main thread of a worker-run import never needs the normalisers.
        const { copyTextStream } = await import('./copy-lines.js');
        const { stream, outcome: promise } = copyTextStream(job, onProgress);
        for await (const text of stream) yield text as string;
        outcome = await promise;
      })(),
      outcome: get,
    };
  }
  return {
    chunks: (async function* () {
      // A worker's heap holds only a few chunks and small caches; without a cap V8 lets it grow
      // far beyond that under the allocation rate of parsing.
      const worker = new Worker(WORKER, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      const inbox: (WorkerMessage | Error)[] = [];
      let wake: (() => void) | undefined;
      const deliver = (m: WorkerMessage | Error) => {
        inbox.push(m);
        wake?.();
      };
      worker.on('message', deliver);
      worker.on('error', deliver);
      worker.on('exit', (code) => deliver(new Error(`import worker stopped (exit ${code})`)));
      try {
        for (;;) {
          while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          const message = inbox.shift()!;
          if (message instanceof Error) throw message;
          if (message.type === 'chunk') {
            yield message.text;
            worker.postMessage('ack'); // the database took it: one more may come
          } else if (message.type === 'progress') {
            onProgress?.(message.rows);
          } else if (message.type === 'done') {
            outcome = message.outcome;
            return;
          } else {
            if (message.kind === 'max-rejects') throw new MaxRejectsExceeded(message.message);
            if (message.kind === 'user') throw new UserError(message.message, message.exitCode as ExitCodeValue);
            const error = new Error(message.message);
            error.stack = message.stack;
            throw error;
          }
        }
      } finally {
        worker.removeAllListeners();
        await worker.terminate();
      }
    })(),
    outcome: get,
  };
}
