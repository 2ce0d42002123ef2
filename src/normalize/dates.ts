import type { DateParser, DateParseResult } from './types.js';

/**
 * Strict date parsing with declared formats. Tokens: YYYY, YY, MM, M, DD, D, MMM, HH, H, mm, ss;
 * any other character is literal. "ISO" stands for an ISO-8601 date or date-time.
 * Hand-written instead of a date library: the formats are few and fixed per source, and this
 * is called once or twice per row for millions of rows: each format is compiled once to steps read
 * with charCodeAt (no RegExp, no substrings) and the checks are arithmetic, so a parse costs
 * about 0.1 µs (see the memo note in createDateParser).
 */

const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
// Two-digit years: 00–29 → 2000–2029, 30–99 → 1930–1999.
const YY_PIVOT = 30;
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

type Field = 'year' | 'yy' | 'month' | 'day' | 'hour' | 'minute' | 'second';

/** One step of a compiled format: a number of 1–4 digits, the month name, a literal, or spaces. */
type Step =
  | { kind: 'num'; field: Field; min: number; max: number }
  | { kind: 'mon' }
  | { kind: 'lit'; code: number }
  | { kind: 'space' };

const TOKENS: readonly [string, Step][] = [
  // Longest first, so "MMM" is not read as "MM" + "M".
  ['YYYY', { kind: 'num', field: 'year', min: 4, max: 4 }],
  ['MMM', { kind: 'mon' }],
  ['YY', { kind: 'num', field: 'yy', min: 2, max: 2 }],
  ['MM', { kind: 'num', field: 'month', min: 2, max: 2 }],
  ['DD', { kind: 'num', field: 'day', min: 2, max: 2 }],
  ['HH', { kind: 'num', field: 'hour', min: 2, max: 2 }],
  ['mm', { kind: 'num', field: 'minute', min: 2, max: 2 }],
  ['ss', { kind: 'num', field: 'second', min: 2, max: 2 }],
  ['M', { kind: 'num', field: 'month', min: 1, max: 2 }],
  ['D', { kind: 'num', field: 'day', min: 1, max: 2 }],
  ['H', { kind: 'num', field: 'hour', min: 1, max: 2 }],
];

interface Matcher {
  format: string;
  steps: Step[];
  hasTime: boolean;
  /** For formats of fixed-width numbers and one-character literals ("MM/DD/YYYY"): the layout. */
  fixed: FixedLayout | null;
}

interface FixedLayout {
  length: number;
  numbers: { at: number; width: number; field: Field }[];
  literals: { at: number; code: number }[];
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Compiles a format to steps read with charCodeAt: no RegExp, no substrings. Numbers are read
 * greedily, so a variable-width token (M, D, H) must be followed by a separator.
 */
function compileFormat(format: string): Matcher {
  const steps: Step[] = [];
  let i = 0;
  outer: while (i < format.length) {
    for (const [token, step] of TOKENS) {
      if (format.startsWith(token, i)) {
        steps.push(step);
        i += token.length;
        continue outer;
      }
    }
    steps.push(format[i] === ' ' ? { kind: 'space' } : { kind: 'lit', code: format.charCodeAt(i) });
    i++;
  }
  const hasTime = steps.some((st) => st.kind === 'num' && st.field === 'hour');
  return { format, steps, hasTime, fixed: layoutOf(steps) };
}

function layoutOf(steps: readonly Step[]): FixedLayout | null {
  const layout: FixedLayout = { length: 0, numbers: [], literals: [] };
  for (const st of steps) {
    if (st.kind === 'num' && st.min === st.max) {
      layout.numbers.push({ at: layout.length, width: st.min, field: st.field });
      layout.length += st.min;
    } else if (st.kind === 'lit') {
      layout.literals.push({ at: layout.length, code: st.code });
      layout.length += 1;
    } else {
      return null;
    }
  }
  return layout;
}

/** scan() for a fixed layout: checks the length and literals, then reads digits in place. */
function scanFixed(f: FixedLayout, s: string): Parts | null {
  if (s.length !== f.length) return null;
  for (let i = 0; i < f.literals.length; i++) {
    const lit = f.literals[i]!;
    if (s.charCodeAt(lit.at) !== lit.code) return null;
  }
  const p = scratch;
  p.year = p.month = p.day = p.hour = p.minute = p.second = 0;
  for (let i = 0; i < f.numbers.length; i++) {
    const num = f.numbers[i]!;
    let v = 0;
    for (let j = num.at; j < num.at + num.width; j++) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) return null;
      v = v * 10 + (c - 48);
    }
    setField(p, num.field, v);
  }
  return p;
}

function setField(p: Parts, field: Field, v: number): void {
  switch (field) {
    case 'year': p.year = v; break;
    case 'yy': p.year = v < YY_PIVOT ? 2000 + v : 1900 + v; break;
    case 'month': p.month = v; break;
    case 'day': p.day = v; break;
    case 'hour': p.hour = v; break;
    case 'minute': p.minute = v; break;
    case 'second': p.second = v; break;
  }
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, n) => (n < 10 ? '0' + n : String(n)));

function pad2(n: number): string {
  return PAD2[n] ?? String(n);
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

// "1900-" … "2100-": the year part of every output, without number-to-string conversions.
const YEARS: readonly string[] = Array.from({ length: MAX_YEAR - MIN_YEAR + 1 }, (_, i) => MIN_YEAR + i + '-');

// "01-01" … "12-31", indexed month * 32 + day: the rest of a date in one piece.
const MONTH_DAYS: readonly string[] = Array.from({ length: 13 * 32 }, (_, i) => pad2(i >> 5) + '-' + pad2(i & 31));

function format(p: Parts, hasTime: boolean): string {
  const date = YEARS[p.year - MIN_YEAR]! + MONTH_DAYS[p.month * 32 + p.day]!;
  return hasTime ? date + 'T' + pad2(p.hour) + ':' + pad2(p.minute) + ':' + pad2(p.second) : date;
}

type Attempt = DateParseResult | null; // null: the value does not have this format's shape

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 160;
}

// Reused by scan: parts are read and checked before the next value is scanned.
const scratch: Parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };

/** Reads `s` with the format's steps into `scratch`; null when it does not have the shape. */
function scan(m: Matcher, s: string): Parts | null {
  const p = scratch;
  p.year = p.month = p.day = p.hour = p.minute = p.second = 0;
  let pos = 0;
  const n = s.length;
  for (const step of m.steps) {
    switch (step.kind) {
      case 'num': {
        let v = 0;
        let digits = 0;
        while (digits < step.max && pos < n) {
          const c = s.charCodeAt(pos);
          if (c < 48 || c > 57) break;
          v = v * 10 + (c - 48);
          digits++;
          pos++;
        }
        if (digits < step.min) return null;
        setField(p, step.field, v);
        break;
      }
      case 'mon': {
        const start = pos;
        while (pos < n && pos - start < 9) {
          const c = s.charCodeAt(pos) | 32;
          if (c < 97 || c > 122) break;
          pos++;
        }
        const month = pos - start >= 3 ? MONTHS.get(s.slice(start, pos).toLowerCase()) : undefined;
        if (month === undefined) return null;
        p.month = month;
        if (s.charCodeAt(pos) === 46) pos++; // "Sept."
        break;
      }
      case 'lit':
        if (s.charCodeAt(pos) !== step.code) return null;
        pos++;
        break;
      case 'space':
        if (!isSpace(s.charCodeAt(pos))) return null;
        while (isSpace(s.charCodeAt(pos))) pos++;
        break;
    }
  }
  return pos === n ? p : null;
}

function tryFormat(m: Matcher, s: string, raw: string): Attempt {
  const p = m.fixed !== null ? scanFixed(m.fixed, s) : scan(m, s);
  if (p === null) return null;
  const bad = impossible(p, raw) ?? outOfRange(p, raw);
  if (bad !== null) return { ok: false, reason: bad };
  return m.hasTime ? { ok: true, value: format(p, true) } : dateResult(p);
}

function dateResult(p: Parts): DateParseResult {
  return { ok: true, value: format(p, false) };
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
  if (range !== null) return { ok: false, reason: range };
  return hasTime ? { ok: true, value: format(p, true) } : dateResult(p);
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

  // Memo of the last value only. Larger memos (a Map keyed by the text, a table of results per
  // calendar date) were measured: in the importer's row loop each lookup misses the CPU caches
  // and cost 0.3–0.8 µs a row, several times the parse itself (~0.1 µs). The last value still
  // catches runs of equal values, as in exports sorted by date.
  let lastRaw = '';
  let lastResult: DateParseResult = { ok: false, reason: 'unreadable date ""' };

  return (raw: string): DateParseResult => {
    if (raw === lastRaw) return lastResult;
    lastRaw = raw;
    lastResult = parse(raw);
    return lastResult;
  };

  function parse(raw: string): DateParseResult {
    const s = raw.trim();
    let result: DateParseResult | null = null;
    let firstFailure: DateParseResult | null = null;
    for (let i = 0; i < matchers.length; i++) {
      const m = matchers[i]!;
      const attempt = m === 'ISO' ? tryIso(s, s) : tryFormat(m, s, s);
      if (attempt === null) continue;
      if (attempt.ok) {
        result = attempt;
        break;
      }
      firstFailure ??= attempt;
    }
    return result ?? firstFailure ?? { ok: false, reason: `unreadable date "${s}" (expected ${expected})` };
  }
}
