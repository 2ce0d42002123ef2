import type { GoldenConfig } from '../config/index.js';
import type { Database, Queryable } from '../db/index.js';
import { customerReport } from './customer.js';
import { qualityReport } from './quality.js';
import { segmentsReport } from './segments.js';
import { serviceReport } from './service.js';
import { trendsReport } from './trends.js';
import { atOnce, type ReportSource } from './sql.js';
import type { Report, ReportOptions } from './types.js';

export type { Report, ReportKind, ReportOptions } from './types.js';
export { writeReportFiles, type ReportFiles } from './write.js';
export const REPORT_KINDS = ['segments', 'trends', 'service', 'customer', 'quality'] as const;
export type SingleReportKind = (typeof REPORT_KINDS)[number];
export { REPORT_FORMATS, render, type ReportFormat } from './render/index.js';

/**
 * Runs report queries in one read-only snapshot, so a resolve finishing meanwhile cannot make
 * sections disagree (a read replica serves too). On PostgreSQL the snapshot has two sessions,
 * so a report's independent statements can run at once (atOnce), and for it only:
 * - no JIT: it spent ~2 s compiling the segments statement and won nothing back;
 * - random_page_cost 1.1 (the usual setting for SSDs and cached data): at the default 4 the
 *   planner prices the per-customer index-only scan just above a hash aggregate over the whole
 *   table, which runs three times slower (4 s against 12 s on 10M activities);
 * - work_mem 256 MB, so the per-month and per-group aggregates stay in memory;
 * - parallel_tuple_cost 0.01: at the default 0.1 the planner prices passing a million
 *   per-customer rows up from the workers above aggregating on one core, which is 1 s slower.
 */
export async function inSnapshot<T>(db: Database, fn: (q: ReportSource) => Promise<T>): Promise<T> {
  const setup =
    db.engine === 'postgres'
      ? `SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1; SET LOCAL work_mem = '256MB'; SET LOCAL parallel_tuple_cost = 0.01`
      : '';
  return db.readSnapshot(2, setup, async ([first, ...others]) => fn({ ...first!, others }));
}

/** Builds one report; every figure is aggregated in the database. */
export async function buildReport(
  db: ReportSource,
  config: GoldenConfig,
  kind: SingleReportKind,
  options: ReportOptions & { ref?: string | undefined },
): Promise<Report> {
  const units = Object.entries(config.sources).map(([source, s]) => ({ source, businessUnit: s.businessUnit }));
  switch (kind) {
    case 'segments':
      return segmentsReport(db, options, {
        churnDays: config.reports.churnDays,
        valueTiers: config.reports.valueTiers,
        units,
        ...(config.reports.segmentRules ? { segmentRules: config.reports.segmentRules } : {}),
        customSegments: config.reports.customSegments,
      });
    case 'trends':
      return trendsReport(db, options);
    case 'service':
      return serviceReport(db, options, { standards: config.serviceStandards, repeatContactDays: 7, churnDays: config.reports.churnDays, lowCsat: 2 });
    case 'customer':
      return customerReport(db, options.ref ?? '', options);
    case 'quality':
      return qualityReport(db, options, { units });
  }
}

/**
 * The reports `golden run` writes each night, as one document: segments, trends, service and
 * data quality. With two sessions the two halves run at once, each on its own session: their
 * big scans keep both cores busy either way, but one half's single-core steps (percentile
 * sorts, windows, laying rows out) overlap the other's scans (26 s down to 22 s on 1M
 * customers and 9.6M activities). The halves are about even: segments with quality, trends
 * with service (15.1 s, where segments with trends beside service with quality took 16.7 s;
 * since the kept months and the churn list's own scoring, 7.1–7.7 s, with the segments 4.5 s
 * and the quality report 2.8 s beside trends 2.5 s and service 2.7 s).
 */
export async function nightlyReport(db: ReportSource, config: GoldenConfig, options: ReportOptions): Promise<Report> {
  const together = db.others?.[0] !== undefined;
  const chain = async (q: Queryable, kinds: readonly SingleReportKind[]): Promise<Report[]> => {
    // Two halves at once are the parallelism: with workers of their own beside them, each worker
    // re-read the inner sides of the segments' merge joins (7.1–7.7 s with none, 8.5–8.9 s with).
    if (together) await q.exec('SET LOCAL max_parallel_workers_per_gather = 0');
    const parts: Report[] = [];
    // alone on its session: the other session is the other half's
    for (const kind of kinds) parts.push(await buildReport({ ...q, others: [] }, config, kind, options));
    return parts;
  };
  const [first, second] = await atOnce(
    db,
    (q) => chain(q, ['segments', 'quality']),
    (q) => chain(q, ['trends', 'service']),
  );
  // in the order readers know: segments, trends, service, quality
  const [segments, quality] = first;
  const [trends, service] = second;
  const parts = [segments!, trends!, service!, quality!];
  return {
    kind: 'all',
    title: 'golden: customers, trends and service',
    asOf: options.asOf,
    generatedAt: new Date().toISOString(),
    filters: parts[0]!.filters,
    sections: parts.flatMap((p) => p.sections),
  };
}
