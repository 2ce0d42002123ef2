import type { BlockingRule } from '../config/index.js';

const MULTI: Readonly<Record<string, { primary: (t: string) => string; others: (t: string) => string }>> = {
  emails: { primary: (t) => `${t}.email_match`, others: (t) => `${t}.other_emails` },
  phones: { primary: (t) => `${t}.phone`, others: (t) => `${t}.other_phones` },
};

/** A blocking rule's value for one part, as SQL over alias t ("field:N" keeps N characters). */
function partSql(part: string, t: string, multiValue: string): string {
  const [field, width] = part.split(':') as [string, string | undefined];
  const column =
    field === 'name_pair'
      ? `least(${t}.given_name_match, ${t}.family_name_match) || '|' || greatest(${t}.given_name_match, ${t}.family_name_match)`
      : field === 'email_local'
        ? `split_part(${t}.email_match, '@', 1)`
        : field in MULTI
          ? multiValue
          : field === 'birth_date' || field === 'birth_year'
            ? `${t}.${field}::text`
            : `${t}.${field}`;
  return width === undefined ? column : `left(${column}, ${Number(width)})`;
}

/** hash(rule, values) when every part is present, else NULL. */
function keySql(rule: BlockingRule, t: string, multiValue: string): string {
  const parts = rule.on.map((p) => partSql(p, t, multiValue));
  const present = parts.map((p) => `${p} <> ''`).join(' AND ');
  const fields = rule.on.map((p) => p.split(':')[0]!);
  const blocked =
    (fields.some((f) => f in MULTI) ? ` AND ${multiValue} NOT IN (SELECT value FROM rs_blocked)` : '') +
    (fields.includes('email_local') ? ` AND ${t}.email_match NOT IN (SELECT value FROM rs_blocked)` : '');
  return `CASE WHEN ${present}${blocked} THEN hashtextextended('${rule.name}|' || ${parts.join(` || '|' || `)}, 0) END`;
}

/**
 * (key, record_id, rule) for every record of `table` matching `where`: the key hashes the rule's
 * name with its values into a bigint (PERF-NOTES: grouping on a bigint was ~4x faster than on
 * text). A record missing any part of a rule gets no key for it; blocklisted e-mails and phones
 * (table rs_blocked) never make one. All rules come from one scan of the table (unnest of one
 * array per row): a scan per rule read the wide staging rows seven times and took 3x longer.
 * A record's other e-mails and phones, which few records have, are added by a second branch.
 */
export function blockingKeysSql(rules: readonly BlockingRule[], table: string, where: string): string {
  const t = 't';
  const multiPart = (rule: BlockingRule) => rule.on.map((p) => p.split(':')[0]!).find((f) => f in MULTI);
  const keys = rules.map((rule) => {
    const multi = multiPart(rule);
    return keySql(rule, t, multi === undefined ? '' : MULTI[multi]!.primary(t));
  });
  const main = `SELECT k.key, ${t}.id AS record_id, k.rule
    FROM ${table} ${t}, unnest(ARRAY[${keys.join(',\n      ')}]::bigint[], ARRAY[${rules.map((_, i) => i).join(', ')}]::smallint[]) AS k(key, rule)
    WHERE ${where} AND k.key IS NOT NULL`;
  const extra = rules.flatMap((rule, index) => {
    const multi = multiPart(rule);
    if (multi === undefined) return [];
    const others = MULTI[multi]!.others(t);
    const value = multi === 'emails' ? 'lower(x.value)' : 'x.value';
    return [
      `SELECT ${keySql(rule, t, value)}, ${t}.id, ${index}::smallint
       FROM ${table} ${t}, unnest(${others}) AS x(value)
       WHERE ${where} AND cardinality(${others}) > 0 AND ${keySql(rule, t, value)} IS NOT NULL`,
    ];
  });
  return [main, ...extra].join('\nUNION ALL\n');
}

/** A fingerprint of the rules: record_keys built from other rules are rebuilt. */
export function blockingFingerprint(rules: readonly BlockingRule[]): string {
  return JSON.stringify(rules.map((r) => [r.name, r.on]));
}
