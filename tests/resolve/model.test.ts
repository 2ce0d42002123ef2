import { describe, expect, it } from 'vitest';
import { COMPARISONS, RADICES, comparisonIndex, decodePattern, encodePattern } from '../../src/resolve/comparisons.js';
import {
  buildModel,
  cannotLinkReason,
  estimateM,
  estimateU,
  levelWeight,
  priorWeight,
  scorePattern,
  type MatchModel,
  type PatternCount,
} from '../../src/resolve/model.js';
import { prng } from './helpers.js';

/**
 * The Fellegi–Sunter model without a database: pattern codes, u from a sample, m and λ by EM
 * on counts generated from a known model, the cannot-link rules and the weights.
 */

const GIVEN = comparisonIndex('given_name');
const FAMILY = comparisonIndex('family_name');
const BIRTH = comparisonIndex('birth_date');
const EMAIL = comparisonIndex('email');
const PHONE = comparisonIndex('phone');
const SUFFIX = comparisonIndex('name_suffix');
const ALL_RULES = ['birth_date', 'given_name', 'name_suffix'] as const;

/** All comparisons missing (level 0) except the ones given. */
function levels(set: Record<number, number> = {}): number[] {
  return COMPARISONS.map((_, i) => set[i] ?? 0);
}

const pattern = (set: Record<number, number>) => encodePattern(levels(set));

/** u (or m) shaped like the estimators' output: index 0 is "missing" (1), then one entry per level. */
function flat(): number[][] {
  return COMPARISONS.map((c) => [1, ...c.levels.map(() => 1 / c.levels.length)]);
}

describe('pattern codes', () => {
  it('round-trips random level vectors within RADICES', () => {
    const random = prng(7);
    const seen = new Set<number>();
    for (let n = 0; n < 2000; n++) {
      const vector = RADICES.map((radix) => Math.floor(random() * radix));
      const code = encodePattern(vector);
      expect(Number.isSafeInteger(code)).toBe(true);
      expect(code).toBeGreaterThanOrEqual(0);
      expect(code).toBeLessThan(RADICES.reduce((a, b) => a * b, 1));
      expect(decodePattern(code)).toEqual(vector);
      seen.add(code);
    }
    // Distinct vectors give distinct codes (2000 random draws over millions of codes).
    expect(seen.size).toBeGreaterThan(1990);
  });

  it('puts the first comparison in the least significant digit and covers the extremes', () => {
    expect(encodePattern(levels())).toBe(0);
    expect(encodePattern(levels({ 0: 1 }))).toBe(1);
    expect(encodePattern(levels({ 1: 1 }))).toBe(RADICES[0]);
    const max = RADICES.map((r) => r - 1);
    expect(encodePattern(max)).toBe(RADICES.reduce((a, b) => a * b, 1) - 1);
    expect(decodePattern(encodePattern(max))).toEqual(max);
    expect(RADICES).toEqual(COMPARISONS.map((c) => c.levels.length + 1));
  });
});

describe('estimateU', () => {
  it('takes each level’s share among pairs where the field is present, ignoring missing ones', () => {
    const sample: PatternCount[] = [
      { pattern: pattern({ [GIVEN]: 1, [FAMILY]: 6 }), count: 3 },
      { pattern: pattern({ [GIVEN]: 8, [FAMILY]: 6 }), count: 6 },
      { pattern: pattern({ [GIVEN]: 7 }), count: 1 },
      // Given name missing: no part of its shares.
      { pattern: pattern({ [FAMILY]: 1 }), count: 990 },
    ];
    const u = estimateU(sample);
    expect(u).toHaveLength(COMPARISONS.length);
    u.forEach((row, i) => expect(row).toHaveLength(RADICES[i]!));
    expect(u[GIVEN]![0]).toBe(1);
    expect(u[GIVEN]![1]).toBeCloseTo(3 / 10, 12);
    expect(u[GIVEN]![8]).toBeCloseTo(6 / 10, 12);
    expect(u[GIVEN]![7]).toBeCloseTo(1 / 10, 12);
    expect(u[FAMILY]![1]).toBeCloseTo(990 / 999, 12);
    expect(u[FAMILY]![6]).toBeCloseTo(9 / 999, 12);
  });

  it('floors levels never seen in the sample above zero', () => {
    const sample: PatternCount[] = [{ pattern: pattern({ [EMAIL]: 4 }), count: 1000 }];
    const u = estimateU(sample);
    for (const k of [1, 2, 3]) {
      expect(u[EMAIL]![k]).toBeGreaterThan(0);
      // Half a pair's share.
      expect(u[EMAIL]![k]).toBeCloseTo(0.5 / 1000, 12);
    }
    // The only level seen is capped below 1.
    expect(u[EMAIL]![4]).toBeLessThan(1);
    expect(u[EMAIL]![4]).toBeGreaterThan(0.999);
    // A comparison never present at all still gets positive, finite u.
    for (const v of u[PHONE]!) {
      expect(v).toBeGreaterThan(0);
      expect(Number.isFinite(v)).toBe(true);
    }
    // Weights from these u stay finite.
    const model = buildModel(u, { m: flat(), lambda: 0.1, iterations: 1 }, { records: 100, candidatePairs: 50 }, { given_name: 1, family_name: 1 });
    for (let k = 1; k <= 4; k++) expect(Number.isFinite(levelWeight(model, EMAIL, k))).toBe(true);
  });
});

describe('estimateM', () => {
  /** A known model over three comparisons, the others missing. */
  const used = [FAMILY, BIRTH, PHONE];
  const trueM: Record<number, number[]> = {
    [FAMILY]: [0.7, 0.1, 0.05, 0.05, 0.02, 0.08],
    [BIRTH]: [0.8, 0.1, 0.05, 0.05],
    [PHONE]: [0.6, 0.05, 0.1, 0.25],
  };
  const trueU: Record<number, number[]> = {
    [FAMILY]: [0.01, 0.02, 0.02, 0.05, 0.001, 0.899],
    [BIRTH]: [0.002, 0.01, 0.05, 0.938],
    [PHONE]: [0.001, 0.004, 0.02, 0.975],
  };
  const lambda = 0.2;
  const N = 1_000_000;

  function uArrays(): number[][] {
    const u = flat();
    for (const i of used) u[i] = [1, ...trueU[i]!];
    return u;
  }

  /** Expected counts of every pattern over the three comparisons: N · (λ ∏m + (1−λ) ∏u). */
  function generated(): PatternCount[] {
    const out: PatternCount[] = [];
    const [a, b, c] = used as [number, number, number];
    for (let x = 1; x <= trueM[a]!.length; x++) {
      for (let y = 1; y <= trueM[b]!.length; y++) {
        for (let z = 1; z <= trueM[c]!.length; z++) {
          const pm = trueM[a]![x - 1]! * trueM[b]![y - 1]! * trueM[c]![z - 1]!;
          const pu = trueU[a]![x - 1]! * trueU[b]![y - 1]! * trueU[c]![z - 1]!;
          out.push({ pattern: pattern({ [a]: x, [b]: y, [c]: z }), count: N * (lambda * pm + (1 - lambda) * pu) });
        }
      }
    }
    return out;
  }

  it('recovers m and λ of the model the pattern counts came from', () => {
    const counts = generated();
    expect(counts.reduce((s, p) => s + p.count, 0)).toBeCloseTo(N, 3);
    const fit = estimateM(counts, uArrays(), { maxIterations: 2000, tolerance: 1e-10, cannotLink: [] });
    expect(fit.iterations).toBeLessThan(2000);
    expect(fit.lambda).toBeCloseTo(lambda, 2);
    for (const i of used) {
      trueM[i]!.forEach((m, k) => expect(fit.m[i]![k + 1], `${COMPARISONS[i]!.name} level ${k + 1}`).toBeCloseTo(m, 2));
      // A distribution over the levels.
      expect(fit.m[i]!.slice(1).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
    // Missing is always 1; unused comparisons keep a distribution too.
    fit.m.forEach((row) => expect(row[0]).toBe(1));
  });

  it('stops at maxIterations', () => {
    const fit = estimateM(generated(), uArrays(), { maxIterations: 3, tolerance: 0 });
    expect(fit.iterations).toBe(3);
  });

  it('treats patterns with a cannot-link reason as non-matches', () => {
    const counts = generated();
    const free = estimateM(counts, uArrays(), { maxIterations: 2000, tolerance: 1e-10, cannotLink: [] });
    const ruled = estimateM(counts, uArrays(), { maxIterations: 2000, tolerance: 1e-10, cannotLink: ['birth_date'] });
    // Without the rule, "birth dates different" is recovered among matches (5 %) …
    expect(free.m[BIRTH]![4]).toBeCloseTo(0.05, 2);
    // … with it, no match pair ever has it: only the pseudo-pairs of the starting guess remain.
    expect(ruled.m[BIRTH]![4]).toBeLessThan(1e-3);
    // Those pairs still count in λ's denominator, and never on the match side.
    expect(ruled.lambda).toBeLessThan(free.lambda);

    // A pattern agreeing on everything but the birth date, alone: a match without the rule …
    const lookAlike: PatternCount[] = [{ pattern: pattern({ [FAMILY]: 1, [PHONE]: 1, [BIRTH]: 4 }), count: 500 }];
    const alone = estimateM(lookAlike, uArrays(), { cannotLink: [] });
    expect(alone.lambda).toBeGreaterThan(0.5);
    // … and never one with it (λ at its floor).
    const known = estimateM(lookAlike, uArrays(), { cannotLink: ['birth_date'] });
    expect(known.lambda).toBeLessThan(1e-5);
    // A personal e-mail in common lifts the rule: the pair counts as a match again.
    const withEmail: PatternCount[] = [{ pattern: pattern({ [FAMILY]: 1, [PHONE]: 1, [BIRTH]: 4, [EMAIL]: 1 }), count: 500 }];
    const u = uArrays();
    u[EMAIL] = [1, 0.0001, 0.001, 0.01, 0.9889];
    expect(estimateM(withEmail, u, { cannotLink: ['birth_date'] }).lambda).toBeGreaterThan(0.5);
  });
});

describe('cannotLinkReason', () => {
  const DIFFERENT_BIRTH = COMPARISONS[BIRTH]!.levels.length;
  const DIFFERENT_GIVEN = COMPARISONS[GIVEN]!.levels.length;
  const SAME_INITIAL = COMPARISONS[GIVEN]!.levels.findIndex((l) => l.label === 'different, same initial') + 1;
  const DIFFERENT_SUFFIX = COMPARISONS[SUFFIX]!.levels.length;

  it('keeps birth dates beyond typo distance apart unless a personal e-mail is shared', () => {
    expect(COMPARISONS[BIRTH]!.levels[DIFFERENT_BIRTH - 1]!.label).toBe('different');
    expect(cannotLinkReason(levels({ [BIRTH]: DIFFERENT_BIRTH }), [...ALL_RULES])).toBe('birth dates differ');
    expect(cannotLinkReason(levels({ [BIRTH]: DIFFERENT_BIRTH, [EMAIL]: 4 }), [...ALL_RULES])).toBe('birth dates differ');
    // A shared inbox is no exception.
    expect(cannotLinkReason(levels({ [BIRTH]: DIFFERENT_BIRTH, [EMAIL]: 2 }), [...ALL_RULES])).toBe('birth dates differ');
    expect(cannotLinkReason(levels({ [BIRTH]: DIFFERENT_BIRTH, [EMAIL]: 1 }), [...ALL_RULES])).toBeNull();
    for (let k = 0; k < DIFFERENT_BIRTH; k++) expect(cannotLinkReason(levels({ [BIRTH]: k }), [...ALL_RULES])).toBeNull();
  });

  it('keeps conflicting given names apart unless a personal e-mail is shared', () => {
    expect(COMPARISONS[GIVEN]!.levels[DIFFERENT_GIVEN - 1]!.label).toBe('different');
    expect(cannotLinkReason(levels({ [GIVEN]: DIFFERENT_GIVEN }), [...ALL_RULES])).toBe('given names differ');
    expect(cannotLinkReason(levels({ [GIVEN]: DIFFERENT_GIVEN, [EMAIL]: 2 }), [...ALL_RULES])).toBe('given names differ');
    expect(cannotLinkReason(levels({ [GIVEN]: DIFFERENT_GIVEN, [EMAIL]: 1 }), [...ALL_RULES])).toBeNull();
    // "different, same initial" and every better level is no conflict.
    expect(SAME_INITIAL).toBe(DIFFERENT_GIVEN - 1);
    for (let k = 0; k < DIFFERENT_GIVEN; k++) expect(cannotLinkReason(levels({ [GIVEN]: k }), [...ALL_RULES])).toBeNull();
  });

  it('keeps different generational suffixes apart, even with a personal e-mail', () => {
    expect(cannotLinkReason(levels({ [SUFFIX]: DIFFERENT_SUFFIX }), [...ALL_RULES])).toBe('generational suffixes differ');
    expect(cannotLinkReason(levels({ [SUFFIX]: DIFFERENT_SUFFIX, [EMAIL]: 1 }), [...ALL_RULES])).toBe('generational suffixes differ');
    expect(cannotLinkReason(levels({ [SUFFIX]: 1 }), [...ALL_RULES])).toBeNull();
    expect(cannotLinkReason(levels({ [SUFFIX]: 0 }), [...ALL_RULES])).toBeNull();
  });

  it('applies only the rules switched on in the config', () => {
    const everything = levels({ [BIRTH]: DIFFERENT_BIRTH, [GIVEN]: DIFFERENT_GIVEN, [SUFFIX]: DIFFERENT_SUFFIX });
    expect(cannotLinkReason(everything, [])).toBeNull();
    expect(cannotLinkReason(everything, ['name_suffix'])).toBe('generational suffixes differ');
    expect(cannotLinkReason(everything, ['given_name'])).toBe('given names differ');
    expect(cannotLinkReason(levels({ [BIRTH]: DIFFERENT_BIRTH }), ['given_name', 'name_suffix'])).toBeNull();
    expect(cannotLinkReason(levels({ [GIVEN]: DIFFERENT_GIVEN }), ['birth_date', 'name_suffix'])).toBeNull();
    expect(cannotLinkReason(levels({ [SUFFIX]: DIFFERENT_SUFFIX }), ['birth_date', 'given_name'])).toBeNull();
  });
});

describe('weights', () => {
  /** A model with given-name m/u chosen so "initial agrees" would outweigh exact agreement. */
  function model(): MatchModel {
    const u = flat();
    const m = flat();
    m[GIVEN] = [1, 0.5, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05];
    u[GIVEN] = [1, 0.01, 0.01, 0.05, 0.0001, 0.01, 0.01, 0.1, 0.809];
    m[FAMILY] = [1, 0.8, 0.05, 0.05, 0.04, 0.01, 0.05];
    u[FAMILY] = [1, 0.02, 0.03, 0.01, 0.04, 0.001, 0.899];
    return buildModel(u, { m, lambda: 0.25, iterations: 9 }, { records: 1000, candidatePairs: 2000 }, { given_name: 900, family_name: 950 });
  }

  it('builds the model from u, the fit and the population', () => {
    const mm = model();
    expect(mm.comparisons.map((c) => c.name)).toEqual(COMPARISONS.map((c) => c.name));
    expect(mm.comparisons[GIVEN]!.levels.map((l) => l.label)).toEqual(COMPARISONS[GIVEN]!.levels.map((l) => l.label));
    expect(mm.comparisons[GIVEN]!.levels[0]).toEqual({ label: 'exact', m: 0.5, u: 0.01 });
    // 0.25 · 2000 expected matches among 1000 · 999 / 2 pairs.
    expect(mm.prior).toBeCloseTo(500 / 499_500, 12);
    expect(mm.lambda).toBe(0.25);
    expect(mm.iterations).toBe(9);
  });

  it('never gives a level more weight than exact agreement', () => {
    const mm = model();
    const exact = Math.log2(0.5 / 0.01);
    expect(levelWeight(mm, GIVEN, 1)).toBeCloseTo(exact, 12);
    // "initial agrees": log2(0.1 / 0.0001) ≈ 10 > exact ≈ 5.6, capped.
    expect(Math.log2(0.1 / 0.0001)).toBeGreaterThan(exact);
    expect(levelWeight(mm, GIVEN, 4)).toBeCloseTo(exact, 12);
    expect(levelWeight(mm, GIVEN, 2)).toBeCloseTo(Math.log2(0.1 / 0.01), 12);
    expect(levelWeight(mm, GIVEN, 8)).toBeCloseTo(Math.log2(0.05 / 0.809), 12);
    for (let k = 1; k <= COMPARISONS[GIVEN]!.levels.length; k++) expect(levelWeight(mm, GIVEN, k)).toBeLessThanOrEqual(exact + 1e-12);
    // Missing carries no weight.
    expect(levelWeight(mm, GIVEN, 0)).toBe(0);
    expect(levelWeight(mm, FAMILY, 0)).toBe(0);
  });

  it('takes the prior weight from model.prior, not λ', () => {
    const mm = model();
    expect(priorWeight(mm)).toBeCloseTo(Math.log2(mm.prior / (1 - mm.prior)), 12);
    expect(priorWeight({ ...mm, prior: 0.5 })).toBeCloseTo(0, 12);
    expect(priorWeight({ ...mm, prior: 0.2 })).toBeCloseTo(-2, 12);
    expect(priorWeight({ ...mm, prior: 0.2, lambda: 0.9 })).toBeCloseTo(-2, 12);
  });

  it('scores a pattern as the prior plus its level weights, with its cannot-link reason', () => {
    const mm = model();
    const random = prng(11);
    for (let n = 0; n < 200; n++) {
      const vector = RADICES.map((radix) => Math.floor(random() * radix));
      const expected = vector.reduce((w, level, i) => w + levelWeight(mm, i, level), priorWeight(mm));
      const scored = scorePattern(mm, encodePattern(vector), [...ALL_RULES]);
      expect(scored.weight).toBeCloseTo(expected, 9);
      expect(scored.cannotLink).toBe(cannotLinkReason(vector, [...ALL_RULES]));
    }
    const exactNames = scorePattern(mm, pattern({ [GIVEN]: 1, [FAMILY]: 1 }), []);
    expect(exactNames.weight).toBeCloseTo(priorWeight(mm) + Math.log2(0.5 / 0.01) + Math.log2(0.8 / 0.02), 9);
    expect(exactNames.cannotLink).toBeNull();
    expect(scorePattern(mm, 0, []).weight).toBeCloseTo(priorWeight(mm), 12);
    const conflict = scorePattern(mm, pattern({ [GIVEN]: 8, [FAMILY]: 1 }), ['given_name']);
    expect(conflict.cannotLink).toBe('given names differ');
  });
});
