import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { draftConfig } from '../../config/draft.js';
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { sniffCsv } from '../../importer/sniff.js';
import { createDateParser } from '../../normalize/index.js';
import type { GlobalOptions } from '../context.js';
import { printData, say } from '../output.js';

export interface InitOptions extends GlobalOptions {
  out?: string;
}

export default async function initCommand(files: string[], options: InitOptions): Promise<ExitCodeValue> {
  const samples = [];
  for (const file of files) {
    try {
      samples.push({ file, ...(await sniffCsv(file)) });
    } catch (error) {
      throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  const configDir = path.dirname(path.resolve(options.out ?? 'golden.config.json'));
  const draft = draftConfig(samples, configDir, (format, values) => {
    const parse = createDateParser([format]);
    return values.filter((v) => parse(v).ok).length / values.length;
  });
  const text = `${JSON.stringify(draft, null, 2)}\n`;
  if (options.out) {
    await writeFile(options.out, text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(error.code === 'EEXIST' ? `${options.out} exists; not overwritten` : `${options.out}: ${error.message}`);
    });
    say(`wrote ${options.out}: review the ${draft.review?.length ?? 0} notes in "review", then run \`golden import\``);
  } else {
    printData(text);
  }
  return ExitCode.ok;
}
