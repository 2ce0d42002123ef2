import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { acceptReview, listReview, rejectReview, settleReview } from '../../resolve/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';
import { renderDecisions, renderReview } from '../render-explain.js';

/** `golden review`: the open items, most probable first. Reads only. */
export default async function reviewCommand(options: GlobalOptions): Promise<ExitCodeValue> {
  return withDatabase(options, 'review', async (db) => {
    const items = await listReview(db);
    if (options.json) printJson(items);
    else printData(renderReview(items));
    return ExitCode.ok;
  });
}

async function decide(ids: string[], options: GlobalOptions, status: 'accept' | 'reject'): Promise<ExitCodeValue> {
  const cfg = status === 'accept' ? await config(options) : null;
  return withDatabase(options, `review ${status}`, async (db) => {
    const release = await db.acquireRunLock(`golden review ${status}`);
    try {
      const { decisions, settled } = await db.transaction(async (tx) => {
        const decisions = cfg !== null ? await acceptReview(tx, cfg, ids) : await rejectReview(tx, ids);
        return { decisions, settled: status === 'accept' ? await settleReview(tx) : 0 };
      });
      if (options.json) printJson({ decisions, reviewItemsSettled: settled });
      else printData(renderDecisions(decisions, settled));
      return ExitCode.ok;
    } finally {
      await release();
    }
  });
}

/** `golden review accept <id...>`: each pair linked like `golden link`. */
export function reviewAccept(ids: string[], options: GlobalOptions): Promise<ExitCodeValue> {
  return decide(ids, options, 'accept');
}

/** `golden review reject <id...>`: a cannot-link for each pair. */
export function reviewReject(ids: string[], options: GlobalOptions): Promise<ExitCodeValue> {
  return decide(ids, options, 'reject');
}
