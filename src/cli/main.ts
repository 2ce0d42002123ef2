import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, UserError, type ExitCodeValue } from '../errors.js';
import { requestStop, safeStopArmed, stopRequested } from '../pipeline/stop.js';
import { LOG_FORMATS } from './log.js';
import type { GlobalOptions } from './context.js';

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number from 0 up');
  return n;
}

function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number from 1 up');
  return n;
}

let exitCode: ExitCodeValue = ExitCode.ok;

type CommandFn = (...args: never[]) => Promise<ExitCodeValue>;

/**
 * Wraps a command, loaded only when it runs (so `golden db status` does not load the
 * normalisers), so its result becomes the exit code; errors are handled in one place.
 */
function action(load: () => Promise<CommandFn>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    const fn = (await load()) as (...a: unknown[]) => Promise<ExitCodeValue>;
    exitCode = await fn(...positional, command.optsWithGlobals<GlobalOptions>());
  };
}

const program = new Command('golden')
  .description('Unify customer records from silo CSV exports into one golden record per person.')
  .version('0.1.0')
  .addOption(new Option('-c, --config <file>', 'project config').default('golden.config.json'))
  .addOption(new Option('--db <dir>', 'embedded database folder (default .golden/db, or GOLDEN_DB)'))
  .addOption(new Option('--database-url <url>', 'PostgreSQL server instead of the embedded database (or DATABASE_URL)'))
  .option('--json', 'print the result as JSON')
  .showHelpAfterError('(run golden --help for usage)')
  .exitOverride();

program
  .command('run')
  .description('the main job: import every new export, resolve identities, write the reports')
  .addOption(new Option('--max-rejects <n>', 'abort a file that has more rejected rows than this').argParser(nonNegativeInt))
  .option('--out <dir>', 'reports folder; each run writes <dir>/<date>/report.html, report.json, report.csv and csv/ (default: the config\'s reports.outDir)')
  .option('--dry-run', 'list the files not imported yet and what resolve would do with what is staged; change nothing')
  .addOption(new Option('--log-format <format>', 'the log on stderr: text lines for people, or JSON lines (time, level, stage, counts, durations)').choices([...LOG_FORMATS]).default('text'))
  .option('--log-pii', 'let e-mails, phone numbers and quoted values appear in the log (redacted by default)')
  .addOption(new Option('--wait <seconds>', 'when another run holds the lock, wait up to this long for it (default: exit 5 at once)').argParser(nonNegativeInt))
  .action(action(async () => (await import('./commands/run.js')).default));

program
  .command('import')
  .description('import silo exports into staging (all files the config matches, or the files given)')
  .argument('[files...]', 'files to import (default: every file matched by the config)')
  .option('-s, --source <name>', 'the source or activity file these files belong to')
  .option('--force', 'reload files that were imported before')
  .addOption(new Option('--max-rejects <n>', 'abort a file that has more rejected rows than this').argParser(nonNegativeInt))
  .addOption(new Option('--concurrency <n>', 'files imported at once').argParser(positiveInt).default(2))
  .action(action(async () => (await import('./commands/import.js')).default));

program
  .command('resolve')
  .description('match staged records against the customers and each other, and merge them in place')
  .option('--dry-run', 'show what would merge and change nothing')
  .option('--explain-blocking', 'print candidate pairs per blocking rule and the pairs rules share')
  .action(action(async () => (await import('./commands/resolve.js')).default));

program
  .command('explain')
  .description("show a customer's golden values, its source records and why each merge happened (match weights)")
  .argument('<ref>', 'customer id, or source:key of one of its records')
  .action(action(async () => (await import('./commands/explain.js')).default));

program
  .command('unmerge')
  .description('undo a merge (by merge id), or every merge into a customer (--customer); resolve keeps them apart')
  .argument('[merge-id]', 'the merge to undo (golden explain lists them)')
  .option('--customer <ref>', 'undo every merge into this customer (id or source:key), latest first')
  .action(action(async () => (await import('./commands/unmerge.js')).default));

program
  .command('link')
  .description('these two are one person: store a must-link and merge their customers now')
  .argument('<a>', 'source:key, or a customer id')
  .argument('<b>', 'source:key, or a customer id')
  .option('--note <text>', 'why, kept with the override')
  .action(action(async () => (await import('./commands/link.js')).default));

program
  .command('split')
  .description('these two records are different people: store a cannot-link and move B out of their customer now')
  .argument('<a>', 'source:key of the record that stays')
  .argument('<b>', 'source:key of the record that moves to a new customer')
  .option('--note <text>', 'why, kept with the override')
  .action(action(async () => (await import('./commands/split.js')).default));

const review = program
  .command('review')
  .description('list the pairs resolve left for a person to decide; accept or reject them by id')
  .action(action(async () => (await import('./commands/review.js')).default));
review
  .command('accept')
  .description('these pairs are one person: link each like golden link')
  .argument('<ids...>', 'review item ids')
  .action(action(async () => (await import('./commands/review.js')).reviewAccept));
review
  .command('reject')
  .description('these pairs are different people: store a cannot-link for each')
  .argument('<ids...>', 'review item ids')
  .action(action(async () => (await import('./commands/review.js')).reviewReject));

program
  .command('train')
  .description('re-estimate the match model on every record and show how the weights changed')
  .action(action(async () => (await import('./commands/train.js')).default));

program
  .command('report')
  .description('segments, trends, service, one customer, or data quality — computed in the database')
  .addArgument(new Argument('<kind>', 'report').choices(['segments', 'trends', 'service', 'customer', 'quality']))
  .argument('[customer]', 'for "customer": a customer id, source:key or e-mail')
  .option('--as-of <date>', 'nothing after this day counts (YYYY-MM-DD; default today)')
  .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, else json)').choices(['table', 'csv', 'json', 'markdown', 'html']))
  .option('-o, --out <file>', 'write to this file instead of stdout')
  .option('--business-unit <name>', 'only this business unit')
  .option('--segment <name>', 'only customers in this segment (segments report)')
  .option('--from <date>', 'activity from this day (trends, service)')
  .option('--to <date>', 'activity up to this day (trends, service)')
  .action(action(async () => (await import('./commands/report.js')).default));

program
  .command('init')
  .description('draft a config from sample exports (sniffs delimiter, encoding, fields)')
  .argument('<files...>', 'sample export files')
  .option('-o, --out <file>', 'write the draft here instead of stdout')
  .action(action(async () => (await import('./commands/init.js')).default));

program
  .command('eval')
  .description('score the matches in the database against a labelled truth file (pairwise and B-cubed)')
  .requiredOption('--truth <file>', 'truth CSV: source, source_key and an entity id per record')
  .option('--entity-column <name>', 'entity id column (default: the first of entity_id, entity, person_id, cluster)')
  .option('--key-column <name>', 'record key column', 'source_key')
  .option('-s, --source <name>', 'the source of every row when the file has no source column; else only this source is scored')
  .addOption(new Option('--limit <n>', 'false merges and missed links to list').argParser(nonNegativeInt).default(20))
  .action(action(async () => (await import('./commands/eval.js')).default));

program
  .command('export')
  .description('write the crosswalk or the golden customers as CSV or JSON')
  .addArgument(program.createArgument('<kind>', 'what to export').choices(['crosswalk', 'customers']))
  .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
  .option('-o, --out <file>', 'write to this file (replaced at the end, never half-written) instead of stdout')
  .action(action(async () => (await import('./commands/export.js')).default));

program
  .command('doctor')
  .description('check config, database, migrations, input files, output folders and free disk for the nightly job; changes nothing')
  .option('--out <dir>', "the reports folder golden run is given with --out (default: the config's reports.outDir)")
  .action(action(async () => (await import('./commands/doctor.js')).default));

const db = program.command('db').description('database schema');
db.command('migrate').description('apply pending migrations').action(action(async () => (await import('./commands/db.js')).dbMigrate));
db.command('status').description('show the database, its migrations and contents').action(action(async () => (await import('./commands/db.js')).dbStatus));

function fail(error: unknown): ExitCodeValue {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof UserError) {
    process.stderr.write(`golden: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`golden: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stderr.write('This is a bug in golden; please report it with the command you ran.\n');
  return ExitCode.internal;
}

// `golden run` stops at its next safe point on SIGINT/SIGTERM (src/pipeline/stop.ts); a second
// signal, or one to any other command, stops at once: open transactions roll back when the
// connection closes, so that is safe too, only less tidy.
for (const [signal, code] of [['SIGINT', ExitCode.interrupted], ['SIGTERM', ExitCode.terminated]] as const) {
  process.on(signal, () => {
    if (!safeStopArmed() || stopRequested()) process.exit(code);
    requestStop(signal);
    process.stderr.write(`golden: ${signal}: stopping at the next safe point (send it again to stop now)\n`);
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  exitCode = fail(error);
}
process.exit(exitCode);
