import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * While activity files are parsed beside resolve, a nightly job's session yields the cores to
 * the database (Linux autogroups). Checked in child processes, each in a session of its own:
 * the compiled module (npm test builds it first), as golden runs it.
 */
const MODULE = new URL('../../dist/pipeline/yield-cpu.js', import.meta.url).href;
const SCRIPT = `import(${JSON.stringify(MODULE)}).then((m) => {
  const before = m.autogroupNice();
  const restore = m.yieldCpuToDatabase();
  const during = m.autogroupNice();
  restore();
  console.log(JSON.stringify({ before, during, after: m.autogroupNice() }));
});`;

interface Seen {
  before: number;
  during: number;
  after: number;
}

const seen = (command: string, args: string[]): Seen => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Seen;
};

describe.runIf(existsSync('/proc/self/autogroup'))('yieldCpuToDatabase', () => {
  it('lowers the priority of a session without a terminal (cron, systemd, setsid) and restores it', () => {
    const s = seen('setsid', ['-w', process.execPath, '-e', SCRIPT]);
    expect(s.before).toBeLessThan(19);
    expect(s.during).toBe(19);
    // Raising it again needs privileges; without them the session keeps it until it ends.
    expect(s.after).toBe(process.getuid?.() === 0 ? s.before : 19);
  });

  it('leaves a session with a terminal as it is (a user at a shell)', () => {
    // script gives the child a terminal of its own, as a login shell has.
    const s = seen('script', ['-qec', `${process.execPath} -e '${SCRIPT.replace(/'/g, "'\\''")}'`, '/dev/null']);
    expect(s.during).toBe(s.before);
    expect(s.after).toBe(s.before);
  });
});
