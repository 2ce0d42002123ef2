/**
 * Two kinds of error: a UserError is something the user can fix (bad flag, bad config, bad
 * file, unreachable database) and carries its exit code; anything else is a bug.
 * Only src/cli/main.ts turns them into process exit codes.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  /** The job finished, but some rows were rejected (see the rejects files). */
  rejects: 3,
  databaseUnreachable: 4,
  locked: 5,
  /** A file could not be imported (e.g. --max-rejects exceeded); its batch was rolled back. */
  inputAborted: 6,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The exit code an error ends the command with: a UserError's own, else internal. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  return error instanceof UserError ? error.exitCode : ExitCode.internal;
}
