export { runPipeline } from './run.js';
export type { RunOptions, RunSummary, RunTotals } from './run.js';
export { armSafeStop, checkStop, requestStop, stopRequested } from './stop.js';
export type { LogLevel, RunEvent, RunLog, RunStage } from './log.js';
