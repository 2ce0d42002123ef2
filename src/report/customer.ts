import type { Queryable } from '../db/index.js';
import { ExitCode, UserError } from '../errors.js';
import { normalizeEmail } from '../normalize/index.js';
import { findRecord, locateCustomer, parseRecordRef, type CustomerLocation } from '../resolve/index.js';
import { GOLDEN_COLUMNS, GROUPS } from '../resolve/survivorship.js';
import { checkDay, given, int, num, reportFilters } from './sql.js';
import type { Cell, Report, ReportOptions, Section } from './types.js';

/**
 * The customer report: one customer, named by id (followed through merges), by a source record
 * ("source:key") or by an e-mail address; its golden record with the source of each value, every
 * source record behind it, one timeline of all its activities across business units, and totals
 * per unit. Nothing after asOf counts: later activities are left out, and a ticket closed after
 * asOf is shown as still open. The business-unit filter narrows the timeline and the totals.
 */

interface Located {
  customerId: number;
  /** How the reference was read, for the summary. */
  how: string;
}

const CUSTOMER_ID = /^\d+$/;
const SOURCE_NAME = /^[a-z0-9_]+$/;

/** The customers holding an e-mail (customer_identifiers, compared in its normalised lower-case form). */
async function customersByEmail(db: Queryable, text: string): Promise<number[]> {
  const n = normalizeEmail(text);
  const values = [...new Set([text.trim().toLowerCase(), n.email, n.match].filter((v): v is string => v !== null && v !== ''))];
  const rows = await db.query<{ customer_id: number }>(
    "SELECT DISTINCT customer_id FROM customer_identifiers WHERE kind = 'email' AND value = ANY ($1::text[]) ORDER BY customer_id",
    [values],
  );
  return rows.map((r) => Number(r.customer_id));
}

/** A customer id, "source:key" or e-mail → the customer; a UserError (exit 2) naming the reference otherwise. */
export async function locateCustomerRef(db: Queryable, ref: string): Promise<Located> {
  const text = ref.trim();
  if (text === '') throw new UserError('name a customer: a customer id, a source record (source:key) or an e-mail address', ExitCode.usage);
  if (CUSTOMER_ID.test(text)) {
    const location: CustomerLocation = await locateCustomer(db, Number(text));
    const hops = location.via.map((h) => `merge #${h.mergeId} took customer ${h.from} into ${h.into}`).join('; ');
    return { customerId: location.customerId, how: hops === '' ? `customer ${location.customerId}` : `customer ${text}, followed to ${location.customerId} (${hops})` };
  }
  const record = parseRecordRef(text);
  const hasAt = text.includes('@');
  if (record !== null && SOURCE_NAME.test(record.source)) {
    if (!hasAt) {
      const found = await findRecord(db, text);
      return { customerId: found.customerId, how: `source record ${found.ref}` };
    }
    // A source key may itself be an e-mail address: the record wins when it exists.
    const [row] = await db.query<{ customer_id: number }>('SELECT customer_id FROM customer_sources WHERE source = $1 AND source_key = $2', [
      record.source,
      record.key,
    ]);
    if (row !== undefined) return { customerId: Number(row.customer_id), how: `source record ${text}` };
  }
  if (hasAt) {
    const ids = await customersByEmail(db, text);
    if (ids.length === 0) throw new UserError(`unknown customer "${ref}": no customer has that e-mail address`, ExitCode.usage);
    if (ids.length > 1) {
      throw new UserError(`e-mail "${ref}" belongs to ${ids.length} customers (${ids.join(', ')}): name one by its id`, ExitCode.usage);
    }
    return { customerId: ids[0]!, how: `e-mail ${text}` };
  }
  throw new UserError(`unknown customer "${ref}": expected a customer id, a source record (source:key) or an e-mail address`, ExitCode.usage);
}

const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  given_name: 'Given name',
  middle_name: 'Middle name',
  family_name: 'Family name',
  name_suffix: 'Suffix',
  email: 'E-mail',
  phone: 'Phone',
  street: 'Street',
  address_line2: 'Address line 2',
  city: 'City',
  region: 'Region',
  postcode: 'Postcode',
  country: 'Country',
  birth_date: 'Birth date',
  gender: 'Gender',
  customer_since: 'Customer since',
};

/** Golden column → its survivorship group (lineage key). */
const GROUP_OF: Record<string, string> = Object.fromEntries(
  Object.entries(GROUPS).flatMap(([group, g]) => g.columns.map((c) => [c, group] as const)),
);

export async function customerReport(db: Queryable, ref: string, options: ReportOptions): Promise<Report> {
  const asOf = checkDay('asOf', options.asOf);
  const unit = given(options.businessUnit) ?? null;
  const located = await locateCustomerRef(db, ref);
  const id = located.customerId;

  // The golden record, one row per attribute with the source its group came from.
  const columns = [...GOLDEN_COLUMNS, 'customer_since'];
  const golden = await db.query<{ field: string; value: string | null; source: string | null; ord: number }>(
    `SELECT f.field, f.value, c.lineage ->> f.grp AS source, f.ord
     FROM customers c
     CROSS JOIN LATERAL unnest($2::text[], ARRAY[${columns.map((c) => `c.${c}::text`).join(', ')}], $3::text[]) WITH ORDINALITY AS f(field, value, grp, ord)
     WHERE c.id = $1 ORDER BY f.ord`,
    [id, columns, columns.map((c) => GROUP_OF[c] ?? '')],
  );
  const [head] = await db.query<{ name: string | null; records: number; sources: number; created: string; updated: string }>(
    `SELECT nullif(concat_ws(' ', c.title, c.given_name, c.middle_name, c.family_name, c.name_suffix), '') AS name,
       (SELECT count(*) FROM customer_sources cs WHERE cs.customer_id = c.id) AS records,
       (SELECT count(DISTINCT cs.source) FROM customer_sources cs WHERE cs.customer_id = c.id) AS sources,
       to_char(c.created_at, 'YYYY-MM-DD') AS created, to_char(c.updated_at, 'YYYY-MM-DD') AS updated
     FROM customers c WHERE c.id = $1`,
    [id],
  );

  // Every source record behind it, with the files it was first and last seen in.
  const records = await db.query<Record<string, Cell>>(
    `SELECT cs.source, cs.source_key AS key,
       nullif(concat_ws(' ', cs.title, cs.given_name, cs.middle_name, cs.family_name, cs.name_suffix), '') AS name,
       cs.email, cs.phone,
       nullif(concat_ws(', ', cs.street, cs.address_line2, cs.city, concat_ws(' ', cs.region, cs.postcode), cs.country), '') AS address,
       cs.birth_date::text AS birth_date, cs.customer_since::text AS customer_since,
       f.file_name AS first_file, l.file_name AS last_file
     FROM customer_sources cs
     LEFT JOIN import_batches f ON f.id = cs.first_seen_batch
     LEFT JOIN import_batches l ON l.id = cs.last_seen_batch
     WHERE cs.customer_id = $1 ORDER BY cs.source, cs.source_key`,
    [id],
  );

  // One timeline of all its activities, as they stood at the end of asOf.
  const timeline = await db.query<Record<string, Cell>>(
    `SELECT to_char(a.occurred_at, 'YYYY-MM-DD HH24:MI') AS at, a.business_unit AS unit, a.kind, a.source, a.source_key AS key,
       a.channel, a.category, a.amount::float8 AS amount, a.currency,
       CASE WHEN a.kind <> 'ticket' THEN a.status
            WHEN a.closed_at >= $2::date + 1 THEN 'open'
            ELSE a.status END AS status,
       to_char(CASE WHEN a.closed_at < $2::date + 1 THEN a.closed_at END, 'YYYY-MM-DD HH24:MI') AS closed,
       CASE WHEN a.closed_at < $2::date + 1 AND a.closed_at >= a.occurred_at
         THEN round((extract(epoch FROM a.closed_at - a.occurred_at) / 3600)::numeric, 2)::float8 END AS hours,
       a.csat, a.nps
     FROM activities a
     WHERE a.customer_id = $1 AND a.occurred_at < $2::date + 1 AND ($3::text IS NULL OR a.business_unit = $3::text)
     ORDER BY a.occurred_at, a.id`,
    [id, asOf, unit],
  );

  // Totals per unit and overall.
  const totals = await db.query<Record<string, Cell> & { g: number }>(
    `SELECT GROUPING(a.business_unit) AS g, a.business_unit AS unit, count(*) AS activities,
       count(*) FILTER (WHERE a.kind = 'order') AS orders,
       count(*) FILTER (WHERE a.kind = 'transaction') AS transactions,
       count(*) FILTER (WHERE a.kind = 'ticket') AS tickets,
       count(*) FILTER (WHERE a.kind = 'ticket' AND CASE WHEN a.closed_at IS NOT NULL THEN a.closed_at >= $2::date + 1
                                                      ELSE lower(coalesce(a.status, '')) NOT IN ('closed', 'resolved', 'solved') END) AS open_tickets,
       count(*) FILTER (WHERE a.kind = 'feedback') AS feedback,
       coalesce(sum(a.amount) FILTER (WHERE a.kind IN ('order', 'transaction')), 0)::float8 AS amount,
       round(avg(a.csat), 2)::float8 AS mean_csat,
       round(avg(a.nps), 2)::float8 AS mean_nps,
       to_char(min(a.occurred_at), 'YYYY-MM-DD') AS first, to_char(max(a.occurred_at), 'YYYY-MM-DD') AS last
     FROM activities a
     WHERE a.customer_id = $1 AND a.occurred_at < $2::date + 1 AND ($3::text IS NULL OR a.business_unit = $3::text)
     GROUP BY GROUPING SETS ((a.business_unit), ())
     ORDER BY GROUPING(a.business_unit), a.business_unit`,
    [id, asOf, unit],
  );
  const all = totals.find((t) => int(t.g) === 1);

  const summary = [
    `${head?.name ?? '(no name)'} — customer ${id}, found by ${located.how}.`,
    `${int(head?.records)} source records in ${int(head?.sources)} sources.`,
    int(all?.activities) === 0
      ? 'No activities by the report day.'
      : `${int(all?.activities)} activities from ${String(all?.first)} to ${String(all?.last)}: ${int(all?.orders)} orders, ${int(all?.transactions)} transactions, ${int(all?.tickets)} tickets (${int(all?.open_tickets)} open), ${int(all?.feedback)} survey answers.`,
  ];

  const recordSection: Section = {
    title: 'Golden record',
    summary,
    charts: [],
    tables: [
      {
        title: 'Golden record',
        columns: [
          { key: 'field', label: 'Attribute', kind: 'text' },
          { key: 'value', label: 'Value', kind: 'text' },
          { key: 'source', label: 'From source', kind: 'text' },
        ],
        rows: golden.map((g) => ({ field: FIELD_LABELS[g.field] ?? g.field, value: g.value, source: g.source })),
      },
      {
        title: 'Source records',
        columns: [
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'key', label: 'Key', kind: 'text' },
          { key: 'name', label: 'Name', kind: 'text' },
          { key: 'email', label: 'E-mail', kind: 'text' },
          { key: 'phone', label: 'Phone', kind: 'text' },
          { key: 'address', label: 'Address', kind: 'text' },
          { key: 'birth_date', label: 'Birth date', kind: 'date' },
          { key: 'customer_since', label: 'Customer since', kind: 'date' },
          { key: 'first_file', label: 'First seen in', kind: 'text' },
          { key: 'last_file', label: 'Last seen in', kind: 'text' },
        ],
        rows: records,
      },
    ],
  };

  const timelineSection: Section = {
    title: 'Timeline',
    summary: [`${timeline.length} activities across ${totals.filter((t) => int(t.g) === 0).length} business units, oldest first.`],
    charts: [],
    tables: [
      {
        title: 'Activities',
        columns: [
          { key: 'at', label: 'When', kind: 'text' },
          { key: 'unit', label: 'Unit', kind: 'text' },
          { key: 'kind', label: 'Kind', kind: 'text' },
          { key: 'source', label: 'Source', kind: 'text' },
          { key: 'key', label: 'Key', kind: 'text' },
          { key: 'channel', label: 'Channel', kind: 'text' },
          { key: 'category', label: 'Category', kind: 'text' },
          { key: 'amount', label: 'Amount', kind: 'money' },
          { key: 'currency', label: 'Currency', kind: 'text' },
          { key: 'status', label: 'Status', kind: 'text' },
          { key: 'closed', label: 'Closed', kind: 'text' },
          { key: 'hours', label: 'Resolution', kind: 'hours' },
          { key: 'csat', label: 'CSAT', kind: 'int' },
          { key: 'nps', label: 'NPS', kind: 'int' },
        ],
        rows: timeline.map((t) => ({ ...t, amount: num(t.amount), hours: num(t.hours), csat: num(t.csat), nps: num(t.nps) })),
      },
    ],
  };

  const totalsSection: Section = {
    title: 'Totals by business unit',
    summary: [],
    charts: [],
    tables: [
      {
        title: 'Totals by business unit',
        columns: [
          { key: 'unit', label: 'Unit', kind: 'text' },
          { key: 'activities', label: 'Activities', kind: 'int' },
          { key: 'orders', label: 'Orders', kind: 'int' },
          { key: 'transactions', label: 'Transactions', kind: 'int' },
          { key: 'tickets', label: 'Tickets', kind: 'int' },
          { key: 'open_tickets', label: 'Open tickets', kind: 'int' },
          { key: 'feedback', label: 'Survey answers', kind: 'int' },
          { key: 'amount', label: 'Amount', kind: 'money' },
          { key: 'mean_csat', label: 'Mean CSAT', kind: 'number' },
          { key: 'mean_nps', label: 'Mean NPS', kind: 'number' },
          { key: 'first', label: 'First', kind: 'date' },
          { key: 'last', label: 'Last', kind: 'date' },
        ],
        rows: totals.map(({ g, ...t }) => ({
          ...t,
          unit: int(g) === 1 ? 'All' : t.unit ?? null,
          activities: int(t.activities),
          orders: int(t.orders),
          transactions: int(t.transactions),
          tickets: int(t.tickets),
          open_tickets: int(t.open_tickets),
          feedback: int(t.feedback),
          amount: num(t.amount),
          mean_csat: num(t.mean_csat),
          mean_nps: num(t.mean_nps),
        })),
      },
    ],
  };

  return {
    kind: 'customer',
    title: `Customer ${id}${head?.name ? `: ${head.name}` : ''}`,
    asOf,
    generatedAt: new Date().toISOString(),
    filters: { customer: ref.trim(), ...reportFilters(options, ['businessUnit']) },
    sections: [recordSection, timelineSection, totalsSection],
  };
}
