import type { ResolveSummary } from '../resolve/index.js';
import { fmt } from './output.js';

/** The resolve result for people: one block of counts, then the blocking report or the dry-run preview. */
export function renderResolve(s: ResolveSummary): string {
  const lines: string[] = [];
  const verb = s.dryRun ? 'would' : '';
  lines.push(
    `${s.dryRun ? 'dry run: nothing was changed' : 'resolved'}: ${fmt.int(s.records.new)} new, ${fmt.int(s.records.changed)} changed, ${fmt.int(
      s.records.unchanged,
    )} unchanged source records from ${s.batches} batch(es)`,
  );
  lines.push(`  candidate pairs     ${fmt.int(s.candidatePairs)}`);
  lines.push(`  new customers       ${fmt.int(s.newCustomers)}${verb ? ' (would be created)' : ''}`);
  lines.push(`  merges              ${fmt.int(s.merges)} (${fmt.int(s.mergedCustomers)} existing customers absorbed)`);
  lines.push(`  refused by guards   ${fmt.int(s.refusedByGuards)}`);
  lines.push(`  review items        ${fmt.int(s.reviewItems)}`);
  const a = s.activities;
  if (s.dryRun) {
    if (a.rows > 0) lines.push(`  activities staged   ${fmt.int(a.rows)} from ${a.batches} file(s) (would move into activities)`);
  } else {
    if (a.batches > 0) {
      const extra = [a.unattached > 0 ? `${fmt.int(a.unattached)} without a known customer yet` : '', a.replaced > 0 ? `${fmt.int(a.replaced)} older rows replaced` : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`  activities moved in ${fmt.int(a.rows)} from ${a.batches} file(s)${extra ? ` (${extra})` : ''}${a.bulk ? ', indexes rebuilt' : ''}`);
    }
    lines.push(`  activities attached ${fmt.int(s.activitiesAttached)} (earlier rows whose customer arrived now)`);
  }
  lines.push(`  model               #${s.model.id}${s.model.trained ? ' (trained on this data)' : ''}`);
  if (s.blocking) {
    lines.push('', 'blocking rule          pairs   only this rule');
    for (const r of s.blocking.rules) lines.push(`  ${r.name.padEnd(18)} ${fmt.int(r.pairs).padStart(9)}  ${fmt.int(r.only).padStart(9)}`);
    lines.push(`  ${'all rules'.padEnd(18)} ${fmt.int(s.blocking.total).padStart(9)}`);
    if (s.blocking.shared.length > 0) {
      lines.push('', 'pairs shared by two rules');
      for (const x of s.blocking.shared) lines.push(`  ${`${x.left} + ${x.right}`.padEnd(32)} ${fmt.int(x.pairs).padStart(9)}`);
    }
  }
  if (s.preview && s.preview.length > 0) {
    lines.push('', 'would merge (first 20 groups):');
    for (const p of s.preview) {
      const who = p.customer === 'new' ? 'new customer' : `customer ${p.customer}`;
      const prob = p.probability === null ? 'linked by override' : `p=${p.probability.toFixed(4)}`;
      lines.push(`  ${who}: ${p.records.join(', ')} (${prob})`);
    }
  }
  lines.push(`finished in ${fmt.seconds(s.seconds)}`);
  return lines.join('\n');
}
