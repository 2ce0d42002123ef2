export { checkedKind, checkImport, importAll } from './import-all.js';
export type { ImportOptions, ImportSummary } from './import-all.js';
export { csvRecords, readCsv } from './read-csv.js';
export type { CsvFormat, CsvRecord } from './read-csv.js';
export type { FileResult, FileStatus, ImportProgress, ImportTarget } from './targets.js';
