import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataSet, type DataSet } from './helpers.js';

describe('generator determinism', () => {
  let a: DataSet;
  let b: DataSet;
  let c: DataSet;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      makeDataSet({ persons: 800, seed: 7, dirtyRate: 0.01 }),
      makeDataSet({ persons: 800, seed: 7, dirtyRate: 0.01 }),
      makeDataSet({ persons: 800, seed: 8, dirtyRate: 0.01 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b, c].map((d) => d?.cleanup()));
  });

  it('writes the same set of files every time', async () => {
    const names = (await readdir(a.dir)).sort();
    expect(names).toEqual((await readdir(b.dir)).sort());
    expect(names).toEqual([
      'call_centre.csv',
      'card_services.csv',
      'card_transactions.csv',
      'dirty.csv',
      'facts.json',
      'golden.config.json',
      'retail_loyalty.csv',
      'retail_orders.csv',
      'support_tickets.csv',
      'survey_feedback.csv',
      'truth.csv',
      'web_shop.csv',
    ]);
  });

  it('same seed → byte-identical files', async () => {
    for (const name of await readdir(a.dir)) {
      const [x, y] = await Promise.all([readFile(path.join(a.dir, name)), readFile(path.join(b.dir, name))]);
      expect(x.equals(y), name).toBe(true);
    }
  });

  it('another seed → different data', async () => {
    for (const name of ['retail_loyalty.csv', 'card_services.csv', 'web_shop.csv', 'call_centre.csv', 'card_transactions.csv', 'truth.csv']) {
      const [x, y] = await Promise.all([readFile(path.join(a.dir, name)), readFile(path.join(c.dir, name))]);
      expect(x.equals(y), name).toBe(false);
    }
  });

  it('the config does not depend on the seed', async () => {
    const [x, y] = await Promise.all([
      readFile(path.join(a.dir, 'golden.config.json')),
      readFile(path.join(c.dir, 'golden.config.json')),
    ]);
    expect(x.equals(y)).toBe(true);
  });
});
