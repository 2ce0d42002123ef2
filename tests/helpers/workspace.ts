import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parseConfig, type GoldenConfig, type GoldenConfigInput } from '../../src/config/index.js';
import { REPO } from './cli.js';

/** A temporary folder holding a config and the export files a test writes. */
export class Workspace {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'golden-test-'));

  path(name: string): string {
    return path.join(this.dir, name);
  }

  write(name: string, content: string | Buffer, encoding: 'utf-8' | 'windows-1252' = 'utf-8'): string {
    const file = this.path(name);
    writeFileSync(file, typeof content === 'string' && encoding === 'windows-1252' ? iconv.encode(content, 'win1252') : content);
    return file;
  }

  config(input: GoldenConfigInput): GoldenConfig {
    const text = JSON.stringify(input, null, 2);
    const file = this.write('golden.config.json', text);
    return parseConfig(text, file);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const DEMO_DIR = path.join(REPO, 'fixtures/demo');

/** What `npm run demo` leaves in fixtures/demo (git ignores it): its rejects files and reports. */
export const isDemoOutput = (name: string): boolean => name.endsWith('.rejects.csv') || name === 'reports';

/**
 * A workspace holding a copy of the demo project (fixtures/demo: config and exports), without
 * what an earlier `npm run demo` left there, so every test starts from the checked-in files.
 */
export function demoWorkspace(): Workspace {
  const ws = new Workspace();
  cpSync(DEMO_DIR, ws.dir, { recursive: true, filter: (src) => path.dirname(src) !== DEMO_DIR || !isDemoOutput(path.basename(src)) });
  return ws;
}
