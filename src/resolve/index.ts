export { resolve, type ResolveOptions, type ResolveSummary, type BlockingReport, type MergePreview } from './resolve.js';
export { BULK_ROWS, settleActivities, type SettleSummary } from './activities.js';
export { COMPARISONS } from './comparisons.js';
export {
  acceptReview,
  detachRecords,
  findRecord,
  linkRecords,
  listReview,
  locateCustomer,
  mergeCustomers,
  parseRecordRef,
  reattachActivities,
  recomputeCustomers,
  refreshIdentifiers,
  rejectReview,
  resolveReference,
  settleReview,
  splitRecords,
  undoMerge,
  unmergeCustomer,
  type CustomerLocation,
  type CustomerUnmergeResult,
  type DetachResult,
  type LinkResult,
  type MergeResult,
  type RecordRef,
  type Reference,
  type ReviewDecision,
  type ReviewItem,
  type ReviewRecord,
  type SplitResult,
  type UnmergeResult,
} from './edit.js';
export { explainCustomer, waterfall, type Explanation, type ExplainedGroup, type ExplainedMerge, type ExplainedRecord, type Waterfall, type WaterfallTerm } from './explain.js';
export { retrain, compareModels, type TrainSummary, type LevelChange } from './retrain.js';
