import type { Queryable, Row } from '../db/index.js';
import { crosswalkPages } from '../evaluate/crosswalk.js';
import type { ExportTable } from './export-table.js';

export { renderTable, writeOutput, type ExportFormat, type ExportRow, type ExportTable } from './export-table.js';

export const EXPORT_KINDS = ['crosswalk', 'customers'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const PAGE_SIZE = 10_000;

export const CUSTOMER_COLUMNS = [
  'id', 'title', 'given_name', 'middle_name', 'family_name', 'name_suffix', 'email', 'phone', 'street', 'address_line2',
  'city', 'region', 'postcode', 'country', 'birth_date', 'gender', 'customer_since', 'lineage', 'created_at', 'updated_at',
] as const;

/** Source records and their customer, by (source, source_key). */
export function crosswalkTable(db: Queryable, pageSize = PAGE_SIZE): ExportTable {
  return { columns: ['source', 'source_key', 'customer_id'], pages: crosswalkPages(db, { pageSize }) };
}

/** Golden records by id, each with its crosswalk keys ("source:key"), fetched with one query per page. */
export function customersTable(db: Queryable, pageSize = PAGE_SIZE): ExportTable {
  async function* pages(): AsyncGenerator<Row[]> {
    const select = `SELECT ${CUSTOMER_COLUMNS.join(', ')} FROM customers`;
    let last: number | undefined;
    for (;;) {
      const rows =
        last === undefined
          ? await db.query<Row & { id: number }>(`${select} ORDER BY id LIMIT ${pageSize}`)
          : await db.query<Row & { id: number }>(`${select} WHERE id > $1 ORDER BY id LIMIT ${pageSize}`, [last]);
      if (rows.length === 0) return;
      const keys = new Map<number, string[]>(rows.map((r) => [r.id, []]));
      const sources = await db.query<{ customer_id: number; source: string; source_key: string }>(
        'SELECT customer_id, source, source_key FROM customer_sources WHERE customer_id = ANY($1::bigint[]) ORDER BY customer_id, source, source_key',
        [rows.map((r) => r.id)],
      );
      for (const s of sources) keys.get(s.customer_id)?.push(`${s.source}:${s.source_key}`);
      yield rows.map((r) => ({ ...r, source_keys: keys.get(r.id) }));
      if (rows.length < pageSize) return;
      last = rows[rows.length - 1]!.id;
    }
  }
  return { columns: [...CUSTOMER_COLUMNS, 'source_keys'], pages: pages() };
}

export function exportTable(db: Queryable, kind: ExportKind, pageSize = PAGE_SIZE): ExportTable {
  return kind === 'crosswalk' ? crosswalkTable(db, pageSize) : customersTable(db, pageSize);
}
