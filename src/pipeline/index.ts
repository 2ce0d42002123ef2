export { runPipeline } from './run.js';
export type { RunOptions, RunSummary, RunTotals } from './run.js';
