import type { GoldenConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import { importAll, type ImportOptions, type ImportSummary } from '../importer/index.js';
import { resolve, type ResolveOptions, type ResolveSummary } from '../resolve/index.js';

export interface RunOptions {
  import?: ImportOptions;
  resolve?: ResolveOptions;
}

export interface RunSummary {
  database: string;
  import: ImportSummary;
  resolve: ResolveSummary;
  seconds: number;
}

/**
 * `golden run`: the nightly job. Only sequences the stages and holds the run lock; each stage
 * owns its work. Reports join here in a later step.
 */
export async function runPipeline(db: Database, config: GoldenConfig, options: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const release = await db.acquireRunLock('golden run');
  try {
    const imported = await importAll(db, config, options.import);
    // Resolve runs even when nothing was imported: batches an earlier run left unresolved
    // (killed between the stages) and unattached activities are picked up here.
    const resolved = await resolve(db, config, options.resolve);
    return { database: db.label, import: imported, resolve: resolved, seconds: (Date.now() - started) / 1000 };
  } finally {
    await release();
  }
}
