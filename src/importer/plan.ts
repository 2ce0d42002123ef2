import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { GoldenConfig } from '../config/index.js';
import { UserError, errorMessage } from '../errors.js';
import type { ImportTarget } from './targets.js';

export interface PlanOptions {
  /** Only this source or activity file (by config name). */
  source?: string | undefined;
  /** Explicit files; otherwise every file the config's globs match. */
  files?: readonly string[] | undefined;
}

export interface ImportPlan {
  targets: ImportTarget[];
  /** Explicit files given more than once, and globs that matched nothing. */
  warnings: string[];
}

type Block = { kind: 'customers'; name: string; config: GoldenConfig['sources'][string] } | { kind: 'activities'; name: string; config: GoldenConfig['activities'][string] };

function blocks(config: GoldenConfig, only: string | undefined): Block[] {
  const all: Block[] = [
    ...Object.entries(config.sources).map(([name, c]) => ({ kind: 'customers' as const, name, config: c })),
    ...Object.entries(config.activities).map(([name, c]) => ({ kind: 'activities' as const, name, config: c })),
  ];
  if (only === undefined) return all;
  const picked = all.filter((b) => b.name === only);
  if (picked.length === 0) {
    throw new UserError(`--source ${only}: no such source or activity file in the config (known: ${all.map((b) => b.name).join(', ')})`);
  }
  return picked;
}

async function expand(config: GoldenConfig, block: Block): Promise<string[]> {
  const patterns = Array.isArray(block.config.files) ? block.config.files : [block.config.files];
  const found = await glob(patterns, { cwd: config.baseDir, absolute: true, onlyFiles: true });
  // Never import our own output back in.
  return found.filter((f) => !f.endsWith('.rejects.csv')).sort();
}

/** Works out which file is imported as what. Files are checked for readability up front. */
export async function planImport(config: GoldenConfig, options: PlanOptions): Promise<ImportPlan> {
  const candidates = blocks(config, options.source);
  const warnings: string[] = [];
  const targets: ImportTarget[] = [];
  const seen = new Set<string>();
  const add = (block: Block, file: string) => {
    if (seen.has(file)) {
      warnings.push(`${file}: given more than once; imported once`);
      return;
    }
    seen.add(file);
    targets.push({ ...block, file } as ImportTarget);
  };
  const matches = new Map<Block, Set<string>>();
  for (const block of candidates) matches.set(block, new Set(await expand(config, block)));

  if (options.files && options.files.length > 0) {
    for (const given of options.files) {
      const file = path.resolve(given);
      const owners = candidates.filter((b) => matches.get(b)!.has(file));
      if (owners.length === 0 && candidates.length === 1) owners.push(candidates[0]!);
      if (owners.length !== 1) {
        const why = owners.length === 0 ? "matches no source's files pattern" : `matches several (${owners.map((b) => b.name).join(', ')})`;
        throw new UserError(`${given}: ${why}; name one with --source NAME`);
      }
      add(owners[0]!, file);
    }
  } else {
    for (const block of candidates) {
      const files = [...matches.get(block)!];
      if (files.length === 0) warnings.push(`${block.name}: no file matches ${JSON.stringify(block.config.files)}`);
      for (const file of files) add(block, file);
    }
  }
  const unreadable: string[] = [];
  for (const target of targets) {
    try {
      await access(target.file, constants.R_OK);
      if (!(await stat(target.file)).isFile()) unreadable.push(`${target.file}: cannot read (not a regular file)`);
    } catch (error) {
      unreadable.push(`${target.file}: cannot read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
    }
  }
  if (unreadable.length > 0) throw new UserError(unreadable.join('\n'));
  return { targets, warnings };
}
