import type { ActivityConfig, SourceConfig } from '../config/index.js';

/** One file to import and the config block that says how to read it. */
export type ImportTarget =
  | { kind: 'customers'; name: string; file: string; config: SourceConfig }
  | { kind: 'activities'; name: string; file: string; config: ActivityConfig };

/** `new`: not imported yet, and left so by a dry run. */
export type FileStatus = 'loaded' | 'skipped' | 'failed' | 'new';

export interface FileResult {
  kind: ImportTarget['kind'];
  source: string;
  file: string;
  status: FileStatus;
  /** Why a file was skipped or failed. */
  note?: string;
  batchId?: number;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Rows whose key occurs more than once in the file (kept and flagged). */
  duplicateKeys: number;
  rejectsFile?: string;
  rejectsByReason: Record<string, number>;
  seconds: number;
}

export interface ImportProgress {
  file: string;
  rows: number;
}
