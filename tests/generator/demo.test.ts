import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facts } from '../../src/generator/facts.js';
import { DEMO_DIR, isDemoOutput } from '../helpers/workspace.js';
import { makeDataSet, type DataSet } from './helpers.js';

const DEMO = DEMO_DIR;

describe('fixtures/demo', () => {
  let facts: Facts;
  let fresh: DataSet;

  beforeAll(async () => {
    facts = JSON.parse(await readFile(path.join(DEMO, 'facts.json'), 'utf8')) as Facts;
    const { persons, seed, dirtyRate, startDate, endDate } = facts.options;
    fresh = await makeDataSet({ persons, seed, dirtyRate, startDate, endDate });
  });
  afterAll(async () => {
    await fresh?.cleanup();
  });

  it('is what the generator writes today (regenerate it as fixtures/demo/README.md says)', async () => {
    const generated = (await readdir(fresh.dir)).sort();
    const checkedIn = (await readdir(DEMO)).filter((f) => f !== 'README.md' && !isDemoOutput(f)).sort();
    expect(checkedIn).toEqual(generated);
    for (const name of generated) {
      const [a, b] = await Promise.all([readFile(path.join(DEMO, name)), readFile(path.join(fresh.dir, name))]);
      expect(a.equals(b), `fixtures/demo/${name} is stale`).toBe(true);
    }
  });

  it('is small and shows every hard-negative kind and every dirty-row kind', async () => {
    let bytes = 0;
    for (const name of (await readdir(DEMO)).filter((f) => !isDemoOutput(f))) bytes += (await readFile(path.join(DEMO, name))).length;
    expect(bytes).toBeLessThan(200_000);
    expect(facts.persons).toBe(60);
    for (const g of Object.values(facts.groups)) expect(g.groups).toBeGreaterThan(0);
    for (const n of Object.values(facts.dirtyRows.byKind)) expect(n).toBeGreaterThan(0);
  });
});
