import type { GoldenConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import { importAll, type ImportOptions, type ImportSummary } from '../importer/index.js';

export interface RunOptions {
  import?: ImportOptions;
}

export interface RunSummary {
  database: string;
  import: ImportSummary;
  seconds: number;
}

/**
 * `golden run`: the nightly job. Only sequences the stages and holds the run lock; each stage
 * owns its work. Resolve and reports join here in later steps.
 */
export async function runPipeline(db: Database, config: GoldenConfig, options: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const release = await db.acquireRunLock('golden run');
  try {
    const imported = await importAll(db, config, options.import);
    return { database: db.label, import: imported, seconds: (Date.now() - started) / 1000 };
  } finally {
    await release();
  }
}
