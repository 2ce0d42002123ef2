import { ExitCode, type ExitCodeValue } from '../errors.js';

/** The checks `golden doctor` runs, in the order it runs them. */
export const CHECKS = ['config', 'database', 'extensions', 'migrations', 'lock', 'files', 'output', 'disk'] as const;
export type CheckName = (typeof CHECKS)[number];

export type Status = 'ok' | 'warn' | 'error';

/** One result line: a passed check, or one problem and what to do about it. */
export interface Finding {
  check: CheckName;
  status: Status;
  message: string;
  /** For errors: the exit code `golden run` would end with on this problem (default usage). */
  exitCode?: ExitCodeValue | undefined;
}

export const ok = (check: CheckName, message: string): Finding => ({ check, status: 'ok', message });
export const warn = (check: CheckName, message: string): Finding => ({ check, status: 'warn', message });
export const fail = (check: CheckName, message: string, exitCode: ExitCodeValue = ExitCode.usage): Finding => ({ check, status: 'error', message, exitCode });

/** One check's result: its problems, or one ok line when it has none. */
export function orOk(check: CheckName, problems: Finding[], message: string): Finding[] {
  return problems.length > 0 ? problems : [ok(check, message)];
}

/**
 * The exit code is the one `golden run` would stop with first: it loads the config before it
 * connects, so a config error (2) comes before an unreachable database (4); any other error is
 * 2 (unreadable file, unwritable folder, full disk, old server, missing extension). Warnings
 * never fail: pending migrations, a glob matching nothing, a run holding the lock are normal.
 */
export function doctorExitCode(findings: readonly Finding[]): ExitCodeValue {
  const errors = findings.filter((f) => f.status === 'error');
  if (errors.length === 0) return ExitCode.ok;
  if (errors.some((f) => f.check === 'config')) return ExitCode.usage;
  if (errors.some((f) => f.exitCode === ExitCode.databaseUnreachable)) return ExitCode.databaseUnreachable;
  return ExitCode.usage;
}

/** `ok    config: …`, `warn  migrations: …`, `error files: …`: one line each. */
export function renderFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.status.padEnd(5)} ${f.check}: ${f.message.replace(/\s*\n\s*/g, '; ')}`).join('\n');
}

export interface DoctorJson {
  checks: { check: CheckName; status: Status; message: string }[];
  /** No errors (warnings allowed). */
  ok: boolean;
}

export function findingsJson(findings: readonly Finding[]): DoctorJson {
  return {
    checks: findings.map(({ check, status, message }) => ({ check, status, message })),
    ok: findings.every((f) => f.status !== 'error'),
  };
}
