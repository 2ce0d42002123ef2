import type { ExitCodeValue } from '../../errors.js';
import { ExitCode } from '../../errors.js';
import { resolve } from '../../resolve/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { createProgress, peakRssMb, printData, printJson } from '../output.js';
import { renderResolve } from '../render-resolve.js';

export interface ResolveCommandOptions extends GlobalOptions {
  dryRun?: boolean;
  explainBlocking?: boolean;
}

export default async function resolveCommand(options: ResolveCommandOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  return withDatabase(options, 'resolve', async (db) => {
    const progress = createProgress();
    // Never beside an import or a nightly run: they change what resolve reads.
    const release = await db.acquireRunLock('golden resolve');
    try {
      const summary = await resolve(db, cfg, {
        dryRun: options.dryRun,
        explainBlocking: options.explainBlocking,
        onStage: (s) => progress.update(`resolve: ${s}`),
      });
      progress.stop();
      if (options.json) printJson({ ...summary, peakRssMb: peakRssMb() });
      else printData(renderResolve(summary));
      return ExitCode.ok;
    } finally {
      progress.stop();
      await release();
    }
  });
}
