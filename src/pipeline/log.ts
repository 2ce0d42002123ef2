/**
 * What `golden run` tells its log as it goes: one event per step, with counts and durations.
 * The pipeline only emits; where the lines go and how they look (text or JSON, with or without
 * personal data) is the caller's business (src/cli/log.ts).
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type RunStage = 'run' | 'import' | 'resolve' | 'vacuum' | 'report';

export interface RunEvent {
  level: LogLevel;
  stage: RunStage;
  message: string;
  /** Counts, durations (seconds), file names: never a record's values. */
  fields?: Record<string, string | number | boolean | null | Record<string, number>>;
}

export type RunLog = (event: RunEvent) => void;
