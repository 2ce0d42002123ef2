import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { exportTable, renderTable, writeOutput, type ExportFormat, type ExportKind } from '../../export/index.js';
import { withDatabase, type GlobalOptions } from '../context.js';
import { createProgress, fmt, printJson, say } from '../output.js';

export interface ExportOptions extends GlobalOptions {
  format?: ExportFormat;
  out?: string;
}

export default async function exportCommand(kind: ExportKind, options: ExportOptions): Promise<ExitCodeValue> {
  const format = options.format ?? 'csv';
  return withDatabase(options, 'export', async (db) => {
    const progress = createProgress();
    let rows = 0;
    try {
      // One read-only snapshot: a resolve committing meanwhile cannot make a record appear twice or not at all.
      await db.transaction(async (tx) => {
        await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const chunks = renderTable(exportTable(tx, kind), format, (n) => {
          rows += n;
          if (options.out) progress.update(`export ${kind}: ${fmt.int(rows)} rows`);
        });
        await writeOutput(chunks, options.out);
      });
    } finally {
      progress.stop();
    }
    if (options.out) {
      if (options.json) printJson({ kind, format, out: options.out, rows });
      else say(`wrote ${fmt.int(rows)} ${kind === 'crosswalk' ? 'crosswalk rows' : 'customers'} to ${options.out}`);
    }
    return ExitCode.ok;
  });
}
