import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ACTIVITIES, type ActivityName } from './activities/specs.js';
import { ActivityWriter, type ActivitySinks } from './activities/writer.js';
import { buildConfig } from './config.js';
import { PLAIN_CSV } from './csv.js';
import { CustomerWriter } from './customers.js';
import { isoDay, parseIsoDay } from './dates.js';
import { buildFacts, CustomerFacts, type Facts } from './facts.js';
import { PersonFactory } from './person.js';
import { Rng } from './prng.js';
import { CsvSink } from './sink.js';
import { SILOS, type SourceName } from './silos/index.js';

export interface GenerateOptions {
  persons: number;
  seed: number;
  outDir: string;
  /** First day of the activity period, YYYY-MM-DD. @default "2023-01-01" */
  startDate?: string;
  /** Last day of the activity period, YYYY-MM-DD. @default "2025-12-31" */
  endDate?: string;
  /** Share of customer records followed by a broken extra row; 0 disables. @default 0.001 */
  dirtyRate?: number;
}

export interface GenerateSummary {
  outDir: string;
  persons: number;
  customerRecords: number;
  dirtyRows: number;
  activityRows: number;
  /** Data rows (without header) and bytes per written CSV file. */
  files: Record<string, { rows: number; bytes: number }>;
  totalBytes: number;
  facts: Facts;
}

export const DEFAULT_START = '2023-01-01';
export const DEFAULT_END = '2025-12-31';
export const DEFAULT_DIRTY_RATE = 0.001;

export const TRUTH_FILE = 'truth.csv';
export const DIRTY_FILE = 'dirty.csv';
export const FACTS_FILE = 'facts.json';
export const CONFIG_FILE = 'golden.config.json';

function checkOptions(o: GenerateOptions): { start: number; end: number; dirtyRate: number } {
  if (!Number.isInteger(o.persons) || o.persons < 1) throw new Error(`persons must be a positive integer, got ${o.persons}`);
  // Unique phone slots per area code (see identifiers.ts) run out above this.
  if (o.persons > 3_900_000) throw new Error(`persons must be at most 3,900,000, got ${o.persons}`);
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  const dirtyRate = o.dirtyRate ?? DEFAULT_DIRTY_RATE;
  if (!(dirtyRate >= 0 && dirtyRate <= 0.5)) throw new Error(`dirtyRate must be between 0 and 0.5, got ${dirtyRate}`);
  const start = parseIsoDay(o.startDate ?? DEFAULT_START);
  const end = parseIsoDay(o.endDate ?? DEFAULT_END);
  // Churned customers need room to be active early and silent for six months.
  if (end - start < 365) throw new Error('the period (startDate … endDate) must span at least a year');
  return { start, end, dirtyRate };
}

/**
 * Writes the four customer silos, the four activity files, truth.csv, dirty.csv, facts.json
 * and golden.config.json into `outDir`. Person by person, streaming: memory does not grow
 * with `persons`. Same options → byte-identical files.
 */
export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const { start, end, dirtyRate } = checkOptions(options);
  const outDir = path.resolve(options.outDir);
  await mkdir(outDir, { recursive: true });

  const file = (name: string): string => path.join(outDir, name);
  const silos = Object.fromEntries(
    SILOS.map((s) => [s.source, new CsvSink(file(s.file), s.dialect, s.header)]),
  ) as Record<SourceName, CsvSink>;
  const activitySinks = Object.fromEntries(
    ACTIVITIES.map((a) => [a.name, new CsvSink(file(a.file), a.dialect, a.header)]),
  ) as ActivitySinks;
  const truth = new CsvSink(file(TRUTH_FILE), PLAIN_CSV, ['source', 'source_key', 'person_id', 'group_kind', 'group_id', 'line_no']);
  const dirty = new CsvSink(file(DIRTY_FILE), PLAIN_CSV, ['file', 'line_no', 'kind']);
  const all = [...Object.values(silos), ...Object.values(activitySinks), truth, dirty];

  const rng = new Rng(options.seed);
  const factory = new PersonFactory(rng, options.persons, end);
  const customerFacts = new CustomerFacts();
  const customers = new CustomerWriter(rng, { silos, truth, dirty }, customerFacts, end, dirtyRate);
  const activities = new ActivityWriter(rng, activitySinks, start, end);

  try {
    for (let id = 1; id <= options.persons; ) {
      const unit = factory.nextUnit(id, options.persons - id + 1);
      const kind = (unit[0] as (typeof unit)[number]).groupKind;
      if (kind !== '') {
        customerFacts.groups[kind].groups++;
        customerFacts.groups[kind].persons += unit.length;
      }
      const memberships = customers.membershipsFor(unit);
      unit.forEach((person, i) => {
        activities.write(customers.write(person, memberships[i] as boolean[]));
      });
      id += unit.length;
      // Back-pressure: stop producing while any file's stream is over its high-water mark.
      for (const sink of all) if (sink.needsDrain) await sink.drain();
    }
  } finally {
    await Promise.all(all.map((s) => s.close()));
  }

  const facts = buildFacts(
    {
      persons: options.persons,
      seed: options.seed,
      startDate: isoDay(start),
      endDate: isoDay(end),
      dirtyRate,
    },
    start,
    customerFacts,
    activities.facts,
    activities.churnCutoff,
  );
  await writeFile(file(CONFIG_FILE), `${JSON.stringify(buildConfig(), null, 2)}\n`);
  await writeFile(file(FACTS_FILE), `${JSON.stringify(facts, null, 2)}\n`);

  const files: GenerateSummary['files'] = {};
  let totalBytes = 0;
  for (const sink of all) {
    const bytes = (await stat(sink.path)).size;
    files[path.basename(sink.path)] = { rows: sink.rows, bytes };
    totalBytes += bytes;
  }
  for (const name of [CONFIG_FILE, FACTS_FILE]) totalBytes += (await stat(file(name))).size;
  const activityNames: ActivityName[] = ACTIVITIES.map((a) => a.name);
  return {
    outDir,
    persons: options.persons,
    customerRecords: Object.values(silos).reduce((n, s) => n + s.rows, 0),
    dirtyRows: customerFacts.dirtyTotal,
    activityRows: activityNames.reduce((n, a) => n + activitySinks[a].rows, 0),
    files,
    totalBytes,
    facts,
  };
}
