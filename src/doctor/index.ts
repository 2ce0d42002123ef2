export { checkExtensions, checkMigrations, checkRunLock, checkServer, migrationFindings, migrationsOfNewDatabase, openFailure, readMigrationStatus, MIN_SERVER_VERSION_NUM, REQUIRED_EXTENSIONS } from './database.js';
export {
  checkConfig,
  checkDiskSpace,
  checkInputFiles,
  checkOutputFolders,
  diskFinding,
  displayPath,
  embeddedNotCreated,
  embeddedState,
  formatBytes,
  outputTargets,
  probeWritable,
  DISK_ERROR_BYTES,
  DISK_WARN_BYTES,
  GiB,
} from './files.js';
export type { DiskPlace, EmbeddedState, OutputTarget, Writability } from './files.js';
export { CHECKS, doctorExitCode, fail, findingsJson, ok, renderFindings, warn } from './findings.js';
export type { CheckName, DoctorJson, Finding, Status } from './findings.js';
