#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_DIRTY_RATE, DEFAULT_END, DEFAULT_START, generate } from './generate.js';

/** `npm run fixtures -- --persons N --seed S --out DIR`: writes a test data set. */

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 0.5) throw new InvalidArgumentError('expected a number from 0 to 0.5');
  return n;
}

const program = new Command()
  .name('golden-fixtures')
  .description('Write deterministic test data: four customer silos, activity files, ground truth and a golden.config.json.')
  .requiredOption('--persons <n>', 'number of persons', integer)
  .requiredOption('--seed <n>', 'PRNG seed (same seed, same bytes)', integer)
  .requiredOption('--out <dir>', 'output folder (created if missing)')
  .option('--dirty-rate <r>', 'share of records followed by a broken row (0 disables)', rate, DEFAULT_DIRTY_RATE)
  .option('--start <date>', 'first day of the activity period (YYYY-MM-DD)', DEFAULT_START)
  .option('--end <date>', 'last day of the activity period (YYYY-MM-DD)', DEFAULT_END)
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ persons: number; seed: number; out: string; dirtyRate: number; start: string; end: string }>();
  // Wall-clock time is only reported, never written into the generated files.
  const began = process.hrtime.bigint();
  const s = await generate({
    persons: o.persons,
    seed: o.seed,
    outDir: o.out,
    dirtyRate: o.dirtyRate,
    startDate: o.start,
    endDate: o.end,
  });
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  process.stderr.write(
    `golden-fixtures: ${s.persons} persons → ${s.customerRecords} customer records (${s.dirtyRows} dirty), ` +
      `${s.activityRows} activity rows, ${(s.totalBytes / 1e6).toFixed(1)} MB in ${s.outDir} (${seconds.toFixed(1)} s)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`golden-fixtures: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
