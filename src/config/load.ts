import { readFile } from 'node:fs/promises';
import path from 'node:path';
import stringSimilarity from 'string-similarity';
import type { z } from 'zod';
import { ExitCode, UserError, errorMessage } from '../errors.js';
import { activitySchema, configSchema, sourceSchema, type ParsedConfig } from './schema.js';

/** A validated config plus the folder its relative paths are resolved against. */
export interface GoldenConfig extends ParsedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file: globs and rejectsDir are relative to it. */
  baseDir: string;
}

export const DEFAULT_CONFIG_FILE = 'golden.config.json';

export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<GoldenConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found (create one with `golden init FILE...`)' : errorMessage(error);
    throw new UserError(`config ${file}: ${why}`, ExitCode.usage);
  }
  return parseConfig(text, absolute);
}

/** Validates config text; every problem is reported at once, each naming its key path. */
export function parseConfig(text: string, file: string): GoldenConfig {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UserError(`config ${file}: not valid JSON: ${errorMessage(error)}`, ExitCode.usage);
  }
  const result = configSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${describeIssue(issue, json)}`);
    throw new UserError(
      `config ${file}: ${lines.length} problem${lines.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
      ExitCode.usage,
    );
  }
  return { ...result.data, file, baseDir: path.dirname(file) };
}

function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path);
    return issue.keys
      .map((key) => {
        const hint = allowed.length > 0 ? suggest(key, allowed) : '';
        return `${where ? `${where}.` : ''}${key}: unknown key${hint}`;
      })
      .join('\n  ');
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const got = valueAt(json, issue.path);
    const allowed = issue.values.map((v) => JSON.stringify(v));
    const hint = typeof got === 'string' ? suggest(got, issue.values.map(String)) : '';
    return `${where}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(got)}${hint}`;
  }
  return `${where || '(top level)'}: ${issue.message}`;
}

function formatPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function valueAt(json: unknown, parts: readonly PropertyKey[]): unknown {
  let node = json;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** The keys allowed where an unknown key was found, read off the schema itself. */
function allowedKeysAt(parts: readonly PropertyKey[]): string[] {
  if (parts.length === 0) return Object.keys(configSchema.shape);
  if (parts[0] === 'sources' && parts.length === 2) return Object.keys(sourceSchema.shape);
  if (parts[0] === 'activities' && parts.length === 2) return Object.keys(activitySchema.shape);
  if (parts[0] === 'activities' && parts[2] === 'customer') return Object.keys(activitySchema.shape.customer.shape);
  return [];
}

function suggest(value: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const { bestMatch } = stringSimilarity.findBestMatch(value.toLowerCase(), candidates.map((c) => c.toLowerCase()));
  if (bestMatch.rating < 0.4) return '';
  const original = candidates.find((c) => c.toLowerCase() === bestMatch.target) ?? bestMatch.target;
  return ` (did you mean "${original}"?)`;
}
