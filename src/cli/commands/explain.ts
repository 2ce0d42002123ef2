import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { explainCustomer } from '../../resolve/index.js';
import { withDatabase, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';
import { renderExplanation } from '../render-explain.js';

/** `golden explain <customer-id | source:key>`: reads only, so it takes no run lock. */
export default async function explainCommand(reference: string, options: GlobalOptions): Promise<ExitCodeValue> {
  return withDatabase(options, 'explain', async (db) => {
    const explanation = await db.transaction(async (tx) => {
      await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return explainCustomer(tx, reference);
    });
    if (options.json) printJson(explanation);
    else printData(renderExplanation(explanation));
    return ExitCode.ok;
  });
}
