import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { splitRecords } from '../../resolve/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';
import { renderSplit } from '../render-explain.js';

export interface SplitOptions extends GlobalOptions {
  note?: string;
}

/** `golden split <A> <B>`: a cannot-link override, and B's record moved out if they are together. */
export default async function splitCommand(a: string, b: string, options: SplitOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  return withDatabase(options, 'split', async (db) => {
    const release = await db.acquireRunLock('golden split');
    try {
      const result = await db.transaction((tx) => splitRecords(tx, cfg, a, b, { note: options.note ?? null }));
      if (options.json) printJson(result);
      else printData(renderSplit(result));
      return ExitCode.ok;
    } finally {
      await release();
    }
  });
}
