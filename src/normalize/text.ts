/** Text helpers shared by every normaliser: the matching form and whitespace clean-up. */

// Letters NFD does not decompose into base + mark.
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  ø: 'o',
  Ø: 'o',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  œ: 'oe',
  Œ: 'oe',
  ı: 'i',
};
const SPECIAL_RE = /[ßẞæÆøØłŁđĐðÐþÞœŒı]/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_ASCII = /[^\x00-\x7f]/;
const LETTERS_ONLY = /^[A-Za-z0-9]+$/;
// Straight and typographic apostrophes, backtick and acute accent used as one.
const APOSTROPHES = /['\u2018\u2019\u02bc\u0060\u00b4]/g;
const NON_ALNUM_RUN = /[^a-z0-9]+/g;
const WHITESPACE_RUN = /\s+/g;
const NEEDS_COLLAPSE = /\s/;

/**
 * The matching form: lower-case a–z, 0–9 and single spaces. Accents are removed, apostrophes
 * dropped ("O'Brien" → "obrien") and any other run of punctuation or space becomes one space
 * ("Smith-Jones" → "smith jones"). Returns '' when nothing is left.
 */
export function matchForm(s: string): string {
  if (LETTERS_ONLY.test(s)) return s.toLowerCase(); // the common case: one plain word
  let t = s.toLowerCase();
  if (NON_ASCII.test(t)) {
    t = t.replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c).normalize('NFD').replace(COMBINING_MARKS, '');
  }
  return t.replace(APOSTROPHES, '').replace(NON_ALNUM_RUN, ' ').trim();
}

/** Trims and collapses inner whitespace to single spaces; null for nothing left. */
export function cleanText(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = s.trim();
  if (t === '') return null;
  return needsCollapse(t) ? t.replace(WHITESPACE_RUN, ' ') : t;
}

/** Whether `t` has a run of spaces or any whitespace other than a plain space (a loop beats a RegExp here). */
function needsCollapse(t: string): boolean {
  let prevSpace = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return true;
      prevSpace = true;
    } else {
      prevSpace = false;
      if (c < 32 || (c >= 0x80 && NEEDS_COLLAPSE.test(t[i]!))) return true;
    }
  }
  return false;
}

/** `s.split(sep)` for a one-character separator; V8's split is over twice as slow on short strings. */
export function splitOn(s: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = s.indexOf(sep, start);
    if (i < 0) {
      out.push(start === 0 ? s : s.slice(start));
      return out;
    }
    out.push(s.slice(start, i));
    start = i + 1;
  }
}
