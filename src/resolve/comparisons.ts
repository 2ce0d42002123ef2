/**
 * Comparisons: one per field, each with graded levels tested best first (exact equality
 * first, so the fuzzy functions run only when needed — PERF-NOTES). Level 0 is "missing on
 * either side" and carries no weight. Every level has a human label for explain.
 * SQL reads two aliases of rs_recs, l and r (see comparisonProjection).
 */
export interface ComparisonLevel {
  label: string;
  /** SQL condition; the last level of each comparison is "anything else" and has none. */
  when?: string;
  /** Exact agreement on a name: weighted by how common the value is. */
  termFrequency?: 'given_name' | 'family_name';
}

export interface Comparison {
  name: string;
  label: string;
  missing: string;
  levels: readonly ComparisonLevel[];
}

const lev = (a: string, b: string, max: number) => `levenshtein_less_equal(${a}, ${b}, ${max}) <= ${max}`;
/** All of a record's values of an identifier column (em, ph): the primary and the others. */
const valuesOf = (t: string, c: 'em' | 'ph') => `(ARRAY[${t}.${c}] || coalesce(${t}.${c}_others, '{}'))`;

/**
 * The two "same identifier" levels of e-mail and phone: held by both (primary or other), then
 * the same but shared (a family inbox, a household landline), which counts for less.
 */
function sameIdentifierLevels(c: 'em' | 'ph', same: string): ComparisonLevel[] {
  const held = `l.${c} = r.${c} OR ((l.${c}_others IS NOT NULL OR r.${c}_others IS NOT NULL) AND ${valuesOf('l', c)} && ${valuesOf('r', c)})`;
  return [
    { label: same, when: `(${held}) AND NOT (l.${c}_shared OR r.${c}_shared)` },
    { label: `${same}, shared by many records`, when: held },
  ];
}

/** Given and family name written the other way round, in both directions ("Hall, Isla" / "Isla Hall"). */
const SWAPPED = `(l.gn = r.fn OR (length(l.gn) > 3 AND ${lev('l.gn', 'r.fn', 1)})) AND (l.fn = r.gn OR (length(l.fn) > 3 AND ${lev('l.fn', 'r.gn', 1)}))`;

export const COMPARISONS: readonly Comparison[] = [
  {
    name: 'given_name',
    label: 'given name',
    missing: 'l.gn IS NULL OR r.gn IS NULL',
    levels: [
      { label: 'exact', when: 'l.gn = r.gn', termFrequency: 'given_name' },
      {
        label: 'same formal name (nickname)',
        when: 'l.gf = r.gf OR ((l.ga IS NOT NULL OR r.ga IS NOT NULL) AND coalesce(l.ga, ARRAY[l.gf]) && coalesce(r.ga, ARRAY[r.gf]))',
      },
      {
        // Two edits when long, or when the first letter agrees (a transposition: "daivd").
        label: 'close spelling',
        when: `length(l.gn) > 1 AND length(r.gn) > 1 AND (${lev('l.gn', 'r.gn', 1)} OR ${lev('l.gf', 'r.gf', 1)}
          OR ((least(length(l.gn), length(r.gn)) >= 6 OR (least(length(l.gn), length(r.gn)) >= 4 AND left(l.gn, 1) = left(r.gn, 1)))
              AND ${lev('l.gn', 'r.gn', 2)}))`,
      },
      { label: 'initial agrees', when: '(length(l.gn) = 1 OR length(r.gn) = 1) AND left(l.gn, 1) = left(r.gn, 1)' },
      {
        label: 'shortened (one starts the other)',
        when: 'least(length(l.gn), length(r.gn)) >= 3 AND (left(l.gn, length(r.gn)) = r.gn OR left(r.gn, length(l.gn)) = l.gn)',
      },
      { label: 'swapped with family name', when: SWAPPED },
      { label: 'different, same initial', when: 'left(l.gf, 1) = left(r.gf, 1)' },
      { label: 'different' },
    ],
  },
  {
    name: 'family_name',
    label: 'family name',
    missing: 'l.fn IS NULL OR r.fn IS NULL',
    levels: [
      { label: 'exact', when: 'l.fn = r.fn', termFrequency: 'family_name' },
      {
        label: 'close spelling',
        when: `${lev('l.fn', 'r.fn', 1)} OR (least(length(l.fn), length(r.fn)) >= 7 AND ${lev('l.fn', 'r.fn', 2)})`,
      },
      {
        label: 'one part of the other (double name)',
        when: `least(length(l.fn), length(r.fn)) >= 3 AND (strpos(l.fn, r.fn) > 0 OR strpos(r.fn, l.fn) > 0)`,
      },
      { label: 'sounds alike', when: 'l.fp = r.fp' },
      { label: 'swapped with given name', when: SWAPPED },
      { label: 'different' },
    ],
  },
  {
    name: 'birth_date',
    label: 'birth date',
    missing: 'l.bd IS NULL OR r.bd IS NULL',
    levels: [
      { label: 'exact', when: 'l.bd = r.bd' },
      {
        label: 'one typo or day/month swapped',
        when: `${lev('l.bd::text', 'r.bd::text', 1)} OR (extract(year FROM l.bd) = extract(year FROM r.bd) AND extract(month FROM l.bd) = extract(day FROM r.bd) AND extract(day FROM l.bd) = extract(month FROM r.bd))`,
      },
      {
        // Two digits inside one part only: 1956-11-26 / 1986-12-26 is father and son, not a typo.
        label: 'two digits differ in one part',
        when: `${lev('l.bd::text', 'r.bd::text', 2)} AND ((extract(year FROM l.bd) = extract(year FROM r.bd))::int
          + (extract(month FROM l.bd) = extract(month FROM r.bd))::int + (extract(day FROM l.bd) = extract(day FROM r.bd))::int) >= 2`,
      },
      { label: 'different' },
    ],
  },
  {
    name: 'email',
    label: 'e-mail',
    missing: 'l.em IS NULL OR r.em IS NULL',
    levels: [
      ...sameIdentifierLevels('em', 'same address'),
      {
        label: 'one typo, or same name at another domain',
        when: `l.em_local = r.em_local OR (l.em_domain = r.em_domain AND ${lev('l.em_local', 'r.em_local', 1)})`,
      },
      { label: 'different' },
    ],
  },
  {
    name: 'phone',
    label: 'phone',
    missing: 'l.ph IS NULL OR r.ph IS NULL',
    levels: [
      ...sameIdentifierLevels('ph', 'same number'),
      { label: 'one digit differs', when: lev('l.ph', 'r.ph', 1) },
      { label: 'different' },
    ],
  },
  {
    name: 'street',
    label: 'street',
    missing: 'l.st IS NULL OR r.st IS NULL',
    levels: [
      { label: 'same street address', when: 'l.st = r.st' },
      // similarity() is the costly one (1.5 µs): run it only when the house numbers agree.
      { label: 'same house number, similar street', when: 'l.hn = r.hn AND similarity(l.st, r.st) >= 0.5' },
      // Only inside one postcode or town: comparing every moved customer's old and new street
      // by trigrams was a third of the comparison time. With the same house number the level
      // above already found the similarity under 0.5, so it is not computed again.
      {
        label: 'similar street, other house number',
        when: 'l.hn IS DISTINCT FROM r.hn AND (l.pc = r.pc OR l.city = r.city) AND similarity(l.st, r.st) >= 0.6',
      },
      { label: 'street and second line swapped', when: 'l.st = r.l2 OR l.l2 = r.st' },
      { label: 'different' },
    ],
  },
  {
    name: 'place',
    label: 'postcode and town',
    missing: '(l.pc IS NULL OR r.pc IS NULL) AND (l.city IS NULL OR r.city IS NULL)',
    levels: [
      { label: 'same postcode', when: 'l.pc = r.pc' },
      { label: 'postcode one typo, same town', when: `${lev('l.pc', 'r.pc', 1)} AND (l.city = r.city OR similarity(l.city, r.city) >= 0.5)` },
      { label: 'same town', when: 'l.city = r.city' },
      {
        label: 'postcode one typo or similar town name',
        when: `${lev('l.pc', 'r.pc', 1)} OR (left(l.city, 1) = left(r.city, 1) AND similarity(l.city, r.city) >= 0.5)`,
      },
      { label: 'different' },
    ],
  },
  {
    name: 'address_line2',
    label: 'address line 2',
    missing: 'l.l2 IS NULL OR r.l2 IS NULL',
    levels: [
      { label: 'same', when: 'l.l2 = r.l2' },
      { label: 'similar', when: 'similarity(l.l2, r.l2) >= 0.5' },
      { label: 'different' },
    ],
  },
  {
    name: 'middle_initial',
    label: 'middle initial',
    missing: 'l.mi IS NULL OR r.mi IS NULL',
    levels: [{ label: 'same', when: 'l.mi = r.mi' }, { label: 'different' }],
  },
  {
    name: 'gender',
    label: 'gender',
    missing: 'l.gender IS NULL OR r.gender IS NULL',
    levels: [{ label: 'same', when: 'l.gender = r.gender' }, { label: 'different' }],
  },
  {
    name: 'name_suffix',
    label: 'generational suffix',
    missing: 'l.sfx IS NULL OR r.sfx IS NULL',
    levels: [{ label: 'same', when: 'l.sfx = r.sfx' }, { label: 'different (Jr / Sr)' }],
  },
];

/** Radix of each comparison in the pattern code: its levels plus "missing". */
export const RADICES: readonly number[] = COMPARISONS.map((c) => c.levels.length + 1);

/** The level of comparison i as a small integer (0 missing, 1 … n best to worst). */
export function levelSql(c: Comparison): string {
  const branches = c.levels.map((level, i) => (level.when === undefined ? `ELSE ${i + 1}` : `WHEN ${level.when} THEN ${i + 1}`));
  return `CASE WHEN ${c.missing} THEN 0 ${branches.join(' ')} END`;
}

/** Pattern code ↔ levels (mixed radix, first comparison least significant). */
export function decodePattern(pattern: number): number[] {
  const levels: number[] = [];
  let rest = pattern;
  for (const radix of RADICES) {
    levels.push(rest % radix);
    rest = Math.floor(rest / radix);
  }
  return levels;
}

export function encodePattern(levels: readonly number[]): number {
  let code = 0;
  for (let i = RADICES.length - 1; i >= 0; i--) code = code * RADICES[i]! + levels[i]!;
  return code;
}

/** SQL computing the pattern from each comparison's level (levelOf(i) is comparison i's level as SQL). */
export function patternSql(levelOf: (i: number) => string): string {
  let multiplier = 1;
  const terms: string[] = [];
  RADICES.forEach((radix, i) => {
    terms.push(multiplier === 1 ? `(${levelOf(i)})` : `(${levelOf(i)}) * ${multiplier}`);
    multiplier *= radix;
  });
  return terms.join(' + ');
}

export const comparisonIndex = (name: string): number => COMPARISONS.findIndex((c) => c.name === name);
