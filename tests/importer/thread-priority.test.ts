import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/**
 * Activity files parsed beside resolve run at the lowest priority, in their worker thread only.
 * The worker runs the compiled module (npm test builds it first), as the importer's workers do.
 */
const MODULE = new URL('../../dist/importer/thread-priority.js', import.meta.url).href;

interface Seen {
  lowered: boolean;
  thread: number;
}

function inWorker(): Promise<Seen> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { getPriority } = require('node:os');
    const { readlinkSync } = require('node:fs');
    import(${JSON.stringify(MODULE)}).then((m) => {
      const lowered = m.lowerThreadPriority();
      const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
      parentPort.postMessage({ lowered, thread: getPriority(tid) });
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', (seen: Seen) => {
      resolve(seen);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('lowerThreadPriority', () => {
  it('gives the calling thread the lowest priority and leaves the process as it was', async () => {
    const before = getPriority();
    const seen = await inWorker();
    expect(seen).toEqual({ lowered: true, thread: 19 });
    expect(getPriority()).toBe(before);
  });
});
