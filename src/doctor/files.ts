import { randomBytes } from 'node:crypto';
import { access, constants, open, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { loadConfig, type GoldenConfig } from '../config/index.js';
import { UserError, errorMessage } from '../errors.js';
import { fail, ok, orOk, warn, type Finding } from './findings.js';

const errno = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? errorMessage(error);

/** Relative to the working folder when inside it, else absolute (as the database label does). */
export function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith('..') ? relative : absolute;
}

export async function checkConfig(file: string | undefined): Promise<{ config: GoldenConfig | undefined; findings: Finding[] }> {
  try {
    const config = await loadConfig(file);
    const sources = Object.keys(config.sources).length;
    const activities = Object.keys(config.activities).length;
    return { config, findings: [ok('config', `${config.file}: ${sources} source${sources === 1 ? '' : 's'}, ${activities} activity file${activities === 1 ? '' : 's'}`)] };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { config: undefined, findings: configProblems(error.message).map((message) => fail('config', message, error.exitCode)) };
  }
}

/** loadConfig reports every problem at once ("config F: 2 problems", then one indented line each): one finding each. */
function configProblems(message: string): string[] {
  const [first = '', ...rest] = message.split('\n');
  const prefix = /^(config .*): \d+ problems?$/.exec(first)?.[1];
  if (prefix === undefined || rest.length === 0) return [message];
  return rest.map((line) => `${prefix}: ${line.trim()}`);
}

interface FileBlock {
  /** Config path of the block, e.g. sources.web_shop. */
  key: string;
  patterns: string[];
}

function fileBlocks(config: GoldenConfig): FileBlock[] {
  const patterns = (files: string | string[]) => (Array.isArray(files) ? files : [files]);
  return [
    ...Object.entries(config.sources).map(([name, c]) => ({ key: `sources.${name}`, patterns: patterns(c.files) })),
    ...Object.entries(config.activities).map(([name, c]) => ({ key: `activities.${name}`, patterns: patterns(c.files) })),
  ];
}

/**
 * Every `files` pattern should match a file (a warning when none does: a quiet night has no new
 * files, though the old ones usually stay), and every matched file must be readable. Matches
 * the way the importer does (src/importer/plan.ts), rejects files left out.
 */
export async function checkInputFiles(config: GoldenConfig): Promise<{ findings: Finding[]; files: string[] }> {
  const problems: Finding[] = [];
  const all = new Set<string>();
  let patternCount = 0;
  for (const block of fileBlocks(config)) {
    for (const pattern of block.patterns) {
      patternCount++;
      const found = (await glob([pattern], { cwd: config.baseDir, absolute: true, onlyFiles: true })).filter((f) => !f.endsWith('.rejects.csv')).sort();
      if (found.length === 0) {
        problems.push(warn('files', `${block.key}: ${JSON.stringify(pattern)} matches no file in ${config.baseDir} (fine on a quiet night; otherwise check the pattern and the folder)`));
      }
      for (const file of found) {
        if (all.has(file)) continue;
        all.add(file);
        try {
          await access(file, constants.R_OK);
        } catch (error) {
          problems.push(fail('files', `${block.key}: cannot read ${file} (${errno(error)}): give the user running golden read access to it`));
        }
      }
    }
  }
  const files = [...all].sort();
  return {
    findings: orOk('files', problems, `${patternCount} pattern${patternCount === 1 ? '' : 's'} match ${files.length} file${files.length === 1 ? '' : 's'}, all readable`),
    files,
  };
}

/** The folder itself when it exists, else its nearest existing ancestor (where it would be created). */
type Nearest = { path: string; isDirectory: boolean } | { problem: string };

async function nearestExisting(dir: string): Promise<Nearest> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      return { path: current, isDirectory: (await stat(current)).isDirectory() };
    } catch (error) {
      const code = errno(error);
      // ENOTDIR: a file on the way up; the walk reaches it and reports it as not a folder.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { problem: `cannot look at ${current} (${code})` };
    }
    const parent = path.dirname(current);
    if (parent === current) return { problem: 'no part of the path exists' };
    current = parent;
  }
}

/** Creates and removes an empty file: a real write, where access(W_OK) only reads mode bits. */
async function tryTempFile(dir: string): Promise<string | undefined> {
  const temp = path.join(dir, `.golden-doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await (await open(temp, 'wx')).close();
  } catch (error) {
    return errno(error);
  }
  try {
    await rm(temp);
    return undefined;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    return `created a file but could not remove it: ${errno(error)}`;
  }
}

export type Writability = { writable: true; exists: boolean; base: string } | { writable: false; why: string };

/**
 * Whether golden can write into dir without doctor creating it: an existing folder gets a
 * temporary file created and removed; a missing one needs its nearest existing ancestor
 * writable (golden creates the rest).
 */
export async function probeWritable(dir: string): Promise<Writability> {
  const nearest = await nearestExisting(dir);
  if ('problem' in nearest) return { writable: false, why: nearest.problem };
  if (!nearest.isDirectory) return { writable: false, why: `${nearest.path} is a file, not a folder` };
  if (nearest.path === path.resolve(dir)) {
    const problem = await tryTempFile(nearest.path);
    return problem === undefined ? { writable: true, exists: true, base: nearest.path } : { writable: false, why: `cannot create a file in it (${problem})` };
  }
  try {
    await access(nearest.path, constants.W_OK | constants.X_OK);
    return { writable: true, exists: false, base: nearest.path };
  } catch (error) {
    return { writable: false, why: `does not exist, and ${nearest.path} is not writable (${errno(error)}), so it cannot be created` };
  }
}

export interface OutputTarget {
  /** What the folder is for, as the config or flag names it. */
  label: string;
  dir: string;
  /** Rejects beside the input files are written only when a file has bad rows: a warning. */
  besideInputs?: boolean;
}

/**
 * Where golden run writes: the reports folder (--out, relative to the working folder, replaces
 * reports.outDir, relative to the config, as in golden run), and rejectsDir, or without it the
 * folders of the input files, where rejects files then go.
 */
export function outputTargets(config: GoldenConfig, out: string | undefined, inputFiles: readonly string[]): OutputTarget[] {
  const targets: OutputTarget[] = [
    out === undefined
      ? { label: 'reports.outDir', dir: path.resolve(config.baseDir, config.reports.outDir) }
      : { label: '--out', dir: path.resolve(out) },
  ];
  if (config.rejectsDir !== undefined) targets.push({ label: 'rejectsDir', dir: path.resolve(config.baseDir, config.rejectsDir) });
  else for (const dir of new Set(inputFiles.map((f) => path.dirname(f)))) targets.push({ label: 'input folder', dir, besideInputs: true });
  return targets;
}

export async function checkOutputFolders(targets: readonly OutputTarget[]): Promise<Finding[]> {
  const problems: Finding[] = [];
  const fine: string[] = [];
  for (const target of targets) {
    const probe = await probeWritable(target.dir);
    if (probe.writable) {
      fine.push(`${target.label} ${target.dir}${probe.exists ? '' : ` (created by the first run, in ${probe.base})`}`);
    } else if (target.besideInputs) {
      problems.push(
        warn('output', `${target.label} ${target.dir}: ${probe.why}, and without rejectsDir the rejects files go beside the input files: a file with a bad row would fail to import; set rejectsDir in the config, or give the user running golden write access there`),
      );
    } else {
      problems.push(fail('output', `${target.label} ${target.dir}: ${probe.why}: give the user running golden write access there, or point ${target.label} elsewhere`));
    }
  }
  return orOk('output', problems, `writable: ${fine.join(', ')}`);
}

const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
/** Below this much free space golden run may fail to write: an error. */
export const DISK_ERROR_BYTES = 1 * GiB;
/** Below this, a warning: a large import or a growing database can use it up. */
export const DISK_WARN_BYTES = 5 * GiB;

export function formatBytes(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.floor(bytes / MiB)} MiB`;
}

/** The finding for `free` bytes on the file system holding `where`. */
export function diskFinding(where: string, free: number): Finding {
  const amount = formatBytes(free);
  if (free < DISK_ERROR_BYTES) return fail('disk', `only ${amount} free for ${where}: golden run may fail to write; free space (at least 1 GiB, better 5 GiB)`);
  if (free < DISK_WARN_BYTES) return warn('disk', `only ${amount} free for ${where}: free some space (5 GiB or more recommended)`);
  return ok('disk', `${amount} free for ${where}`);
}

export interface DiskPlace {
  label: string;
  dir: string;
}

/**
 * Free space (for unprivileged users: statfs bavail) where golden writes; a folder not created
 * yet is measured at its nearest existing ancestor, and places on one file system share a line.
 */
export async function checkDiskSpace(places: readonly DiskPlace[]): Promise<Finding[]> {
  const byDevice = new Map<number, { base: string; labels: string[] }>();
  const problems: Finding[] = [];
  for (const place of places) {
    const nearest = await nearestExisting(place.dir);
    if ('problem' in nearest) {
      problems.push(warn('disk', `${place.label} ${place.dir}: free space not measured (${nearest.problem})`));
      continue;
    }
    const { dev } = await stat(nearest.path);
    const entry = byDevice.get(dev) ?? { base: nearest.path, labels: [] };
    entry.labels.push(`${place.label} ${place.dir}`);
    byDevice.set(dev, entry);
  }
  const findings: Finding[] = [];
  for (const { base, labels } of byDevice.values()) {
    const fs = await statfs(base);
    findings.push(diskFinding(labels.join(' and '), fs.bavail * fs.bsize));
  }
  return [...findings, ...problems];
}

export type EmbeddedState = 'present' | 'missing' | 'empty' | 'not a folder';

/** Whether an embedded database lives in dir (PG_VERSION marks an initialised data folder). */
export async function embeddedState(dir: string): Promise<EmbeddedState> {
  try {
    await stat(path.join(dir, 'PG_VERSION'));
    return 'present';
  } catch {
    try {
      return (await stat(dir)).isDirectory() ? 'empty' : 'not a folder';
    } catch {
      return 'missing';
    }
  }
}

/**
 * The embedded database is not there yet: opening it would create it, so doctor does not;
 * the first golden run will, if it can. Often a cron job started in another folder.
 */
export async function embeddedNotCreated(dir: string, state: Exclude<EmbeddedState, 'present'>): Promise<Finding[]> {
  const label = `PGlite at ${displayPath(dir)}`;
  if (state === 'not a folder') return [fail('database', `${label}: ${dir} is a file, not a database folder; point --db or GOLDEN_DB at a folder`)];
  const probe = await probeWritable(dir);
  if (!probe.writable) return [fail('database', `${label}: ${probe.why} by the first run: fix the permissions, or point --db or GOLDEN_DB elsewhere`)];
  const what = state === 'empty' ? 'is an empty folder' : 'does not exist yet';
  return [warn('database', `${label} ${what}: the first golden run creates the database (if one was expected here, check --db, GOLDEN_DB and the folder golden runs in)`)];
}
