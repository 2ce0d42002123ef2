import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { undoMerge, unmergeCustomer, type CustomerUnmergeResult, type UnmergeResult } from '../../resolve/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';
import { renderUnmerge } from '../render-explain.js';

export interface UnmergeOptions extends GlobalOptions {
  customer?: string;
}

function mergeId(text: string): number {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UserError(`"${text}" is not a merge id (a whole number; golden explain lists them). To take a customer apart: --customer <id|source:key>`);
  }
  return n;
}

/** `golden unmerge <merge-id>` or `golden unmerge --customer <id|source:key>`. */
export default async function unmergeCommand(id: string | undefined, options: UnmergeOptions): Promise<ExitCodeValue> {
  if (id === undefined && options.customer === undefined) {
    throw new UserError('name a merge id (golden unmerge 12) or a customer (golden unmerge --customer 3)');
  }
  if (id !== undefined && options.customer !== undefined) {
    throw new UserError('name a merge id or --customer, not both');
  }
  const merge = id === undefined ? null : mergeId(id);
  const cfg = await config(options);
  return withDatabase(options, 'unmerge', async (db) => {
    const release = await db.acquireRunLock('golden unmerge');
    try {
      const result = await db.transaction<UnmergeResult | CustomerUnmergeResult>((tx) => (merge !== null ? undoMerge(tx, cfg, merge) : unmergeCustomer(tx, cfg, options.customer!)));
      if (options.json) printJson(result);
      else printData(renderUnmerge(result));
      return ExitCode.ok;
    } finally {
      await release();
    }
  });
}
