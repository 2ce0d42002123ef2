/**
 * The shape every report produces and every renderer reads: sections of summary lines,
 * charts and tables. Queries build it (all aggregation in SQL); renderers only format it.
 */
export type ReportKind = 'segments' | 'trends' | 'service' | 'customer' | 'quality' | 'all';

export interface ReportOptions {
  /** Nothing after this day counts (YYYY-MM-DD, inclusive). */
  asOf: string;
  businessUnit?: string | undefined;
  segment?: string | undefined;
  /** Activity window (YYYY-MM-DD, inclusive), for trends and service. */
  from?: string | undefined;
  to?: string | undefined;
}

export type ColumnKind = 'text' | 'int' | 'number' | 'percent' | 'money' | 'date' | 'days' | 'hours';

export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
}

export type Cell = string | number | null;

export interface Table {
  title: string;
  columns: Column[];
  rows: Record<string, Cell>[];
}

export interface Series {
  name: string;
  values: (number | null)[];
}

export interface Chart {
  title: string;
  kind: 'bar' | 'line' | 'stacked-bar';
  /** Category or period labels along the x axis. */
  x: string[];
  series: Series[];
  unit?: string;
  /** Optional reference line (e.g. a service standard). */
  target?: { label: string; value: number };
}

export interface Section {
  title: string;
  summary: string[];
  charts: Chart[];
  tables: Table[];
}

export interface Report {
  kind: ReportKind;
  title: string;
  asOf: string;
  generatedAt: string;
  filters: Record<string, string>;
  sections: Section[];
}
