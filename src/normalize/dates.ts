import { BoundedCache } from './cache.js';
import type { DateParser, DateParseResult } from './types.js';

/**
 * Strict date parsing with declared formats. Tokens: YYYY, YY, MM, M, DD, D, MMM, HH, H, mm, ss;
 * any other character is literal. "ISO" stands for an ISO-8601 date or date-time.
 * Hand-written instead of a date library: the formats are few and fixed per source, and this
 * is called once or twice per row for millions of rows, so each format becomes one precompiled
 * RegExp, the checks are plain arithmetic, and recent results are memoised.
 */

const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
// Two-digit years: 00–29 → 2000–2029, 30–99 → 1930–1999.
const YY_PIVOT = 30;
// Memo size per parser. Small on purpose: it catches values that recur close together (a
// default like 01/01/1900, exports sorted by date); a memo holding every birth date (~40k) was
// measured slower than parsing, because each lookup in a large Map misses the CPU caches.
const DATE_CACHE_SIZE = 4096;

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const MONTHS = new Map<string, number>();
MONTH_NAMES.forEach((name, i) => {
  MONTHS.set(name.toLowerCase(), i + 1);
  MONTHS.set(name.slice(0, 3).toLowerCase(), i + 1);
});
MONTHS.set('sept', 9);

type Field = 'year' | 'yy' | 'month' | 'mon' | 'day' | 'hour' | 'minute' | 'second';

const TOKENS: readonly [string, Field, string][] = [
  // Longest first, so "MMM" is not read as "MM" + "M".
  ['YYYY', 'year', '(\\d{4})'],
  ['MMM', 'mon', '([A-Za-z]{3,9})\\.?'],
  ['YY', 'yy', '(\\d{2})'],
  ['MM', 'month', '(\\d{2})'],
  ['DD', 'day', '(\\d{2})'],
  ['HH', 'hour', '(\\d{2})'],
  ['mm', 'minute', '(\\d{2})'],
  ['ss', 'second', '(\\d{2})'],
  ['M', 'month', '(\\d{1,2})'],
  ['D', 'day', '(\\d{1,2})'],
  ['H', 'hour', '(\\d{1,2})'],
];

interface Matcher {
  format: string;
  re: RegExp;
  fields: Field[]; // capture group i + 1 → field
  hasTime: boolean;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c;
}

function compileFormat(format: string): Matcher {
  let src = '^';
  const fields: Field[] = [];
  let i = 0;
  outer: while (i < format.length) {
    for (const [token, field, pattern] of TOKENS) {
      if (format.startsWith(token, i)) {
        src += pattern;
        fields.push(field);
        i += token.length;
        continue outer;
      }
    }
    const c = format[i]!;
    src += c === ' ' ? '\\s+' : escape(c);
    i++;
  }
  const hasTime = fields.includes('hour');
  return { format, re: new RegExp(src + '$'), fields, hasTime };
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Checks the parts; returns the reason they are impossible, or null. */
function impossible(p: Parts, raw: string): string | null {
  if (p.month < 1 || p.month > 12) return `impossible date ${raw} (no month ${p.month})`;
  if (p.day < 1) return `impossible date ${raw} (no day ${p.day})`;
  const days = daysIn(p.year, p.month);
  if (p.day > days) {
    return `impossible date ${raw} (${MONTH_NAMES[p.month - 1]} has ${days} days in ${p.year})`;
  }
  if (p.hour > 23) return `impossible time ${raw} (hour ${p.hour})`;
  if (p.minute > 59) return `impossible time ${raw} (minute ${p.minute})`;
  if (p.second > 59) return `impossible time ${raw} (second ${p.second})`;
  return null;
}

function outOfRange(p: Parts, raw: string): string | null {
  return p.year < MIN_YEAR || p.year > MAX_YEAR
    ? `date out of range ${raw} (year ${p.year}, expected ${MIN_YEAR}–${MAX_YEAR})`
    : null;
}

function format(p: Parts, hasTime: boolean): string {
  const date = p.year + '-' + pad2(p.month) + '-' + pad2(p.day);
  return hasTime ? date + 'T' + pad2(p.hour) + ':' + pad2(p.minute) + ':' + pad2(p.second) : date;
}

type Attempt = DateParseResult | null; // null: the value does not have this format's shape

function tryFormat(m: Matcher, s: string, raw: string): Attempt {
  const g = m.re.exec(s);
  if (g === null) return null;
  const p: Parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (let i = 0; i < m.fields.length; i++) {
    const v = g[i + 1]!;
    switch (m.fields[i]!) {
      case 'year':
        p.year = +v;
        break;
      case 'yy': {
        const yy = +v;
        p.year = yy < YY_PIVOT ? 2000 + yy : 1900 + yy;
        break;
      }
      case 'month':
        p.month = +v;
        break;
      case 'mon': {
        const month = MONTHS.get(v.toLowerCase());
        if (month === undefined) return null;
        p.month = month;
        break;
      }
      case 'day':
        p.day = +v;
        break;
      case 'hour':
        p.hour = +v;
        break;
      case 'minute':
        p.minute = +v;
        break;
      case 'second':
        p.second = +v;
        break;
    }
  }
  const bad = impossible(p, raw) ?? outOfRange(p, raw);
  return bad !== null ? { ok: false, reason: bad } : { ok: true, value: format(p, m.hasTime) };
}

function tryIso(s: string, raw: string): Attempt {
  const g = ISO.exec(s);
  if (g === null) return null;
  const p: Parts = { year: +g[1]!, month: +g[2]!, day: +g[3]!, hour: 0, minute: 0, second: 0 };
  const hasTime = g[4] !== undefined;
  if (hasTime) {
    p.hour = +g[4]!;
    p.minute = +g[5]!;
    p.second = g[6] === undefined ? 0 : +g[6];
  }
  const bad = impossible(p, raw);
  if (bad !== null) return { ok: false, reason: bad };
  const zone = g[7];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    // "+02:00" means local = UTC + 2h: subtract it to get UTC.
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = sign * (+digits.slice(0, 2) * 60 + (digits.length > 2 ? +digits.slice(2, 4) : 0));
    const t = new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute - offset, p.second));
    p.year = t.getUTCFullYear();
    p.month = t.getUTCMonth() + 1;
    p.day = t.getUTCDate();
    p.hour = t.getUTCHours();
    p.minute = t.getUTCMinutes();
    p.second = t.getUTCSeconds();
  }
  const range = outOfRange(p, raw);
  return range !== null ? { ok: false, reason: range } : { ok: true, value: format(p, hasTime) };
}

/**
 * A parser for one source's date formats, tried in order; the first that reads the value
 * and gives a real date wins. A value that has a format's shape but is impossible
 * ("31/02/2020") is rejected with that reason unless a later format reads it; a value with no
 * format's shape is rejected naming the formats tried. Years outside 1900–2100 are rejected.
 * Offsets in ISO date-times are converted to UTC; fractional seconds are dropped.
 */
export function createDateParser(formats: readonly string[]): DateParser {
  if (formats.length === 0) throw new Error('createDateParser: no formats given');
  const matchers: (Matcher | 'ISO')[] = formats.map((f) => (f === 'ISO' ? 'ISO' : compileFormat(f)));
  const expected = formats.join(' or ');
  const cache = new BoundedCache<DateParseResult>(DATE_CACHE_SIZE);

  return (raw: string): DateParseResult => {
    const hit = cache.get(raw);
    if (hit !== undefined) return hit;
    const s = raw.trim();
    let result: DateParseResult | null = null;
    let firstFailure: DateParseResult | null = null;
    for (const m of matchers) {
      const attempt = m === 'ISO' ? tryIso(s, s) : tryFormat(m, s, s);
      if (attempt === null) continue;
      if (attempt.ok) {
        result = attempt;
        break;
      }
      firstFailure ??= attempt;
    }
    result ??= firstFailure ?? { ok: false, reason: `unreadable date "${s}" (expected ${expected})` };
    cache.set(raw, result);
    return result;
  };
}
