import path from 'node:path';
import type { ExitCodeValue } from '../../errors.js';
import { runPipeline } from '../../pipeline/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { importProgressText } from '../import-progress.js';
import { createProgress, peakRssMb, fmt, printData, printJson } from '../output.js';
import { importExitCode, renderImport } from '../render-import.js';
import { renderResolve } from '../render-resolve.js';

export interface RunCommandOptions extends GlobalOptions {
  maxRejects?: number;
  out?: string;
}

export default async function runCommand(options: RunCommandOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  return withDatabase(options, 'run', async (db) => {
    const progress = createProgress();
    try {
      const summary = await runPipeline(db, cfg, {
        import: { maxRejects: options.maxRejects, onProgress: importProgressText(progress) },
        resolve: { onStage: (s) => progress.update(`resolve: ${s}`) },
        // --out is relative to where golden runs; the config's outDir to the config file.
        outDir: options.out === undefined ? undefined : path.resolve(options.out),
      });
      progress.stop();
      if (options.json) {
        printJson({ ...summary, peakRssMb: peakRssMb() });
      } else {
        printData(renderImport(summary.import));
        printData(renderResolve(summary.resolve));
        printData(`reports: ${summary.reports.html} (and report.json beside it)`);
        printData(`golden run finished in ${fmt.seconds(summary.seconds)} on ${summary.database}`);
      }
      return importExitCode(summary.import);
    } finally {
      progress.stop();
    }
  });
}
