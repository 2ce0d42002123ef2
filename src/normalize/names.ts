import { BoundedCache } from './cache.js';
import { buildNicknameMap, NICKNAMES } from './nicknames.js';
import { makePrefilter } from './prefilter.js';
import { cleanText, splitOn } from './text.js';

/** A personal name split into its parts, each in display form (null when absent). */
export interface ParsedName {
  title: string | null;
  given: string | null;
  middle: string | null;
  family: string | null;
  suffix: string | null; // "JR" | "SR" | "II" | "III" | "IV"
}

// Lower-case particles that belong to the family name ("van der Berg", "de la Cruz").
const PARTICLES: ReadonlySet<string> = new Set([
  'van', 'von', 'der', 'den', 'de', 'del', 'della', 'dei', 'degli', 'di', 'da', 'das', 'dos', 'du',
  'la', 'le', 'les', 'lo', 'ter', 'ten', 'op', 'y', 'e', 'al', 'el', 'bin', 'ibn', 'af', 'zu',
]);

// "Mac" is only a prefix in these; elsewhere (Mack, Macy, Machado) it is part of the name.
const MAC_NAMES: ReadonlySet<string> = new Set([
  'macdonald', 'macdougall', 'macarthur', 'macaulay', 'macbride', 'maccallum', 'macdowell',
  'macfarlane', 'macgregor', 'macinnes', 'macintosh', 'macintyre', 'mackay', 'mackenzie',
  'mackinnon', 'maclean', 'maclennan', 'macleod', 'macmillan', 'macnamara', 'macneil',
  'macpherson', 'macrae', 'macquarie', 'macewan', 'maclaren', 'macalister', 'macallister',
]);

// Generational numerals inside a name word ("Henry Viii" is not a thing, "III" is).
const ROMAN = /^(?:ii|iii|iv)$/;

// Key: lower-case, dots and spaces removed ("Jr." → "jr", "3rd" → "3rd").
const SUFFIXES: ReadonlyMap<string, string> = new Map([
  ['jr', 'JR'], ['jnr', 'JR'], ['junior', 'JR'],
  ['sr', 'SR'], ['snr', 'SR'], ['senior', 'SR'],
  ['ii', 'II'], ['2nd', 'II'],
  ['iii', 'III'], ['3rd', 'III'],
  ['iv', 'IV'], ['4th', 'IV'],
]);

// Post-nominal letters: dropped from the name, they are not part of any name field.
const CREDENTIALS: ReadonlySet<string> = new Set([
  'phd', 'md', 'dds', 'dmd', 'do', 'dvm', 'esq', 'esquire', 'cpa', 'rn', 'lpn', 'np', 'pa',
  'mba', 'jd', 'llm', 'pe', 'ret', 'obe', 'mbe', 'cbe', 'kbe', 'qc', 'kc', 'msc', 'bsc', 'ma', 'ba',
]);

const TITLES: ReadonlyMap<string, string> = new Map([
  ['mr', 'Mr'], ['mister', 'Mr'], ['mrs', 'Mrs'], ['missus', 'Mrs'], ['ms', 'Ms'], ['miss', 'Miss'],
  ['mx', 'Mx'], ['dr', 'Dr'], ['doctor', 'Dr'], ['prof', 'Prof'], ['professor', 'Prof'],
  ['rev', 'Rev'], ['reverend', 'Rev'], ['fr', 'Fr'], ['father', 'Fr'], ['pastor', 'Pastor'],
  ['sir', 'Sir'], ['dame', 'Dame'], ['lady', 'Lady'], ['lord', 'Lord'], ['hon', 'Hon'],
  ['capt', 'Capt'], ['captain', 'Capt'], ['col', 'Col'], ['maj', 'Maj'], ['lt', 'Lt'],
  ['sgt', 'Sgt'], ['gen', 'Gen'], ['judge', 'Judge'], ['rabbi', 'Rabbi'], ['sister', 'Sister'],
  ['mme', 'Mme'], ['mlle', 'Mlle'], ['herr', 'Herr'], ['frau', 'Frau'], ['sra', 'Sra'], ['srta', 'Srta'],
]);

const NICKNAME_MAP = buildNicknameMap(NICKNAMES);
const MIGHT_BE_NICKNAME = makePrefilter(NICKNAME_MAP.keys());
const MIGHT_BE_AFFIX = makePrefilter([...TITLES.keys(), ...SUFFIXES.keys(), ...CREDENTIALS]);
const MIGHT_BE_PARTICLE = makePrefilter(PARTICLES);

const KEY_STRIP = /[.\s]/g;
const INITIAL = /^\p{L}\.$/u;
const NICKNAME_ASIDE = /\s*(?:\([^)]*\)|"[^"]*"|\u201c[^\u201d]*\u201d)\s*/g;
const PART_SPLIT = /([-'\u2019])/;

/** Lookup key of a token: lower-case, dots and spaces removed ("Jr." → "jr"). */
function key(token: string): string {
  if (token.length > 12) return ''; // longer than any title, suffix or credential
  const lower = token.toLowerCase();
  return lower.includes('.') || lower.includes(' ') ? lower.replace(KEY_STRIP, '') : lower;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** One hyphen/apostrophe-free piece of a lower-cased word. */
function casePiece(piece: string): string {
  if (piece.length > 2 && piece.startsWith('mc')) return 'Mc' + capitalize(piece.slice(2));
  if (MAC_NAMES.has(piece)) return 'Mac' + capitalize(piece.slice(3));
  if (ROMAN.test(piece)) return piece.toUpperCase();
  return capitalize(piece);
}

function caseWord(word: string): string {
  if (!PART_SPLIT.test(word)) return casePiece(word);
  const parts = word.split(PART_SPLIT);
  let out = '';
  for (const part of parts) out += part.length === 1 && PART_SPLIT.test(part) ? part : casePiece(part);
  return out;
}

/**
 * Display case for a name written all in upper or all in lower case: "mcdonald" → "McDonald",
 * "o'brien" → "O'Brien", "SMITH-JONES" → "Smith-Jones", "van der berg" → "van der Berg".
 * A name that already mixes cases ("DeLuca", "van Dyke") was typed with care and is kept.
 */
export function properCase(name: string): string {
  const shape = shapeOf(name);
  if (shape === TITLED) return name;
  if (shape === ONE_CASE) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('mc') && !lower.startsWith('mac')) {
      return ROMAN.test(lower) ? name.toUpperCase() : name.charAt(0).toUpperCase() + lower.slice(1);
    }
  }
  const hit = properCache.get(name);
  if (hit !== undefined) return hit;
  const cased = computeProperCase(name);
  properCache.set(name, cased);
  return cased;
}

const TITLED = 1; // ASCII words, each a capital then lower-case letters: "Smith", "Rob City"
const ONE_CASE = 2; // one ASCII word, all upper or all lower case: "SMITH", "smith"
const OTHER_SHAPE = 3;

/** Classifies a name in one pass over its characters (cheaper than several RegExps). */
function shapeOf(s: string): number {
  const n = s.length;
  if (n === 0) return OTHER_SHAPE;
  let titled = true;
  let allUpper = true;
  let allLower = true;
  let wordStart = true;
  let words = 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      allUpper = false;
      if (wordStart) titled = false;
      wordStart = false;
    } else if (c >= 65 && c <= 90) {
      allLower = false;
      if (!wordStart) titled = false;
      wordStart = false;
    } else if (c === 32) {
      if (wordStart || i === n - 1) return OTHER_SHAPE;
      wordStart = true;
      words++;
    } else {
      return OTHER_SHAPE;
    }
  }
  if (titled) return TITLED;
  return words === 1 && (allUpper || allLower) ? ONE_CASE : OTHER_SHAPE;
}

// Names and street words repeat heavily across rows.
const properCache = new BoundedCache<string>(4096);


function computeProperCase(name: string): string {
  const s = cleanText(name);
  if (s === null) return '';
  const lower = s.toLowerCase();
  if (lower !== s && s.toUpperCase() !== s) return s;
  const words = splitOn(lower, ' ');
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (i > 0) out += ' ';
    // A particle stays lower-case unless it is the last word ("Van" alone is a name).
    out += i < words.length - 1 && MIGHT_BE_PARTICLE(w) && PARTICLES.has(w) ? w : caseWord(w);
  }
  return out;
}

/** "Jr", "jr.", "JUNIOR" → "JR"; "Sr"/"Senior" → "SR"; "II", "III", "IV" (or "3rd") as is; else null. */
export function normalizeSuffix(raw: string): string | null {
  return SUFFIXES.get(key(raw)) ?? null;
}

/** "dr." → "Dr", "MRS" → "Mrs"; an unknown title is kept in display case without its dot. */
export function normalizeTitle(raw: string): string | null {
  const s = cleanText(raw);
  if (s === null) return null;
  const known = TITLES.get(key(s));
  if (known !== undefined) return known;
  const bare = s.replace(/\.$/, '');
  return bare === '' ? null : properCase(bare);
}

/** The formal given name for a nickname, both in matching form: "bill" → "william"; else the input. */
export function formalGivenName(match: string): string {
  return MIGHT_BE_NICKNAME(match) ? (NICKNAME_MAP.get(match) ?? match) : match;
}

/** "M." → "M": initials lose their dot, everything else is kept. */
function tidyToken(token: string): string {
  return token.length === 2 && token.charCodeAt(1) === 46 && INITIAL.test(token) ? token.slice(0, -1) : token;
}

function joinTokens(tokens: readonly string[], from: number, to: number): string | null {
  if (from >= to) return null;
  let out = tidyToken(tokens[from]!);
  for (let i = from + 1; i < to; i++) out += ' ' + tidyToken(tokens[i]!);
  return properCase(out) || null;
}

interface Peeled {
  start: number;
  end: number;
  title: string | null;
  suffix: string | null;
}

/** Finds leading titles and trailing suffixes/credentials, always leaving one name token. */
function peel(tokens: readonly string[], allowTitle: boolean): Peeled {
  let start = 0;
  let end = tokens.length;
  let title: string | null = null;
  let suffix: string | null = null;
  while (allowTitle && end - start > 1) {
    const t = affix(TITLES, tokens[start]!);
    if (t === undefined) break;
    title ??= t;
    start++;
    // "Mr. and Mrs. John Smith": the second title goes too; the first is kept.
    const next = end - start > 2 ? tokens[start]! : '';
    if (((next.length === 3 && next.toLowerCase() === 'and') || next === '&') && affix(TITLES, tokens[start + 1]!) !== undefined) start += 2;
  }
  while (end - start > 1) {
    const token = tokens[end - 1]!;
    const s = affix(SUFFIXES, token);
    if (s !== undefined) suffix ??= s;
    else if (!MIGHT_BE_AFFIX(token) || !CREDENTIALS.has(key(token))) break;
    end--;
  }
  return { start, end, title, suffix };
}

function isParticle(token: string): boolean {
  return MIGHT_BE_PARTICLE(token) && PARTICLES.has(token.toLowerCase());
}

/** Looks a token up in one of the affix tables, skipping the lookup when the prefilter says no. */
function affix(table: ReadonlyMap<string, string>, token: string): string | undefined {
  return MIGHT_BE_AFFIX(token) ? table.get(key(token)) : undefined;
}

/** Words of an already cleaned text part (single spaces; may have spaces at the ends). */
function words(part: string): string[] {
  const t = part.trim();
  return t === '' ? [] : splitOn(t, ' ');
}

function allSuffixes(tokens: readonly string[]): boolean {
  for (const t of tokens) {
    const k = key(t);
    if (!SUFFIXES.has(k) && !CREDENTIALS.has(k)) return false;
  }
  return true;
}

const HAS_ASIDE = /[("\u201c]/;

/**
 * Splits a family-name cell that carries its suffix: "Smith Jr" → { family: "Smith", suffix: "JR" },
 * "Smith, III" → III. Credentials (PhD, MD) are dropped. The family name is in display case.
 */
export function splitFamilySuffix(raw: string): { family: string | null; suffix: string | null } {
  const clean = cleanText(raw.includes(',') ? raw.replace(/,/g, ' ') : raw);
  if (clean === null) return { family: null, suffix: null };
  const tokens = splitOn(clean, ' ');
  const p = peel(tokens, false);
  return { family: joinTokens(tokens, p.start, p.end), suffix: p.suffix };
}

const EMPTY_NAME: ParsedName = { title: null, given: null, middle: null, family: null, suffix: null };

/**
 * Splits a whole name. Understands "LAST, First M.", "Last, First Middle Jr.",
 * "First M. Last", "Dr. First Last Jr", "First Last III", "First Last, Jr." and particles
 * ("Ludwig van Beethoven" → family "van Beethoven"). Without a comma, the first word is the given
 * name, the last word (with any particles before it) the family name, and the words between
 * are the middle name ("Mary Anne Smith-Jones" → given Mary, middle Anne). A single word is
 * taken as the family name, because blocking and matching key on the family name. Nicknames
 * in parentheses or quotes ("Robert (Bob) Smith") are dropped; credentials (PhD, MD) too.
 */
export function parseFullName(raw: string): ParsedName {
  const s = cleanText(HAS_ASIDE.test(raw) ? raw.replace(NICKNAME_ASIDE, ' ') : raw);
  if (s === null) return EMPTY_NAME;
  if (!s.includes(',')) return parseWords(splitOn(s, ' '), null);

  const parts = splitOn(s, ',');
  let n = parts.length;
  let suffix: string | null = null;
  // "John Smith, Jr." / "Smith, John, PhD": trailing comma parts made only of suffixes (or empty).
  while (n > 1) {
    const w = words(parts[n - 1]!);
    if (w.length > 0 && !allSuffixes(w)) break;
    for (const t of w) suffix ??= SUFFIXES.get(key(t)) ?? null;
    n--;
  }
  let famTokens: string[] | null = null;
  let restTokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = words(parts[i]!);
    if (w.length === 0) continue;
    if (famTokens === null) famTokens = w;
    else restTokens = restTokens.length === 0 ? w : restTokens.concat(w);
  }
  if (famTokens === null) return EMPTY_NAME;
  if (restTokens.length === 0) return parseWords(famTokens, suffix);

  // "Last, First Middle [Suffix]": everything after the first comma is the given side.
  const fam = peel(famTokens, true);
  const rest = peel(restTokens, true);
  return {
    title: rest.title ?? fam.title,
    given: joinTokens(restTokens, rest.start, Math.min(rest.start + 1, rest.end)),
    middle: joinTokens(restTokens, rest.start + 1, rest.end),
    family: joinTokens(famTokens, fam.start, fam.end),
    suffix: suffix ?? rest.suffix ?? fam.suffix,
  };
}

/** "First [Middle…] [particles] Last" with optional titles before and suffixes after. */
function parseWords(tokens: readonly string[], commaSuffix: string | null): ParsedName {
  const p = peel(tokens, true);
  const suffix = commaSuffix ?? p.suffix;
  const n = p.end - p.start;
  if (n === 1) {
    return { title: p.title, given: null, middle: null, family: joinTokens(tokens, p.start, p.end), suffix };
  }
  let familyStart = p.end - 1;
  while (familyStart - 1 > p.start && isParticle(tokens[familyStart - 1]!)) familyStart--;
  return {
    title: p.title,
    given: joinTokens(tokens, p.start, p.start + 1),
    middle: joinTokens(tokens, p.start + 1, familyStart),
    family: joinTokens(tokens, familyStart, p.end),
    suffix,
  };
}
