import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GOLDEN = fileURLToPath(new URL('../../bin/golden', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would (npm test builds it first), without DATABASE_URL unless
 * given. `onStderr` sees the stderr so far as it grows, with the process id (to signal it).
 */
export function golden(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; onStderr?: (stderr: string, pid: number) => void } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, GOLDEN_DB: undefined, CI: 'true', ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GOLDEN, ...args], { cwd: options.cwd ?? REPO, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child.pid!);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
