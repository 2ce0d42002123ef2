export { ACTIVITY_FIELDS, ACTIVITY_KINDS, CUSTOMER_FIELDS, ENCODINGS, MULTI_COLUMN_FIELDS, SEGMENT_FIGURES } from './fields.js';
export type { ActivityField, ActivityKind, CustomerField, Encoding, SegmentFigure } from './fields.js';
export { BLOCKING_FIELDS, configSchema, DEFAULT_BLOCKING, SURVIVORSHIP_GROUPS } from './schema.js';
export type { ActivityConfig, BlockingRule, GoldenConfigInput, ReportsConfig, ResolveConfig, SourceConfig } from './schema.js';
export { DEFAULT_CONFIG_FILE, loadConfig, parseConfig } from './load.js';
export type { GoldenConfig } from './load.js';
