import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { writeOutput } from '../../export/index.js';
import { buildReport, inSnapshot, render, REPORT_FORMATS, type ReportFormat, type SingleReportKind } from '../../report/index.js';
import { config, withDatabase, type GlobalOptions } from '../context.js';

export interface ReportCommandOptions extends GlobalOptions {
  asOf?: string;
  format?: ReportFormat;
  out?: string;
  businessUnit?: string;
  segment?: string;
  from?: string;
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UserError(`${flag} ${value}: expected a date as YYYY-MM-DD`);
  }
  return value;
}

async function* once(text: string): AsyncIterable<string> {
  yield text.endsWith('\n') ? text : `${text}\n`;
}

/** `golden report <kind> [ref]`: one report, rendered, to stdout or --out. Reads only: no run lock. */
export default async function reportCommand(kind: SingleReportKind, ref: string | undefined, options: ReportCommandOptions): Promise<ExitCodeValue> {
  const cfg = await config(options);
  if (kind === 'customer' && ref === undefined) {
    throw new UserError('report customer: name the customer (an id, source:key or e-mail)');
  }
  const format: ReportFormat = options.json ? 'json' : (options.format ?? (process.stdout.isTTY && options.out === undefined ? 'table' : 'json'));
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${format}: expected one of ${REPORT_FORMATS.join(', ')}`);
  }
  const asOf = day(options.asOf, '--as-of') ?? new Date().toISOString().slice(0, 10);
  return withDatabase(options, 'report', async (db) => {
    const report = await inSnapshot(db, (q) =>
      buildReport(q, cfg, kind, {
        asOf,
        ref,
        businessUnit: options.businessUnit,
        segment: options.segment,
        from: day(options.from, '--from'),
        to: day(options.to, '--to'),
      }),
    );
    await writeOutput(once(render(report, format)), options.out);
    if (options.out !== undefined) process.stderr.write(`golden: ${kind} report written to ${options.out}\n`);
    return ExitCode.ok;
  });
}
