/**
 * Money cells → canonical decimal text, without going through floating point.
 *
 * Separators: when both "," and "." appear, the later one is the decimal point
 * ("1,234.50", "1.234,50"). With only one kind: repeated means thousands ("1,234,567");
 * a single "." is a decimal point; a single "," is a decimal comma unless exactly three digits
 * follow it and the integer part is not 0 ("12,50" → 12.50, "1,234" → 1234). Spaces and
 * apostrophes group thousands ("1 234,50", "1'234.50"). Negative: a leading or trailing
 * "-", or parentheses "(12.00)". Currency codes and symbols before or after the number are
 * read off: € £ ¥ ₹ … and "US$", "C$", "A$" name a currency; a bare "$" does not.
 */
export interface AmountResult {
  amount: string | null; // "-1234.50"
  currency: string | null; // ISO 4217 when the cell names one
  reason: string | null; // why amount is null although the cell was not empty
}

const SYMBOLS: ReadonlyMap<string, string | null> = new Map([
  ['$', null], ['us$', 'USD'], ['usd$', 'USD'], ['c$', 'CAD'], ['ca$', 'CAD'], ['a$', 'AUD'], ['au$', 'AUD'],
  ['nz$', 'NZD'], ['hk$', 'HKD'], ['s$', 'SGD'], ['r$', 'BRL'], ['mx$', 'MXN'],
  ['€', 'EUR'], ['£', 'GBP'], ['¥', 'JPY'], ['₹', 'INR'], ['₩', 'KRW'], ['₽', 'RUB'], ['₪', 'ILS'],
  ['₺', 'TRY'], ['₴', 'UAH'], ['₦', 'NGN'], ['฿', 'THB'], ['₫', 'VND'], ['fr', 'CHF'], ['chf', 'CHF'],
]);

const LEAD = /^(?:([a-z]{0,3}\$|[€£¥₹₩₽₪₺₴₦฿₫])|([a-z]{3})(?![a-z]))\s*/i;
const TRAIL = /\s*(?:([a-z]{0,3}\$|[€£¥₹₩₽₪₺₴₦฿₫])|(?<![a-z])([a-z]{3}))$/i;
const NUMBER = /^[\d.,'\s\u00a0\u202f]*\d[\d.,'\s\u00a0\u202f]*$/;
const GROUPING = /['\s\u00a0\u202f]/g;
const PLAIN_INT = /^\d+$/;
/** The usual cell, "-35.02" or "120": read as it stands (what the rules below make of it too). */
const PLAIN_DECIMAL = /^(-?)([1-9]\d*|0)(\.\d+)?$/;

function fail(raw: string): AmountResult {
  return { amount: null, currency: null, reason: `unreadable amount "${raw}"` };
}

/** Splits "1,234,567" into groups and checks they are thousands groups; returns the digits or null. */
function ungroup(s: string, sep: string): string | null {
  const groups = s.split(sep);
  if (groups[0]!.length < 1 || groups[0]!.length > 3) return null;
  for (let i = 1; i < groups.length; i++) if (groups[i]!.length !== 3) return null;
  return groups.join('');
}

/** Reads one amount cell; see the module comment for the rules. */
export function parseAmount(raw: string): AmountResult {
  // Most cells of a large export: skips the trimming, sign and currency rounds (a worker's 4.9M
  // card transactions spent 1.5 s in here).
  const plain = PLAIN_DECIMAL.exec(raw);
  if (plain !== null) {
    const value = plain[2]! + (plain[3] ?? '');
    const zero = plain[2] === '0' && !/[1-9]/.test(plain[3] ?? '');
    return { amount: plain[1] && !zero ? '-' + value : value, currency: null, reason: null };
  }
  let s = raw.trim();
  if (s === '') return { amount: null, currency: null, reason: null };
  let negative = false;
  let currency: string | null = null;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  // Signs, symbols and codes may sit on either side, in either order: "-$12", "$-12", "12.00- EUR".
  for (let round = 0; round < 3; round++) {
    const before = s;
    if (s.startsWith('-') || s.startsWith('\u2212')) {
      negative = true;
      s = s.slice(1).trimStart();
    } else if (s.startsWith('+')) {
      s = s.slice(1).trimStart();
    }
    if (s.endsWith('-')) {
      negative = true;
      s = s.slice(0, -1).trimEnd();
    }
    const lead = LEAD.exec(s);
    if (lead !== null) {
      currency ??= lead[1] !== undefined ? (SYMBOLS.get(lead[1].toLowerCase()) ?? null) : lead[2]!.toUpperCase();
      if (lead[1] !== undefined && !SYMBOLS.has(lead[1].toLowerCase())) return fail(raw);
      s = s.slice(lead[0].length);
    }
    const trail = TRAIL.exec(s);
    if (trail !== null) {
      currency ??= trail[1] !== undefined ? (SYMBOLS.get(trail[1].toLowerCase()) ?? null) : trail[2]!.toUpperCase();
      if (trail[1] !== undefined && !SYMBOLS.has(trail[1].toLowerCase())) return fail(raw);
      s = s.slice(0, s.length - trail[0].length);
    }
    if (s === before) break;
  }
  if (!NUMBER.test(s)) return fail(raw);
  const t = s.replace(GROUPING, '');
  let int: string | null;
  let frac = '';
  const dot = t.lastIndexOf('.');
  const comma = t.lastIndexOf(',');
  if (dot >= 0 && comma >= 0) {
    const decimal = dot > comma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    const at = Math.max(dot, comma);
    if (t.indexOf(decimal) !== at) return fail(raw);
    int = ungroup(t.slice(0, at), thousands);
    frac = t.slice(at + 1);
  } else if (dot >= 0 || comma >= 0) {
    const sep = dot >= 0 ? '.' : ',';
    const at = Math.max(dot, comma);
    const intPart = t.slice(0, at);
    const after = t.length - at - 1;
    if (t.indexOf(sep) !== at) {
      int = ungroup(t, sep); // several: thousands
    } else if (sep === ',' && after === 3 && intPart !== '' && intPart !== '0') {
      int = ungroup(t, sep); // "1,234"
    } else {
      int = intPart === '' ? '0' : intPart;
      frac = t.slice(at + 1);
    }
  } else {
    int = t;
  }
  if (int === null || !PLAIN_INT.test(int) || (frac !== '' && !PLAIN_INT.test(frac))) return fail(raw);
  int = int.replace(/^0+(?=\d)/, '');
  const value = frac === '' ? int : int + '.' + frac;
  const zero = /^0(?:\.0*)?$/.test(value);
  return { amount: negative && !zero ? '-' + value : value, currency, reason: null };
}
