import path from 'node:path';
import { errorMessage, exitCodeOf, type ExitCodeValue } from '../../errors.js';
import { armSafeStop, runPipeline } from '../../pipeline/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { importProgressText } from '../import-progress.js';
import { createProgress, peakRssMb, printData, printJson } from '../output.js';
import { importExitCode } from '../render-import.js';
import { createRunLog, type LogFormat } from '../log.js';
import { runSummaryLine } from '../render-run.js';

export interface RunCommandOptions extends GlobalOptions {
  maxRejects?: number;
  out?: string;
  dryRun?: boolean;
  logFormat?: LogFormat;
  logPii?: boolean;
}

export default async function runCommand(options: RunCommandOptions): Promise<ExitCodeValue> {
  armSafeStop();
  const progress = createProgress();
  const format = options.logFormat ?? 'text';
  // A log line clears the spinner first; the next progress update brings it back.
  const log = createRunLog(format, options.logPii === true, (line) => {
    progress.stop();
    process.stderr.write(line);
  });
  try {
    const cfg = await config(options);
    return await withDatabase(options, 'run', async (db) => {
      const summary = await runPipeline(db, cfg, {
        import: { maxRejects: options.maxRejects, onProgress: importProgressText(progress) },
        resolve: { onStage: (s) => progress.update(`resolve: ${s}`) },
        // --out is relative to where golden runs; the config's outDir to the config file.
        outDir: options.out === undefined ? undefined : path.resolve(options.out),
        dryRun: options.dryRun,
        log,
        waitSeconds: options.wait,
      });
      progress.stop();
      if (options.json) printJson({ ...summary, peakRssMb: peakRssMb() });
      else printData(runSummaryLine(summary));
      return importExitCode(summary.import);
    });
  } catch (error) {
    // In JSON the failure is a log line too (the plain message still follows on stderr).
    if (format === 'json') log({ level: 'error', stage: 'run', message: errorMessage(error), fields: { exitCode: exitCodeOf(error) } });
    throw error;
  } finally {
    progress.stop();
  }
}
