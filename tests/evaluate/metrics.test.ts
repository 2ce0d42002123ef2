import { describe, expect, it } from 'vitest';
import { bcubedScores, Contingency, falseMerges, missedLinks, pairs, pairwiseScores } from '../../src/evaluate/metrics.js';

/** Customer 1 holds A, A, B; customer 2 holds the other B; customer 3 holds C alone. */
const mixed = () =>
  Contingency.from<number, string>([
    [1, 'A'],
    [1, 'A'],
    [1, 'B'],
    [2, 'B'],
    [3, 'C'],
  ]);

describe('pairwise scores', () => {
  it('counts pairs by cell, cluster and entity (worked by hand)', () => {
    // Same cluster: (r1,r2) (r1,r3) (r2,r3) = 3; same entity: (r1,r2) (r3,r4) = 2; both: (r1,r2) = 1.
    const s = pairwiseScores(mixed());
    expect(s).toMatchObject({ truePositives: 1, predictedPairs: 3, truePairs: 2 });
    expect(s.precision).toBeCloseTo(1 / 3, 12);
    expect(s.recall).toBeCloseTo(1 / 2, 12);
    expect(s.f1).toBeCloseTo(0.4, 12); // 2·(1/3)(1/2) / (1/3 + 1/2)
  });

  it('is perfect when clusters equal entities', () => {
    const s = pairwiseScores(Contingency.from([[7, 'x'], [7, 'x'], [7, 'x'], [8, 'y'], [8, 'y']]));
    expect(s).toEqual({ precision: 1, recall: 1, f1: 1, truePositives: 4, predictedPairs: 4, truePairs: 4 });
  });

  it('gives precision 1 and recall 1 when there are no pairs at all (singletons)', () => {
    const s = pairwiseScores(Contingency.from([[1, 'a'], [2, 'b'], [3, 'c']]));
    expect(s).toEqual({ precision: 1, recall: 1, f1: 1, truePositives: 0, predictedPairs: 0, truePairs: 0 });
  });

  it('scores everything lumped together against singletons as precision 0, recall 1', () => {
    const s = pairwiseScores(Contingency.from([[1, 'a'], [1, 'b'], [1, 'c']]));
    expect(s).toEqual({ precision: 0, recall: 1, f1: 0, truePositives: 0, predictedPairs: 3, truePairs: 0 });
  });

  it('scores singletons against one entity as precision 1, recall 0', () => {
    const s = pairwiseScores(Contingency.from([[1, 'a'], [2, 'a']]));
    expect(s).toEqual({ precision: 1, recall: 0, f1: 0, truePositives: 0, predictedPairs: 0, truePairs: 1 });
  });

  it('scores an empty table as perfect', () => {
    expect(pairwiseScores(new Contingency())).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(bcubedScores(new Contingency())).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it('counts the pairs of big clusters without enumerating them', () => {
    const table = new Contingency<number, number>();
    for (let i = 0; i < 200_000; i++) table.add(i % 2, i % 4); // clusters {0,2},{1,3} of entities
    const s = pairwiseScores(table);
    expect(s.predictedPairs).toBe(2 * pairs(100_000));
    expect(s.truePairs).toBe(4 * pairs(50_000));
    expect(s.truePositives).toBe(s.truePairs);
    expect(s.recall).toBe(1);
    expect(s.precision).toBeCloseTo(pairs(50_000) / pairs(100_000) * 2, 12);
  });
});

describe('B-cubed scores', () => {
  it('averages per-record precision and recall (worked by hand)', () => {
    // Precision per record: r1 2/3, r2 2/3, r3 1/3, r4 1, r5 1 → 11/3 over 5 = 11/15.
    // Recall per record:    r1 1,   r2 1,   r3 1/2, r4 1/2, r5 1 → 4 over 5 = 4/5.
    const s = bcubedScores(mixed());
    expect(s.precision).toBeCloseTo(11 / 15, 12);
    expect(s.recall).toBeCloseTo(4 / 5, 12);
    expect(s.f1).toBeCloseTo(88 / 115, 12);
  });

  it('is 1/n precision for one cluster of n distinct entities', () => {
    const s = bcubedScores(Contingency.from([[1, 'a'], [1, 'b'], [1, 'c'], [1, 'd']]));
    expect(s.precision).toBeCloseTo(1 / 4, 12);
    expect(s.recall).toBe(1);
  });

  it('is 1 for singletons against singletons', () => {
    expect(bcubedScores(Contingency.from([[1, 'a'], [2, 'b']]))).toEqual({ precision: 1, recall: 1, f1: 1 });
  });
});

describe('scores from counts agree with enumerating every pair', () => {
  // A seeded generator: the same random clusterings every run.
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  for (let round = 0; round < 5; round++) {
    it(`random clustering ${round + 1}`, () => {
      const records = Array.from({ length: 60 }, () => [random(12), random(15)] as const);
      let tp = 0;
      let predicted = 0;
      let truth = 0;
      let bp = 0;
      let br = 0;
      for (let i = 0; i < records.length; i++) {
        const [ci, ei] = records[i]!;
        const sameCluster = records.filter(([c]) => c === ci);
        const sameEntity = records.filter(([, e]) => e === ei);
        const both = records.filter(([c, e]) => c === ci && e === ei).length;
        bp += both / sameCluster.length;
        br += both / sameEntity.length;
        for (let j = i + 1; j < records.length; j++) {
          const [cj, ej] = records[j]!;
          if (ci === cj) predicted++;
          if (ei === ej) truth++;
          if (ci === cj && ei === ej) tp++;
        }
      }
      const table = Contingency.from(records);
      expect(pairwiseScores(table)).toMatchObject({ truePositives: tp, predictedPairs: predicted, truePairs: truth });
      expect(bcubedScores(table).precision).toBeCloseTo(bp / records.length, 12);
      expect(bcubedScores(table).recall).toBeCloseTo(br / records.length, 12);
    });
  }
});

describe('false merges and missed links', () => {
  it('lists the customer holding two entities, and the entity split over two customers', () => {
    expect(falseMerges(mixed(), 20)).toEqual({
      count: 1,
      top: [{ id: 1, records: 3, parts: [{ id: 'A', records: 2 }, { id: 'B', records: 1 }] }],
    });
    expect(missedLinks(mixed(), 20)).toEqual({
      count: 1,
      top: [{ id: 'B', records: 2, parts: [{ id: 1, records: 1 }, { id: 2, records: 1 }] }],
    });
  });

  it('lists the largest first, up to the limit, and counts them all', () => {
    const table = Contingency.from<number, string>([
      // customer 5: 2 entities, 2 records; customer 6: 3 entities, 4 records; customer 7: 2 entities, 3 records
      [5, 'a'], [5, 'b'],
      [6, 'c'], [6, 'd'], [6, 'd'], [6, 'e'],
      [7, 'f'], [7, 'f'], [7, 'g'],
      [8, 'h'], [8, 'h'], // a clean customer
    ]);
    const merges = falseMerges(table, 2);
    expect(merges.count).toBe(3);
    expect(merges.top.map((m) => [m.id, m.records])).toEqual([[6, 4], [7, 3]]);
    expect(merges.top[0]!.parts).toEqual([{ id: 'd', records: 2 }, { id: 'c', records: 1 }, { id: 'e', records: 1 }]);
    expect(falseMerges(table, 0)).toEqual({ count: 3, top: [] });
    expect(missedLinks(table, 5)).toEqual({ count: 0, top: [] });
  });

  it('finds nothing in a perfect clustering', () => {
    const table = Contingency.from([[1, 'x'], [1, 'x'], [2, 'y']]);
    expect(falseMerges(table, 20).count).toBe(0);
    expect(missedLinks(table, 20).count).toBe(0);
  });
});
