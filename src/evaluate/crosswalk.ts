import type { Queryable } from '../db/index.js';

// A type, not an interface, so it fits Record<string, unknown> (export rows).
export type CrosswalkRow = {
  source: string;
  source_key: string;
  customer_id: number;
};

/**
 * The crosswalk in (source, source_key) order, one page at a time: keyset paging on the primary
 * key, so each page is an index range scan and memory holds one page, however big the table.
 */
export async function* crosswalkPages(db: Queryable, { source, pageSize = 50_000 }: { source?: string | undefined; pageSize?: number } = {}): AsyncGenerator<CrosswalkRow[]> {
  const select = 'SELECT source, source_key, customer_id FROM customer_sources';
  let last: CrosswalkRow | undefined;
  for (;;) {
    let rows: CrosswalkRow[];
    if (source === undefined) {
      rows = last
        ? await db.query<CrosswalkRow>(`${select} WHERE (source, source_key) > ($1, $2) ORDER BY source, source_key LIMIT ${pageSize}`, [last.source, last.source_key])
        : await db.query<CrosswalkRow>(`${select} ORDER BY source, source_key LIMIT ${pageSize}`);
    } else {
      rows = last
        ? await db.query<CrosswalkRow>(`${select} WHERE source = $1 AND source_key > $2 ORDER BY source_key LIMIT ${pageSize}`, [source, last.source_key])
        : await db.query<CrosswalkRow>(`${select} WHERE source = $1 ORDER BY source_key LIMIT ${pageSize}`, [source]);
    }
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    last = rows[rows.length - 1];
  }
}
