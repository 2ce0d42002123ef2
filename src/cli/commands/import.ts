import type { ExitCodeValue } from '../../errors.js';
import { importAll } from '../../importer/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { importProgressText } from '../import-progress.js';
import { createProgress, peakRssMb, printData, printJson } from '../output.js';
import { importExitCode, renderImport } from '../render-import.js';

export interface ImportCommandOptions extends GlobalOptions {
  source?: string;
  force?: boolean;
  maxRejects?: number;
  concurrency?: number;
}

export default async function importCommand(files: string[], options: ImportCommandOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  return withDatabase(options, 'import', async (db) => {
    const progress = createProgress();
    // The same lock as `golden run`: an import never overlaps a nightly run.
    const release = await db.acquireRunLock('golden import');
    try {
      const summary = await importAll(db, cfg, {
        files,
        source: options.source,
        force: options.force,
        maxRejects: options.maxRejects,
        concurrency: options.concurrency,
        onProgress: importProgressText(progress),
      });
      progress.stop();
      if (options.json) printJson({ ...summary, peakRssMb: peakRssMb() });
      else printData(renderImport(summary));
      return importExitCode(summary);
    } finally {
      progress.stop();
      await release();
    }
  });
}
