import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { retrain } from '../../resolve/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';
import { fmt, peakRssMb, printData, printJson } from '../output.js';

const signed = (w: number | null) => (w === null ? '—' : `${w >= 0 ? '+' : ''}${w.toFixed(2)}`);

export default async function trainCommand(options: GlobalOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  return withDatabase(options, 'train', async (db) => {
    const release = await db.acquireRunLock('golden train');
    try {
      const s = await retrain(db, cfg);
      if (options.json) {
        printJson({ ...s, peakRssMb: peakRssMb() });
        return ExitCode.ok;
      }
      const lines = [
        `trained model #${s.modelId} on ${fmt.int(s.records)} records and ${fmt.int(s.candidatePairs)} candidate pairs` +
          (s.previousModelId === null ? '' : ` (replaces #${s.previousModelId})`),
        '',
        `${'comparison'.padEnd(20)} ${'level'.padEnd(42)} ${'before'.padStart(8)} ${'after'.padStart(8)} ${'change'.padStart(8)}`,
        `${'prior'.padEnd(20)} ${''.padEnd(42)} ${signed(s.prior.before).padStart(8)} ${signed(s.prior.after).padStart(8)}`,
      ];
      for (const l of s.levels) {
        const change = l.before === null ? '' : signed(l.after - l.before);
        lines.push(`${l.comparison.padEnd(20)} ${l.level.padEnd(42)} ${signed(l.before).padStart(8)} ${signed(l.after).padStart(8)} ${change.padStart(8)}`);
      }
      lines.push('', 'Weights are log2 Bayes factors. The new model scores the records that arrive from now on.');
      lines.push(`finished in ${fmt.seconds(s.seconds)}`);
      printData(lines.join('\n'));
      return ExitCode.ok;
    } finally {
      await release();
    }
  });
}
