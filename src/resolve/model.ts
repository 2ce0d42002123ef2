import { COMPARISONS, decodePattern } from './comparisons.js';
import type { ResolveConfig } from '../config/index.js';

/**
 * The Fellegi–Sunter model: per comparison level, m = P(level | same person) and
 * u = P(level | different people), plus λ, the share of candidate pairs that match.
 * u comes from random record pairs, m and λ from EM over the candidate pairs' patterns,
 * so no labels are needed.
 */
export interface LevelParameters {
  label: string;
  m: number;
  u: number;
}

export interface MatchModel {
  version: 1;
  /** Share of candidate pairs that match (EM's λ). */
  lambda: number;
  /**
   * Probability that two records drawn at random are one person: the prior for scoring. It
   * goes with u from random pairs (Bayes factors m/u); λ would not, as candidate pairs are not
   * random pairs.
   */
  prior: number;
  comparisons: { name: string; label: string; levels: LevelParameters[] }[];
  /** Records the name term frequencies were counted over. */
  termRecords: { given_name: number; family_name: number };
  iterations: number;
}

export interface PatternCount {
  pattern: number;
  count: number;
}

const FLOOR = 1e-6;
const clamp = (p: number) => Math.min(1 - FLOOR, Math.max(FLOOR, p));

/** u per level from randomly drawn pairs: the level's share among pairs where the field is present. */
export function estimateU(sample: readonly PatternCount[]): number[][] {
  const counts = COMPARISONS.map((c) => new Array<number>(c.levels.length + 1).fill(0));
  for (const { pattern, count } of sample) {
    decodePattern(pattern).forEach((level, i) => (counts[i]![level]! += count));
  }
  return counts.map((levels) => {
    const present = levels.slice(1).reduce((a, b) => a + b, 0);
    // A level never seen among random pairs (exact e-mail, say) gets half a pair's share.
    return levels.map((n, k) => (k === 0 ? 1 : clamp(Math.max(n, 0.5) / Math.max(present, 1))));
  });
}

function initialM(levels: number): number[] {
  // Best level likely among matches, the worst unlikely; EM corrects this quickly.
  const m = [1];
  const rest = levels - 1;
  for (let k = 1; k <= levels; k++) m.push(k === 1 ? 0.8 : k === levels ? 0.02 : (0.18 / Math.max(rest - 1, 1)));
  return m;
}

/**
 * Pseudo-pairs pulling m toward its starting shape: negligible on a real load (hundreds of
 * thousands of pairs) but on a few hundred pairs full of look-alikes (twins, spouses) it keeps
 * EM from deciding that, say, different given names are common among matches.
 */
const M_PRIOR_PAIRS = 30;

/** EM for m and λ with u fixed (as Splink does), over distinct patterns with their counts. */
export function estimateM(
  patterns: readonly PatternCount[],
  u: readonly (readonly number[])[],
  { maxIterations = 100, tolerance = 1e-5, cannotLink = [] as ResolveConfig['cannotLink'] } = {},
): { m: number[][]; lambda: number; iterations: number } {
  // Pairs a cannot-link rule separates are known non-matches: left out of the match side, so
  // look-alikes (twins, spouses) do not teach EM that conflicting names are common in matches.
  const decoded = patterns.map((p) => {
    const levels = decodePattern(p.pattern);
    return { levels, count: p.count, known: cannotLinkReason(levels, cannotLink) !== null };
  });
  const start = COMPARISONS.map((c) => initialM(c.levels.length));
  let m = start;
  let lambda = 0.3;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const sums = COMPARISONS.map((c) => new Array<number>(c.levels.length + 1).fill(0));
    let matchTotal = 0;
    let total = 0;
    for (const { levels, count, known } of decoded) {
      total += count;
      if (known) continue;
      let pm = lambda;
      let pu = 1 - lambda;
      for (let i = 0; i < levels.length; i++) {
        const k = levels[i]!;
        if (k === 0) continue;
        pm *= m[i]![k]!;
        pu *= u[i]![k]!;
      }
      const w = pm / (pm + pu);
      matchTotal += w * count;
      for (let i = 0; i < levels.length; i++) sums[i]![levels[i]!]! += w * count;
    }
    const next = sums.map((levels, i) => {
      const present = levels.slice(1).reduce((a, b) => a + b, 0);
      return levels.map((n, k) => (k === 0 ? 1 : clamp((n + M_PRIOR_PAIRS * start[i]![k]!) / (present + M_PRIOR_PAIRS))));
    });
    const nextLambda = clamp(matchTotal / Math.max(total, 1));
    let change = Math.abs(nextLambda - lambda);
    next.forEach((levels, i) => levels.forEach((v, k) => (change = Math.max(change, Math.abs(v - m[i]![k]!)))));
    m = next;
    lambda = nextLambda;
    if (change < tolerance) break;
  }
  return { m, lambda, iterations };
}

export function buildModel(
  u: readonly (readonly number[])[],
  fit: { m: number[][]; lambda: number; iterations: number },
  population: { records: number; candidatePairs: number },
  termRecords: MatchModel['termRecords'],
): MatchModel {
  // Expected matches among the candidates over all possible pairs (blocking is assumed to
  // find nearly every match, which the blocking report lets a user check).
  const allPairs = Math.max(1, (population.records * (population.records - 1)) / 2);
  const matches = Math.max(1, fit.lambda * population.candidatePairs);
  return {
    version: 1,
    lambda: fit.lambda,
    prior: clamp(Math.min(matches, allPairs / 2) / allPairs),
    iterations: fit.iterations,
    termRecords,
    comparisons: COMPARISONS.map((c, i) => ({
      name: c.name,
      label: c.label,
      levels: c.levels.map((level, k) => ({ label: level.label, m: fit.m[i]![k + 1]!, u: u[i]![k + 1]! })),
    })),
  };
}

export const log2 = Math.log2;
export const probabilityToWeight = (p: number): number => log2(p / (1 - p));
export const weightToProbability = (w: number): number => 1 / (1 + 2 ** -w);

/**
 * Weight of one level (0 for missing). No level outweighs exact agreement: a level rare in
 * both the sample and the candidates (initials, say) would otherwise get its weight from the
 * starting guesses alone.
 */
export function levelWeight(model: MatchModel, comparison: number, level: number): number {
  if (level === 0) return 0;
  const levels = model.comparisons[comparison]!.levels;
  const p = levels[level - 1]!;
  const exact = levels[0]!;
  return Math.min(log2(p.m / p.u), log2(exact.m / exact.u));
}

export function priorWeight(model: MatchModel): number {
  return log2(model.prior / (1 - model.prior));
}

const GIVEN = COMPARISONS.findIndex((c) => c.name === 'given_name');
const DIFFERENT_GIVEN = COMPARISONS[GIVEN]!.levels.length;
const BIRTH = COMPARISONS.findIndex((c) => c.name === 'birth_date');
const EMAIL = COMPARISONS.findIndex((c) => c.name === 'email');
const SUFFIX = COMPARISONS.findIndex((c) => c.name === 'name_suffix');
const DIFFERENT_BIRTH = COMPARISONS[BIRTH]!.levels.length;
const DIFFERENT_SUFFIX = COMPARISONS[SUFFIX]!.levels.length;

/**
 * The cannot-link rules, decided per pattern. Birth dates beyond typo distance, or given names
 * that conflict, keep two records apart unless they share a personal (unshared) e-mail
 * address: a badly mistyped record should not split a person, but twins, spouses and father
 * and son share an address and a landline — no sum of independent weights tells them apart
 * (PERF-NOTES: this is where precision is lost).
 */
export function cannotLinkReason(levels: readonly number[], rules: ResolveConfig['cannotLink']): string | null {
  const personalEmail = levels[EMAIL] === 1;
  if (rules.includes('birth_date') && levels[BIRTH] === DIFFERENT_BIRTH && !personalEmail) return 'birth dates differ';
  if (rules.includes('given_name') && levels[GIVEN] === DIFFERENT_GIVEN && !personalEmail) return 'given names differ';
  if (rules.includes('name_suffix') && levels[SUFFIX] === DIFFERENT_SUFFIX) return 'generational suffixes differ';
  return null;
}

/** The weight of a pattern (without term-frequency adjustments) and its cannot-link reason. */
export function scorePattern(model: MatchModel, pattern: number, rules: ResolveConfig['cannotLink']): { weight: number; cannotLink: string | null } {
  const levels = decodePattern(pattern);
  let weight = priorWeight(model);
  levels.forEach((level, i) => (weight += levelWeight(model, i, level)));
  return { weight, cannotLink: cannotLinkReason(levels, rules) };
}

/** u of the exact level of a name comparison, against which term frequencies adjust. */
export function exactU(model: MatchModel, field: 'given_name' | 'family_name'): number {
  return model.comparisons.find((c) => c.name === field)!.levels[0]!.u;
}
