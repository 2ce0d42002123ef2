import { NICKNAMES } from './data/names.js';
import type { Rng } from './prng.js';

/**
 * Small, independent distortions that silos apply to a person's true values.
 * Each takes the PRNG explicitly so the call order (and therefore the output) is fixed.
 */

const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'qswz', b: 'vghn', c: 'xdfv', d: 'serfcx', e: 'wsdr', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb',
  i: 'ujko', j: 'huikmn', k: 'jiolm', l: 'kop', m: 'njk', n: 'bhjm', o: 'iklp', p: 'ol',
  q: 'wa', r: 'edft', s: 'awedxz', t: 'rfgy', u: 'yhji', v: 'cfgb', w: 'qase', x: 'zsdc',
  y: 'tghu', z: 'asx',
};

/** One keyboard-style typo: insert, delete, swap two neighbours or replace one character. */
export function typo(value: string, rng: Rng): string {
  if (value.length < 3) return value;
  // Leave the first character alone: people rarely get the initial wrong, and it keeps
  // the typo from turning a name into a different, equally plausible one too often.
  const i = 1 + rng.int(value.length - 1);
  const ch = value[i] as string;
  const lower = ch.toLowerCase();
  const near = KEYBOARD_NEIGHBOURS[lower];
  const neighbour = near ? near[rng.int(near.length)] as string : 'e';
  const cased = ch === lower ? neighbour : neighbour.toUpperCase();
  switch (rng.int(4)) {
    case 0:
      return value.slice(0, i) + cased + value.slice(i);
    case 1:
      return value.slice(0, i) + value.slice(i + 1);
    case 2:
      if (i + 1 < value.length && value[i + 1] !== ch) {
        return value.slice(0, i) + value[i + 1] + ch + value.slice(i + 2);
      }
      return value.slice(0, i) + value.slice(i + 1);
    default:
      return value.slice(0, i) + cased + value.slice(i + 1);
  }
}

/** A nickname for a formal given name, or the name itself when it has none. */
export function nickname(given: string, rng: Rng): string {
  const options = NICKNAMES[given];
  return options ? rng.pick(options) : given;
}

export function hasNickname(given: string): boolean {
  return NICKNAMES[given] !== undefined;
}

const NON_ASCII = /[^\x00-\x7f]/;
const MARKS = /[\u0300-\u036f]/g;
const LIGATURES: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', Æ: 'AE', ø: 'o', Ø: 'O', œ: 'oe', Œ: 'OE' };

/** "José Muñoz" → "Jose Munoz", the way an ASCII-only system stores it. */
export function stripAccents(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  return value
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(/[ßæÆøØœŒ]/g, (ch) => LIGATURES[ch] ?? ch);
}

/** Like stripAccents, but how legacy systems transliterate German umlauts ("Müller" → "Mueller"). */
export function transliterate(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  return stripAccents(value.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/Ü/g, 'Ue').replace(/Ö/g, 'Oe').replace(/Ä/g, 'Ae'));
}

/** Stray spaces from hand entry: doubled inside, or leading / trailing. */
export function extraSpaces(value: string, rng: Rng): string {
  if (value === '') return value;
  const space = value.indexOf(' ');
  switch (rng.int(3)) {
    case 0:
      return space > 0 ? `${value.slice(0, space)}  ${value.slice(space + 1)}` : `${value} `;
    case 1:
      return ` ${value}`;
    default:
      return `${value}  `;
  }
}

/** Lower-case ASCII letters only, for building e-mail local parts. */
export function slug(value: string): string {
  return stripAccents(value).toLowerCase().replace(/[^a-z]/g, '');
}

/** Swaps day and month when both could be a month (the classic US/EU mix-up). */
export function swapDayMonth(y: number, m: number, d: number): [number, number, number] {
  if (d <= 12 && d !== m) return [y, d, m];
  return [y, m, d];
}
