export { resolve, type ResolveOptions, type ResolveSummary, type BlockingReport, type MergePreview } from './resolve.js';
export { COMPARISONS } from './comparisons.js';
