import type {
  CustomerLocation,
  CustomerUnmergeResult,
  DetachResult,
  Explanation,
  ExplainedMerge,
  LinkResult,
  ReviewDecision,
  ReviewItem,
  SplitResult,
  UnmergeResult,
} from '../resolve/index.js';

/** Text for people: `golden explain`, and what `unmerge`, `link`, `split` and `review` did. */

const GROUP_LABELS: Record<string, string> = {
  name: 'name',
  email: 'e-mail',
  phone: 'phone',
  address: 'address',
  birth_date: 'birth date',
  gender: 'gender',
};

/** Longest bar, in characters; shorter weights get proportionally fewer. */
const BAR_WIDTH = 30;

const signed = (w: number) => `${w >= 0 ? '+' : '-'}${Math.abs(w).toFixed(2)}`;

/** A probability; within a millionth of 1 as "1 − tail", the tail taken from the weight so it is not lost to rounding. */
export function probabilityText(weight: number, probability: number): string {
  if (probability < 0.999999) return probability.toFixed(6);
  const tail = 2 ** -weight / (1 + 2 ** -weight);
  return `1 − ${tail.toExponential(1)}`;
}

function bar(weight: number, scale: number): string {
  const n = Math.round(Math.abs(weight) * scale);
  return (weight >= 0 ? '+' : '-').repeat(n);
}

function groupValue(group: string, values: Record<string, string | null>): string | null {
  const v = (c: string) => values[c] ?? null;
  const joined = (parts: (string | null)[], sep: string) => {
    const kept = parts.filter((p): p is string => p !== null && p !== '');
    return kept.length ? kept.join(sep) : null;
  };
  if (group === 'name') return joined([v('title'), v('given_name'), v('middle_name'), v('family_name'), v('name_suffix')], ' ');
  if (group === 'address') {
    return joined([v('street'), v('address_line2'), v('city'), joined([v('region'), v('postcode')], ' '), v('country')], ', ');
  }
  return joined(Object.values(values), ' ');
}

function followed(location: CustomerLocation | null): string {
  if (location === null || location.via.length === 0) return '';
  const hops = location.via.map((h) => `customer ${h.from} was merged into ${h.into} by merge ${h.mergeId}`).join('; ');
  return `  (${hops})`;
}

function mergeHeader(m: ExplainedMerge): string {
  const pair = m.left && m.right ? `${m.left} — ${m.right}` : 'linking pair unknown';
  const how = m.override === 'link' ? 'linked by golden link' : m.override === 'review' ? 'accepted in review' : `auto${m.runId !== null ? `, resolve run ${m.runId}` : ''}`;
  const absorbed = m.mergedId === null ? '' : `, customer ${m.mergedId} absorbed`;
  return `merge ${m.id}: ${pair}  (${how}${absorbed}, ${m.mergedAt instanceof Date ? m.mergedAt.toISOString() : String(m.mergedAt)})`;
}

export function renderExplanation(e: Explanation): string {
  const lines: string[] = [];
  const asked = e.location !== null ? followed(e.location) : e.requested.trim() === String(e.customerId) ? '' : `  (holds ${e.requested})`;
  lines.push(`customer ${e.customerId}${asked}`);
  const width = Math.max(...Object.values(GROUP_LABELS).map((l) => l.length), 'customer since'.length);
  for (const g of e.groups) {
    const value = groupValue(g.group, g.values) ?? '–';
    lines.push(`  ${(GROUP_LABELS[g.group] ?? g.group).padEnd(width)}  ${value}${g.source ? `   ← ${g.source}` : ''}`);
  }
  lines.push(`  ${'customer since'.padEnd(width)}  ${e.customer.customerSince ?? '–'}`);

  lines.push('', `${e.records.length} source record${e.records.length === 1 ? '' : 's'}`);
  const refWidth = Math.max(0, ...e.records.map((r) => r.ref.length));
  for (const r of e.records) {
    const parts = [
      r.name ?? '(no name)',
      r.birthDate ? `born ${r.birthDate}` : null,
      r.email,
      r.phone,
      r.address,
    ].filter((p): p is string => p !== null);
    lines.push(`  ${r.ref.padEnd(refWidth)}  ${parts.join('  ·  ')}`);
  }

  lines.push('', e.merges.length === 0 ? 'no merges: every record here arrived alone' : `${e.merges.length} merge${e.merges.length === 1 ? '' : 's'}, in order`);
  const maxWeight = Math.max(
    1e-9,
    ...e.merges.flatMap((m) => (m.waterfall ? [m.waterfall.prior, m.waterfall.termFrequency, ...m.waterfall.comparisons.map((c) => c.weight)] : [])).map(Math.abs),
  );
  const scale = Math.min(1, BAR_WIDTH / maxWeight);
  for (const m of e.merges) {
    lines.push('', mergeHeader(m));
    lines.push(`  joined: ${m.records.join(', ') || '–'}`);
    if (m.apart) lines.push('  (its two records have since been split into different customers)');
    if (m.note) lines.push(`  note: ${m.note}`);
    const w = m.waterfall;
    if (w === null) continue;
    if (m.override) lines.push(`  the model's view of the pair (model #${w.modelId}):`);
    const rows: [string, number | null][] = [
      ['prior (share of pairs that match)', w.prior],
      ...w.comparisons.map((c): [string, number | null] => [`${c.label}: ${c.levelLabel}`, c.level === 0 ? null : c.weight]),
      ['term frequency (how rare the names are)', w.termFrequency],
    ];
    const labelWidth = Math.max(...rows.map(([l]) => l.length));
    for (const [label, weight] of rows) {
      lines.push(`  ${label.padEnd(labelWidth)}  ${weight === null ? '     –' : signed(weight).padStart(6)}  ${weight === null ? '' : bar(weight, scale)}`.trimEnd());
    }
    lines.push(`  ${'match weight'.padEnd(labelWidth)}  ${signed(w.total).padStart(6)}  probability ${probabilityText(w.total, w.probability)}`);
  }
  return lines.join('\n');
}

function moved(d: DetachResult): string {
  const to = d.restored ? `customer ${d.into} (restored)` : `new customer ${d.into}`;
  return `${d.records.length} record${d.records.length === 1 ? '' : 's'} moved from customer ${d.from} to ${to}: ${d.records.join(', ')}; ${d.activities} activit${d.activities === 1 ? 'y' : 'ies'} with it`;
}

function renderOneUnmerge(u: UnmergeResult): string[] {
  const lines = [`merge ${u.mergeId} (${u.kind}${u.left && u.right ? `: ${u.left} — ${u.right}` : ''}) undone`];
  lines.push(`  ${u.moved ? moved(u.moved) : 'nothing moved: its records are no longer together'}`);
  if (u.mustLinksRemoved > 0) lines.push(`  must-link between ${u.left} and ${u.right} removed`);
  if (u.left && u.right) lines.push(`  cannot-link ${u.left} — ${u.right} ${u.cannotLinkStored ? 'stored' : 'already stored'}: resolve keeps them apart`);
  return lines;
}

export function renderUnmerge(result: UnmergeResult | CustomerUnmergeResult): string {
  if ('mergeId' in result) return renderOneUnmerge(result).join('\n');
  const lines = [`customer ${result.location.customerId}${followed(result.location)}: ${result.merges.length} merge${result.merges.length === 1 ? '' : 's'} undone, latest first`];
  for (const u of result.merges) lines.push(...renderOneUnmerge(u));
  return lines.join('\n');
}

export function renderLink(r: LinkResult): string {
  const lines: string[] = [];
  lines.push(`must-link ${r.left.ref} — ${r.right.ref} ${r.overrideStored ? 'stored' : 'already stored'}`);
  if (r.cannotLinksRemoved > 0) lines.push(`  cannot-link between them removed`);
  if (r.merge === null) lines.push(`  already in one customer: ${r.customerId}`);
  else {
    lines.push(
      `  merge ${r.merge.mergeId}: customer ${r.merge.mergedId} merged into ${r.merge.survivorId} (${r.merge.records.join(', ')}; ${r.merge.activities} activit${r.merge.activities === 1 ? 'y' : 'ies'} moved)`,
    );
  }
  return lines.join('\n');
}

export function renderSplit(r: SplitResult): string {
  const lines: string[] = [];
  lines.push(`cannot-link ${r.left.ref} — ${r.right.ref} ${r.overrideStored ? 'stored' : 'already stored'}`);
  if (r.mustLinksRemoved > 0) lines.push('  must-link between them removed');
  lines.push(r.moved ? `  ${moved(r.moved)}` : `  already in different customers: ${r.left.customerId} and ${r.right.customerId}`);
  return lines.join('\n');
}

export function renderReview(items: readonly ReviewItem[]): string {
  if (items.length === 0) return 'no open review items';
  const lines = [`${items.length} open review item${items.length === 1 ? '' : 's'} (golden review accept|reject ID...)`];
  for (const item of items) {
    const weight = Math.log2(item.probability / (1 - item.probability));
    lines.push('', `#${item.id}  probability ${probabilityText(weight, item.probability)}${item.sameCustomer ? `  (already in one customer: ${item.left.customerId})` : ''}`);
    const rows: [string, string, string][] = [
      ['record', item.left.ref, item.right.ref],
      ['customer', String(item.left.customerId), String(item.right.customerId)],
      ['name', item.left.name ?? '–', item.right.name ?? '–'],
      ['birth date', item.left.birthDate ?? '–', item.right.birthDate ?? '–'],
      ['e-mail', item.left.email ?? '–', item.right.email ?? '–'],
      ['phone', item.left.phone ?? '–', item.right.phone ?? '–'],
      ['postcode', item.left.postcode ?? '–', item.right.postcode ?? '–'],
    ];
    const w = Math.max(...rows.map((r) => r[1].length));
    for (const [label, l, r] of rows) lines.push(`  ${label.padEnd(10)}  ${l.padEnd(w)}  ${l === r ? '=' : '|'}  ${r}`);
  }
  return lines.join('\n');
}

export function renderDecisions(decisions: readonly ReviewDecision[], settled: number): string {
  const lines = decisions.map((d) => {
    if (d.status === 'accepted') {
      const how = d.merge ? `merge ${d.merge.mergeId}: customer ${d.merge.mergedId} merged into ${d.merge.survivorId}` : 'already in one customer';
      return `#${d.id} accepted: ${d.left} — ${d.right} linked (${how})`;
    }
    const warn = d.sameCustomer ? ' (they are in one customer now: golden split separates them)' : '';
    return `#${d.id} rejected: cannot-link ${d.left} — ${d.right} ${d.overrideStored ? 'stored' : 'already stored'}${warn}`;
  });
  if (settled > 0) lines.push(`${settled} other open item${settled === 1 ? '' : 's'} settled: their records are now in one customer`);
  return lines.join('\n');
}
