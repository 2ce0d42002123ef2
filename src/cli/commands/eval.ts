import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { evaluate, type EvalReport } from '../../evaluate/index.js';
import { withDatabase, type GlobalOptions } from '../context.js';
import { fmt, printData, printJson } from '../output.js';

export interface EvalOptions extends GlobalOptions {
  truth: string;
  entityColumn?: string;
  keyColumn?: string;
  source?: string;
  limit?: number;
}

/** Members shown per group in the text output (--json lists them all). */
const SHOWN_MEMBERS = 8;

function members(list: string[]): string {
  const shown = list.slice(0, SHOWN_MEMBERS).join(', ');
  return list.length > SHOWN_MEMBERS ? `${shown}, … ${fmt.int(list.length - SHOWN_MEMBERS)} more` : shown;
}

export function renderEval(report: EvalReport): string {
  const d = (n: number) => n.toFixed(4);
  const { pairwise: p, bcubed: b } = report;
  const lines = [
    `records scored               ${fmt.int(report.records)}`,
    `truth rows not in crosswalk  ${fmt.int(report.truthRowsMissing)}`,
    `crosswalk rows not in truth  ${fmt.int(report.crosswalkRowsWithoutTruth)}`,
    '',
    '            precision  recall  f1',
    `pairwise    ${d(p.precision)}     ${d(p.recall)}  ${d(p.f1)}`,
    `b-cubed     ${d(b.precision)}     ${d(b.recall)}  ${d(b.f1)}`,
    '',
    `pairs: ${fmt.int(p.truePositives)} correct of ${fmt.int(p.predictedPairs)} predicted, ${fmt.int(p.truePairs)} true`,
    '',
    `false merges (customers holding more than one entity, largest first): ${fmt.int(report.falseMergeCount)}`,
  ];
  for (const m of report.falseMerges) {
    lines.push(`  customer ${m.customerId} (${fmt.int(m.records)} records)`);
    for (const e of m.entities) lines.push(`    entity ${e.entity}: ${members(e.members)}`);
  }
  lines.push('', `missed links (entities split over several customers, largest first): ${fmt.int(report.missedLinkCount)}`);
  for (const m of report.missedLinks) {
    lines.push(`  entity ${m.entity} (${fmt.int(m.records)} records)`);
    for (const c of m.customers) lines.push(`    customer ${c.customerId}: ${members(c.members)}`);
  }
  return lines.join('\n');
}

export default async function evalCommand(options: EvalOptions): Promise<ExitCodeValue> {
  // Read-only, so it takes no run lock (on PostgreSQL it can score while a run works).
  const report = await withDatabase(options, 'eval', (db) =>
    evaluate(db, options.truth, { entityColumn: options.entityColumn, keyColumn: options.keyColumn, source: options.source, limit: options.limit }),
  );
  if (options.json) printJson(report);
  else printData(renderEval(report));
  return ExitCode.ok;
}
