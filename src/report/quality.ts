import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { Queryable } from '../db/index.js';
import { errorMessage, UserError } from '../errors.js';
import { reasonKind } from '../importer/rejects.js';
import { checkDay, int, num, pctSql } from './sql.js';
import type { Cell, Column, Report, ReportOptions, Section } from './types.js';

/**
 * The data-quality report, per source: rows read, loaded and rejected (loaded import batches),
 * the rejected rows by reason (read from the rejects files the batches name), how full each
 * field of the source records is, the invalid e-mails and phones the importer noted, duplicates
 * inside a source, the overlap between sources, and customers found in one business unit only.
 *
 * Counting happens in SQL; the rejects files are outside the database, so their rows are read
 * here and passed to one grouping query as arrays. The duplicates, overlap and business-unit
 * tables are sums here over the few combinations of sources SQL counts customers by. Nothing
 * imported after asOf counts: batches that finished after the end of that day, and the source
 * records they first brought, are left out. Shares are percentages (12.3 = 12.3 %).
 */

export interface QualitySettings {
  /**
   * Business unit of each customer source (config `sources.<name>.businessUnit`). A source not
   * listed takes the unit of the activities that name its records by key, or else its own name.
   */
  units?: readonly { source: string; businessUnit: string }[];
}

/** The source-record fields whose fill rate is reported (derived match columns left out). */
export const FILL_FIELDS = [
  'title',
  'given_name',
  'middle_name',
  'family_name',
  'name_suffix',
  'email',
  'other_emails',
  'phone',
  'other_phones',
  'street',
  'house_number',
  'address_line2',
  'city',
  'region',
  'postcode',
  'country',
  'birth_date',
  'gender',
  'customer_since',
] as const;

const ARRAY_FIELDS: ReadonlySet<string> = new Set(['other_emails', 'other_phones']);

/** A rejects file read back: its rows' reasons and input lines ("file.csv line 12"), or why it could not be read. */
interface RejectsRead {
  batchId: number;
  source: string;
  path: string;
  expected: number;
  reasons: string[];
  lines: string[];
  problem?: string;
}

async function readRejects(batchId: number, source: string, file: string, input: string, expected: number): Promise<RejectsRead> {
  const out: RejectsRead = { batchId, source, path: file, expected, reasons: [], lines: [] };
  try {
    await access(file);
  } catch {
    return { ...out, problem: 'missing' };
  }
  try {
    const parser = createReadStream(file).pipe(parse({ columns: true, relax_column_count: true, bom: true }));
    for await (const row of parser as AsyncIterable<Record<string, string | undefined>>) {
      out.reasons.push(row.reason ?? '');
      out.lines.push(`${input} line ${row.line ?? '?'}`);
    }
  } catch (error) {
    return { ...out, problem: `unreadable (${errorMessage(error)})` };
  }
  return out;
}

/**
 * The coarse group of a reject reason: the field before ':' ("birth_date"), else the reason as
 * the importer summarises it (src/importer/rejects.ts reasonKind) with its numbers as N
 * ("expected N columns, found N", "broken quoting in column N", "missing source key").
 */
export function reasonGroup(reason: string): string {
  const field = /^([A-Za-z_][\w ]*?):/.exec(reason);
  if (field) return field[1]!;
  return reasonKind(reason).replace(/\d+/g, 'N');
}

/** The batches of a kind not finished by the end of asOf: what they brought does not count. */
async function batchesAfter(db: Queryable, kind: 'customers' | 'activities', asOf: string): Promise<number[]> {
  const rows = await db.query<{ id: number }>(`SELECT id FROM import_batches WHERE kind = $1 AND NOT coalesce(finished_at < $2::date + 1, false)`, [kind, asOf]);
  return rows.map((b) => Number(b.id));
}

/** Most sources the holdings' bitmask takes (bits of a bigint). */
const MAX_SOURCES = 63;

/**
 * Which sources the customers hold records of, as combinations with their customer counts, and
 * per source its records, customers and duplicates (records whose customer holds another of
 * the same source). Source records first brought by a batch finished after asOf do not count;
 * when none is such, the pass is an index-only scan of customer_sources_customer.
 */
async function holdings(db: Queryable, asOf: string): Promise<{ combos: Holding[]; duplicates: Record<string, Cell>[] }> {
  // Every source of the crosswalk, by a skip scan over its primary key (source, source_key).
  const sources = (
    await db.query<{ source: string }>(
      `WITH RECURSIVE s(source) AS (
         SELECT min(source) FROM customer_sources
         UNION ALL SELECT (SELECT min(cs.source) FROM customer_sources cs WHERE cs.source > s.source) FROM s WHERE s.source IS NOT NULL
       ) SELECT source FROM s WHERE source IS NOT NULL`,
    )
  ).map((r) => r.source);
  if (sources.length === 0) return { combos: [], duplicates: [] };
  if (sources.length > MAX_SOURCES) throw new UserError(`the quality report handles up to ${MAX_SOURCES} customer sources; the crosswalk holds ${sources.length}`);
  const later = await batchesAfter(db, 'customers', asOf);
  const params: unknown[] = [sources];
  if (later.length > 0) params.push(later);
  const n = sources.map((_, i) => `n${i}`);
  const rows = await db.query<Record<string, number | string>>(
    `WITH per_customer AS (
       SELECT ${n.map((c, i) => `count(*) FILTER (WHERE cs.source = ($1::text[])[${i + 1}]) AS ${c}`).join(', ')}
       FROM customer_sources cs${later.length > 0 ? ' WHERE cs.first_seen_batch <> ALL ($2::bigint[])' : ''}
       GROUP BY cs.customer_id
     )
     SELECT ${n.map((c, i) => `((${c} > 0)::int::bigint << ${i})`).join(' | ')} AS mask, count(*) AS customers,
       ${n.map((c) => `sum(${c}) AS r_${c}, coalesce(sum(${c}) FILTER (WHERE ${c} > 1), 0) AS d_${c}, count(*) FILTER (WHERE ${c} > 1) AS c_${c}`).join(',\n       ')}
     FROM per_customer GROUP BY 1`,
    params,
  );
  const held = (row: Record<string, number | string>, i: number) => (BigInt(row.mask!) >> BigInt(i)) & 1n;
  const combos = rows
    .map((row) => ({ sources: sources.filter((_, i) => held(row, i) === 1n), customers: int(row.customers) }))
    .filter((c) => c.sources.length > 0);
  const duplicates = sources
    .map((source, i) => {
      const sum = (key: string, only = false) => rows.reduce((t, row) => t + (only && held(row, i) === 0n ? 0 : int(row[key])), 0);
      const records = sum(`r_n${i}`);
      const duplicate = sum(`d_n${i}`);
      return {
        source,
        records,
        customers: sum('customers', true),
        duplicate_records: duplicate,
        customers_with_duplicates: sum(`c_n${i}`),
        duplicate_pct: records === 0 ? null : (100 * duplicate) / records,
      };
    })
    .filter((d) => d.records > 0);
  return { combos, duplicates };
}

/**
 * The business unit of each source: the config's, else the unit of most of the activities that
 * name the source's records by key, else the source's own name.
 */
async function sourceUnits(db: Queryable, sources: readonly string[], given: readonly { source: string; businessUnit?: string | undefined }[]): Promise<Map<string, string>> {
  const unitOf = new Map<string, string>();
  for (const g of given) if (g.businessUnit) unitOf.set(g.source, g.businessUnit);
  const missing = sources.filter((s) => !unitOf.has(s));
  if (missing.length > 0) {
    const rows = await db.query<{ source: string; unit: string }>(
      `SELECT DISTINCT ON (customer_ref_source) customer_ref_source AS source, business_unit AS unit
       FROM activities WHERE customer_ref_by = 'source_key' AND customer_ref_source = ANY ($1::text[])
       GROUP BY customer_ref_source, business_unit
       ORDER BY customer_ref_source, count(*) DESC, business_unit`,
      [missing],
    );
    for (const r of rows) unitOf.set(r.source, r.unit);
  }
  return new Map(sources.map((s) => [s, unitOf.get(s) ?? s]));
}

/** Which sources some customers hold records of, and how many customers hold exactly those. */
export interface Holding {
  sources: readonly string[];
  customers: number;
}

export interface UnitRow {
  /** 1 for the total row over all units. */
  g: number;
  unit: string | null;
  sources: string | null;
  customers: number;
  only_here: number;
  only_pct: number | null;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The overlap between sources (customers holding records of both; the diagonal: customers of
 * the source) and the customers per business unit with those found in that unit only, summed
 * over the holdings. Rows come sorted by source and unit, the total unit row last.
 */
export function tallyHoldings(
  holdings: readonly Holding[],
  unitOf: ReadonlyMap<string, string>,
): { overlap: { left_source: string; right_source: string; customers: number }[]; unitRows: UnitRow[] } {
  const pairs = new Map<string, { left_source: string; right_source: string; customers: number }>();
  const perUnit = new Map<string, { customers: number; only: number }>();
  const total = { customers: 0, only: 0 };
  for (const h of holdings) {
    for (const left of h.sources) {
      for (const right of h.sources) {
        const key = `${left}\u0000${right}`;
        const pair = pairs.get(key) ?? { left_source: left, right_source: right, customers: 0 };
        pair.customers += h.customers;
        pairs.set(key, pair);
      }
    }
    const units = new Set(h.sources.map((s) => unitOf.get(s) ?? s));
    for (const unit of units) {
      const u = perUnit.get(unit) ?? { customers: 0, only: 0 };
      u.customers += h.customers;
      if (units.size === 1) u.only += h.customers;
      perUnit.set(unit, u);
    }
    total.customers += h.customers;
    if (units.size === 1) total.only += h.customers;
  }
  const pct = (part: number, whole: number) => (whole === 0 ? null : (100 * part) / whole);
  const unitRows: UnitRow[] = [...perUnit.keys()].sort(byCodeUnit).map((unit) => {
    const u = perUnit.get(unit)!;
    const sources = [...unitOf.entries()].filter(([, v]) => v === unit).map(([s]) => s).sort(byCodeUnit);
    return { g: 0, unit, sources: sources.join(', '), customers: u.customers, only_here: u.only, only_pct: pct(u.only, u.customers) };
  });
  unitRows.push({ g: 1, unit: null, sources: null, customers: total.customers, only_here: total.only, only_pct: pct(total.only, total.customers) });
  const overlap = [...pairs.values()].sort((a, b) => byCodeUnit(a.left_source, b.left_source) || byCodeUnit(a.right_source, b.right_source));
  return { overlap, unitRows };
}

export async function qualityReport(db: Queryable, options: ReportOptions, settings: QualitySettings = {}): Promise<Report> {
  const asOf = checkDay('asOf', options.asOf);
  const units = settings.units ?? [];
  /** Source records first brought by a batch finished by the end of asOf. */
  const RECORDS = `records AS (
    SELECT cs.* FROM customer_sources cs JOIN import_batches b ON b.id = cs.first_seen_batch
    WHERE b.finished_at < $1::date + 1
  )`;

  // Loads per source.
  const loads = await db.query<Record<string, Cell>>(
    `SELECT kind, source, count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded,
       sum(rows_rejected) AS rows_rejected, ${pctSql('sum(rows_rejected)', 'sum(rows_read)')} AS rejected_pct,
       sum(duplicate_keys) AS duplicate_keys, to_char(max(finished_at), 'YYYY-MM-DD HH24:MI') AS last_load
     FROM import_batches WHERE status = 'loaded' AND finished_at < $1::date + 1
     GROUP BY kind, source ORDER BY kind DESC, source`,
    [asOf],
  );
  const [failed] = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM import_batches WHERE status = 'failed' AND finished_at < $1::date + 1`,
    [asOf],
  );

  // Rejected rows by reason, read from each loaded batch's rejects file.
  const batches = await db.query<{ id: number; source: string; rejects_path: string; file_name: string; rows_rejected: number }>(
    `SELECT id, source, rejects_path, file_name, rows_rejected FROM import_batches
     WHERE status = 'loaded' AND rejects_path IS NOT NULL AND finished_at < $1::date + 1 ORDER BY id`,
    [asOf],
  );
  const files = await Promise.all(batches.map((b) => readRejects(Number(b.id), b.source, b.rejects_path, b.file_name, int(b.rows_rejected))));
  const sources: string[] = [];
  const reasons: string[] = [];
  const lines: string[] = [];
  for (const f of files) {
    f.reasons.forEach((r, i) => {
      sources.push(f.source);
      reasons.push(r);
      lines.push(f.lines[i]!);
    });
  }
  const rejects = await db.query<{ source: string; reason_group: string; reason: string; rows: number; example: string }>(
    `SELECT source, reason_group, reason, count(*) AS rows, (array_agg(line ORDER BY n))[1] AS example
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(source, reason_group, reason, line, n)
     GROUP BY source, reason_group, reason ORDER BY source, count(*) DESC, reason`,
    [sources, reasons.map(reasonGroup), reasons.map(reasonKind), lines],
  );
  const rejectGroups = await db.query<{ reason_group: string; rows: number; sources: number }>(
    `SELECT reason_group, count(*) AS rows, count(DISTINCT source) AS sources
     FROM unnest($1::text[], $2::text[]) AS r(source, reason_group)
     GROUP BY reason_group ORDER BY count(*) DESC, reason_group`,
    [sources, reasons.map(reasonGroup)],
  );

  // Fill rate per field and source: one pass counting every field per source, spread into
  // (source, field) rows after the aggregate (a row per record and field first took 7 s on
  // 1.9M records).
  const filled = (f: string) => (ARRAY_FIELDS.has(f) ? `count(*) FILTER (WHERE cardinality(r.${f}) > 0)` : `count(r.${f})`);
  const fill = await db.query<{ source: string; field: string; records: number; filled: number; pct: number }>(
    `WITH ${RECORDS},
     counts AS (SELECT r.source, count(*) AS records, ${FILL_FIELDS.map((f) => `${filled(f)} AS ${f}`).join(', ')} FROM records r GROUP BY r.source)
     SELECT c.source, f.field, c.records, f.filled, round(100.0 * f.filled / c.records, 1)::float8 AS pct
     FROM counts c CROSS JOIN LATERAL (VALUES ${FILL_FIELDS.map((f) => `('${f}', c.${f})`).join(', ')}) AS f(field, filled)
     ORDER BY c.source, f.field`,
    [asOf],
  );

  // Invalid e-mails and phones: the importer notes them in `issues`; resolve keeps them on the
  // crosswalk record, and batches not resolved yet still hold them in staging.
  const invalid = await db.query<{ source: string; field: string; issue: string; rows: number }>(
    `SELECT source, split_part(i, ':', 1) AS field, trim(split_part(split_part(i, ':', 2), '(', 1)) AS issue, count(*) AS rows
     FROM (
       SELECT cs.source, i FROM customer_sources cs JOIN import_batches b ON b.id = cs.last_seen_batch
         CROSS JOIN LATERAL unnest(cs.issues) AS i
       WHERE b.finished_at < $1::date + 1
       UNION ALL
       SELECT s.source, i FROM staging_records s JOIN import_batches b ON b.id = s.batch_id
         CROSS JOIN LATERAL unnest(s.issues) AS i
       WHERE b.status = 'loaded' AND b.resolved_at IS NULL AND b.finished_at < $1::date + 1
     ) x
     GROUP BY 1, 2, 3 ORDER BY 1, 2, count(*) DESC`,
    [asOf],
  );
  const [pending] = await db.query<{ batches: number; records: number }>(
    `SELECT count(DISTINCT b.id) AS batches, count(s.batch_id) AS records
     FROM import_batches b LEFT JOIN staging_records s ON s.batch_id = b.id
     WHERE b.kind = 'customers' AND b.status = 'loaded' AND b.resolved_at IS NULL AND b.finished_at < $1::date + 1`,
    [asOf],
  );
  // Activity rows: issues the importer noted, and rows no customer holds. With every batch
  // counted, the per-source sums the triggers keep (migration 0007); else two scans leaving the
  // later batches out, the second reading only rows with issues.
  const laterActivities = await batchesAfter(db, 'activities', asOf);
  const activityIssues =
    laterActivities.length === 0
      ? await db.query<ActivityIssueRow>(
          `SELECT source, rows, unattached, with_issues, NULL::text AS issue, 0::bigint AS issue_rows FROM source_activity
           UNION ALL
           SELECT source, NULL, NULL, NULL, issue, rows FROM source_activity_issues
           ORDER BY 1, 5 NULLS FIRST`,
        )
      : await db.query<ActivityIssueRow>(
          `SELECT a.source, count(*) AS rows, count(*) FILTER (WHERE a.customer_id IS NULL) AS unattached,
             count(*) FILTER (WHERE cardinality(a.issues) > 0) AS with_issues, NULL::text AS issue, 0::bigint AS issue_rows
           FROM activities a WHERE a.batch_id <> ALL ($1::bigint[]) GROUP BY a.source
           UNION ALL
           SELECT a.source, NULL, NULL, NULL, activity_issue_label(i), count(*)
           FROM activities a CROSS JOIN LATERAL unnest(a.issues) AS i WHERE cardinality(a.issues) > 0 AND a.batch_id <> ALL ($1::bigint[]) GROUP BY 1, 5
           ORDER BY 1, 5 NULLS FIRST`,
          [laterActivities],
        );

  // Duplicates inside a source (records whose customer holds another record of the same
  // source), and which sources each customer holds records of: one pass over the crosswalk in
  // customer order, counted by the combination of sources held (a handful of rows). The
  // duplicates, overlap and business-unit tables are sums over those; three statements over
  // every record took 17 s on 1.9M records, this one under 1 s.
  const { combos, duplicates } = await holdings(db, asOf);

  const unitOf = await sourceUnits(db, [...new Set(combos.flatMap((c) => c.sources))], units);
  const { overlap, unitRows } = tallyHoldings(combos, unitOf);

  return {
    kind: 'quality',
    title: 'Data quality',
    asOf,
    generatedAt: new Date().toISOString(),
    filters: {},
    sections: [
      loadsSection(loads, int(failed?.n), files, rejects, rejectGroups),
      fillSection(fill),
      invalidSection(invalid, pending ?? { batches: 0, records: 0 }, activityIssues),
      overlapSection(duplicates, overlap, unitRows),
    ],
  };
}

function loadsSection(
  loads: Record<string, Cell>[],
  failed: number,
  files: RejectsRead[],
  rejects: { source: string; reason_group: string; reason: string; rows: number; example: string }[],
  groups: { reason_group: string; rows: number; sources: number }[],
): Section {
  const customers = loads.filter((l) => l.kind === 'customers');
  const sum = (rows: Record<string, Cell>[], key: string) => rows.reduce((n, r) => n + int(r[key]), 0);
  const summary: string[] = [];
  if (loads.length === 0) summary.push('No files loaded by the report day.');
  else {
    summary.push(
      `${sum(loads, 'files')} files loaded from ${loads.length} sources: ${sum(loads, 'rows_read')} rows read, ${sum(loads, 'rows_loaded')} loaded, ${sum(loads, 'rows_rejected')} rejected` +
        ` (customer exports: ${sum(customers, 'rows_read')} read, ${sum(customers, 'rows_rejected')} rejected).`,
    );
  }
  if (failed > 0) summary.push(`${failed} import(s) failed and loaded nothing (see golden import's output).`);
  for (const f of files) {
    if (f.problem === 'missing') summary.push(`Rejects file ${f.path} (${f.source}, ${f.expected} rows) is missing: its reasons are not counted.`);
    else if (f.problem !== undefined) summary.push(`Rejects file ${f.path} (${f.source}) is ${f.problem}: its reasons are not counted.`);
    else if (f.reasons.length !== f.expected) summary.push(`Rejects file ${f.path} holds ${f.reasons.length} rows, its import counted ${f.expected}.`);
  }
  if (groups.length > 0) summary.push(`Rejected rows by reason: ${groups.map((g) => `${g.reason_group} ${int(g.rows)}`).join(', ')}.`);
  return {
    title: 'Loads and rejects',
    summary,
    charts:
      groups.length === 0
        ? []
        : [
            {
              title: 'Rejected rows by reason',
              kind: 'bar',
              x: groups.map((g) => g.reason_group),
              series: [{ name: 'rows', values: groups.map((g) => int(g.rows)) }],
              unit: 'rows',
            },
          ],
    tables: [
      {
        title: 'Rows per source',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'kind', label: 'Kind', kind: 'text' },
          { key: 'files', label: 'Files', kind: 'int' },
          { key: 'rows_read', label: 'Read', kind: 'int' },
          { key: 'rows_loaded', label: 'Loaded', kind: 'int' },
          { key: 'rows_rejected', label: 'Rejected', kind: 'int' },
          { key: 'rejected_pct', label: 'Rejected share', kind: 'percent' },
          { key: 'duplicate_keys', label: 'Repeated keys', kind: 'int' },
          { key: 'last_load', label: 'Last load', kind: 'text' },
        ],
        rows: loads.map((l) => ({
          source: l.source ?? null,
          kind: l.kind ?? null,
          files: int(l.files),
          rows_read: int(l.rows_read),
          rows_loaded: int(l.rows_loaded),
          rows_rejected: int(l.rows_rejected),
          rejected_pct: num(l.rejected_pct),
          duplicate_keys: int(l.duplicate_keys),
          last_load: l.last_load ?? null,
        })),
      },
      {
        title: 'Rejected rows by reason',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'group', label: 'Reason', kind: 'text' },
          { key: 'reason', label: 'Detail', kind: 'text' },
          { key: 'rows', label: 'Rows', kind: 'int' },
          { key: 'example', label: 'First', kind: 'text' },
        ],
        rows: rejects.map((r) => ({ source: r.source, group: r.reason_group, reason: r.reason, rows: int(r.rows), example: r.example })),
      },
    ],
  };
}

function fillSection(fill: { source: string; field: string; records: number; filled: number; pct: number }[]): Section {
  const sources = [...new Set(fill.map((f) => f.source))];
  const byKey = new Map(fill.map((f) => [`${f.source}\u0000${f.field}`, f]));
  const columns: Column[] = [{ key: 'field', label: 'Field', kind: 'text' }, ...sources.map((s): Column => ({ key: s, label: s, kind: 'percent' }))];
  const rows = FILL_FIELDS.map((field) => {
    const row: Record<string, Cell> = { field };
    for (const s of sources) row[s] = num(byKey.get(`${s}\u0000${field}`)?.pct);
    return row;
  });
  const empty = fill.filter((f) => int(f.filled) === 0).length;
  return {
    title: 'Fill rates',
    summary:
      sources.length === 0
        ? ['No source records by the report day.']
        : [`Share of source records with a value, per field and source (${empty} field–source pairs are never filled: the source does not carry that field).`],
    charts: [],
    tables: [{ title: 'Fill rate per field', columns, rows }],
  };
}

/** A source's activity rows (issue null), or the rows of one of its issues. */
type ActivityIssueRow = { source: string; rows: number; unattached: number; with_issues: number; issue: string | null; issue_rows: number };

function invalidSection(
  invalid: { source: string; field: string; issue: string; rows: number }[],
  pending: { batches: number; records: number },
  activities: ActivityIssueRow[],
): Section {
  const summary: string[] = [];
  const count = (field: string) => invalid.filter((i) => i.field === field).reduce((n, i) => n + int(i.rows), 0);
  summary.push(`${count('email')} invalid e-mails, ${count('phone')} invalid phones, ${invalid.reduce((n, i) => n + int(i.rows), 0)} issues in all.`);
  if (int(pending.batches) > 0) {
    summary.push(`${int(pending.batches)} customer batches (${int(pending.records)} records) are not resolved yet; their issues are counted too.`);
  }
  const totals = activities.filter((a) => a.issue === null);
  const unattached = totals.reduce((n, a) => n + int(a.unattached), 0);
  if (totals.length > 0) summary.push(`${unattached} activity rows belong to no customer (their reference matches no source record, e-mail or phone).`);
  return {
    title: 'Invalid values',
    summary,
    charts: [],
    tables: [
      {
        title: 'Invalid e-mails and phones',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'field', label: 'Field', kind: 'text' },
          { key: 'issue', label: 'Issue', kind: 'text' },
          { key: 'rows', label: 'Rows', kind: 'int' },
        ],
        rows: invalid.map((i) => ({ source: i.source, field: i.field, issue: i.issue, rows: int(i.rows) })),
      },
      {
        title: 'Activity rows',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'rows', label: 'Rows', kind: 'int' },
          { key: 'unattached', label: 'Without customer', kind: 'int' },
          { key: 'with_issues', label: 'With issues', kind: 'int' },
        ],
        rows: totals.map((a) => ({ source: a.source, rows: int(a.rows), unattached: int(a.unattached), with_issues: int(a.with_issues) })),
      },
      {
        title: 'Activity issues',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'issue', label: 'Issue', kind: 'text' },
          { key: 'rows', label: 'Rows', kind: 'int' },
        ],
        rows: activities.filter((a) => a.issue !== null).map((a) => ({ source: a.source, issue: a.issue, rows: int(a.issue_rows) })),
      },
    ],
  };
}

function overlapSection(
  duplicates: Record<string, Cell>[],
  overlap: { left_source: string; right_source: string; customers: number }[],
  units: UnitRow[],
): Section {
  const sources = [...new Set(overlap.map((o) => o.left_source))];
  const cell = new Map(overlap.map((o) => [`${o.left_source}\u0000${o.right_source}`, int(o.customers)]));
  const total = units.find((u) => int(u.g) === 1);
  const summary: string[] = [];
  const dups = duplicates.reduce((n, d) => n + int(d.duplicate_records), 0);
  summary.push(`${dups} source records share their customer with another record of the same source (duplicates inside a source).`);
  if (total !== undefined && int(total.customers) > 0) {
    summary.push(`${int(total.only_here)} of ${int(total.customers)} customers (${num(total.only_pct) ?? 0} %) are found in one business unit only.`);
  }
  return {
    title: 'Duplicates and overlap',
    summary,
    charts: [],
    tables: [
      {
        title: 'Duplicates inside each source',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'records', label: 'Records', kind: 'int' },
          { key: 'customers', label: 'Customers', kind: 'int' },
          { key: 'duplicate_records', label: 'Duplicate records', kind: 'int' },
          { key: 'customers_with_duplicates', label: 'Customers with duplicates', kind: 'int' },
          { key: 'duplicate_pct', label: 'Duplicate share', kind: 'percent' },
        ],
        rows: duplicates.map((d) => ({
          source: d.source ?? null,
          records: int(d.records),
          customers: int(d.customers),
          duplicate_records: int(d.duplicate_records),
          customers_with_duplicates: int(d.customers_with_duplicates),
          duplicate_pct: num(d.duplicate_pct),
        })),
      },
      {
        title: 'Customers in both sources',
        columns: [{ key: 'source', label: 'Source', kind: 'text' }, ...sources.map((s): Column => ({ key: s, label: s, kind: 'int' }))],
        rows: sources.map((left) => {
          const row: Record<string, Cell> = { source: left };
          for (const right of sources) row[right] = cell.get(`${left}\u0000${right}`) ?? 0;
          return row;
        }),
      },
      {
        title: 'Customers by business unit',
        columns: [
          { key: 'unit', label: 'Unit', kind: 'text' },
          { key: 'sources', label: 'Sources', kind: 'text' },
          { key: 'customers', label: 'Customers', kind: 'int' },
          { key: 'only_here', label: 'In this unit only', kind: 'int' },
          { key: 'only_pct', label: 'Share in this unit only', kind: 'percent' },
        ],
        rows: units.map((u) => ({
          unit: int(u.g) === 1 ? 'All' : u.unit,
          sources: int(u.g) === 1 ? null : u.sources,
          customers: int(u.customers),
          only_here: int(u.only_here),
          only_pct: num(u.only_pct),
        })),
      },
    ],
  };
}
