/**
 * A cheap "might this word be in the set?" test, run before a Map lookup. A Map.get on a freshly
 * parsed string must first hash it; most words of a name or street line are in none of the
 * small word sets (titles, suffixes, street types …), and this rules them out from the first
 * two letters and the length alone, ignoring case and dots ("Jr." ~ "jr"), with no hashing and
 * no allocation.
 */
export type Prefilter = (word: string) => boolean;

const OTHER = 26; // any character that is not an ASCII letter
const MAX_LEN = 15; // longer words share one length bucket

function letter(c: number): number {
  const l = (c | 32) - 97;
  return l >= 0 && l < 26 ? l : OTHER;
}

function slot(word: string): number {
  const n = word.length;
  if (n >= 2 && word.indexOf('.') < 0) {
    // Usual case, no dots: first two characters and the length.
    return (letter(word.charCodeAt(0)) * 27 + letter(word.charCodeAt(1))) * (MAX_LEN + 1) + (n > MAX_LEN ? MAX_LEN : n);
  }
  let a = -1;
  let b = -1;
  let len = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === 46) continue; // dots do not count
    if (a < 0) a = letter(c);
    else if (b < 0) b = letter(c);
    len++;
  }
  if (len > MAX_LEN) len = MAX_LEN;
  return ((a < 0 ? OTHER : a) * 27 + (b < 0 ? OTHER : b)) * (MAX_LEN + 1) + len;
}

/** Builds the test for a set of words (matched ignoring case and dots, so list each once). */
export function makePrefilter(words: Iterable<string>): Prefilter {
  const bits = new Uint8Array(27 * 27 * (MAX_LEN + 1));
  for (const w of words) bits[slot(w)] = 1;
  return (word) => bits[slot(word)] === 1;
}
