import type { GoldenConfigInput } from '../config/schema.js';
import { ACTIVITIES } from './activities/specs.js';
import { SILOS } from './silos/index.js';

/**
 * The golden.config.json written beside the files, built from the same specs the writers
 * use, so the mapping can never drift from the headers actually written.
 */
export function buildConfig(): GoldenConfigInput {
  const sources: GoldenConfigInput['sources'] = {};
  for (const silo of SILOS) {
    sources[silo.source] = {
      businessUnit: silo.businessUnit,
      files: silo.file,
      delimiter: silo.dialect.delimiter,
      quote: '"',
      encoding: silo.dialect.encoding,
      dateFormats: [...silo.dateFormats],
      key: silo.keyColumn,
      priority: silo.priority,
      columns: { ...silo.columns },
    };
  }
  const activities: NonNullable<GoldenConfigInput['activities']> = {};
  for (const a of ACTIVITIES) {
    activities[a.name] = {
      businessUnit: a.businessUnit,
      files: a.file,
      delimiter: a.dialect.delimiter,
      quote: '"',
      encoding: a.dialect.encoding,
      dateFormats: [...a.dateFormats],
      key: a.key,
      kind: a.kind,
      customer: { ...a.customer },
      columns: { ...a.columns },
    };
  }
  return { defaultCountry: 'US', sources, activities };
}
