export { runPipeline } from './run.js';
export type { RunOptions, RunSummary } from './run.js';
