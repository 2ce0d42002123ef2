import type { GoldenConfig } from '../config/index.js';
import type { Database, Queryable } from '../db/index.js';
import { customerReport } from './customer.js';
import { qualityReport } from './quality.js';
import { segmentsReport } from './segments.js';
import { serviceReport } from './service.js';
import { trendsReport } from './trends.js';
import type { Report, ReportOptions } from './types.js';

export type { Report, ReportKind, ReportOptions } from './types.js';
export { writeReportFiles } from './write.js';
export const REPORT_KINDS = ['segments', 'trends', 'service', 'customer', 'quality'] as const;
export type SingleReportKind = (typeof REPORT_KINDS)[number];
export { REPORT_FORMATS, render, type ReportFormat } from './render/index.js';

/**
 * Runs report queries in one read-only snapshot, so a resolve finishing meanwhile cannot make
 * sections disagree (a read replica serves too). On PostgreSQL, for this transaction only:
 * - no JIT: it spent ~2 s compiling the segments statement and won nothing back;
 * - random_page_cost 1.1 (the usual setting for SSDs and cached data): at the default 4 the
 *   planner prices the per-customer index-only scan just above a hash aggregate over the whole
 *   table, which runs three times slower (4 s against 12 s on 10M activities);
 * - work_mem 256 MB, so the per-month and per-group aggregates stay in memory.
 */
export async function inSnapshot<T>(db: Database, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (db.engine === 'postgres') {
      await tx.exec(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
        SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1; SET LOCAL work_mem = '256MB'`);
    }
    return fn(tx);
  });
}

/** Builds one report; every figure is aggregated in the database. */
export async function buildReport(
  db: Queryable,
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
 * data quality, one after the other.
 */
export async function nightlyReport(db: Queryable, config: GoldenConfig, options: ReportOptions): Promise<Report> {
  const parts: Report[] = [];
  for (const kind of ['segments', 'trends', 'service', 'quality'] as const) parts.push(await buildReport(db, config, kind, options));
  return {
    kind: 'all',
    title: 'golden: customers, trends and service',
    asOf: options.asOf,
    generatedAt: new Date().toISOString(),
    filters: parts[0]!.filters,
    sections: parts.flatMap((p) => p.sections),
  };
}
