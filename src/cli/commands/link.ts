import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { linkRecords, settleReview } from '../../resolve/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';
import { renderLink } from '../render-explain.js';

export interface LinkOptions extends GlobalOptions {
  note?: string;
}

/** `golden link <A> <B>`: a must-link override, and the two customers merged now. */
export default async function linkCommand(a: string, b: string, options: LinkOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  return withDatabase(options, 'link', async (db) => {
    const release = await db.acquireRunLock('golden link');
    try {
      const { result, settled } = await db.transaction(async (tx) => {
        const result = await linkRecords(tx, cfg, a, b, { note: options.note ?? null });
        return { result, settled: await settleReview(tx) };
      });
      if (options.json) printJson({ ...result, reviewItemsSettled: settled });
      else printData(renderLink(result) + (settled > 0 ? `\n  ${settled} open review item(s) settled: their records are now in one customer` : ''));
      return ExitCode.ok;
    } finally {
      await release();
    }
  });
}
