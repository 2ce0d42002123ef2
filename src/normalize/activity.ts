import { parseAmount } from './amounts.js';
import { cleanText } from './text.js';
import type { NormalizedActivity, NormalizeOptions, NormalizeResult, RawActivity } from './types.js';

const CURRENCY = /^[A-Z]{3}$/;
const CURRENCY_SYMBOLS: ReadonlyMap<string, string> = new Map([
  ['$', 'USD'], ['US$', 'USD'], ['€', 'EUR'], ['£', 'GBP'], ['¥', 'JPY'], ['₹', 'INR'], ['C$', 'CAD'], ['A$', 'AUD'],
]);
const INTEGER = /^[+-]?\d+(?:\.0+)?$/;

function reject(reason: string): NormalizeResult<NormalizedActivity> {
  return { ok: false, reason };
}

function lower(s: string | undefined): string | null {
  const t = cleanText(s);
  return t === null ? null : t.toLowerCase();
}

/** A score cell: an integer within [min, max] ("4", "4.0"), else the reason it is not. */
function score(raw: string | undefined, min: number, max: number): number | string | null {
  const s = cleanText(raw);
  if (s === null) return null;
  if (!INTEGER.test(s)) return `not a whole number ("${s}")`;
  const n = Math.trunc(+s);
  if (n < min || n > max) return `out of range (${n}, expected ${min}–${max})`;
  return n;
}

/** Date-times are compared at the precision both have: a bare date against the other's date. */
function before(a: string, b: string): boolean {
  return a.length === b.length ? a < b : a.slice(0, 10) < b.slice(0, 10);
}

/**
 * Normalises one activity row (order, transaction, ticket, feedback). `occurred_at` is required;
 * an unreadable date, amount, csat (1–5) or nps (0–10) rejects the row with the reason.
 * `closed_at` before `occurred_at` is kept with an issue. The currency comes from the currency
 * column (upper-case ISO 4217; "$" read as USD there), else from a code or symbol in the amount.
 */
export function normalizeActivity(raw: RawActivity, options: NormalizeOptions): NormalizeResult<NormalizedActivity> {
  const issues: string[] = [];
  const occurredRaw = cleanText(raw.occurred_at?.[0]);
  if (occurredRaw === null) return reject('missing required field occurred_at');
  const occurred = options.parseDate(occurredRaw);
  if (!occurred.ok) return reject(`occurred_at: ${occurred.reason}`);

  let closed: string | null = null;
  const closedRaw = cleanText(raw.closed_at?.[0]);
  if (closedRaw !== null) {
    const c = options.parseDate(closedRaw);
    if (!c.ok) return reject(`closed_at: ${c.reason}`);
    closed = c.value;
    if (before(closed, occurred.value)) issues.push(`closed_at: before occurred_at (${closed} < ${occurred.value})`);
  }

  let amount: string | null = null;
  let amountCurrency: string | null = null;
  const amountRaw = raw.amount?.[0];
  if (amountRaw !== undefined) {
    const a = parseAmount(amountRaw);
    if (a.reason !== null) return reject(`amount: ${a.reason}`);
    amount = a.amount;
    amountCurrency = a.currency;
  }

  let currency: string | null = null;
  const currencyRaw = cleanText(raw.currency?.[0]);
  if (currencyRaw !== null) {
    const upper = currencyRaw.toUpperCase();
    const code = CURRENCY_SYMBOLS.get(upper) ?? upper;
    if (CURRENCY.test(code)) currency = code;
    else issues.push(`currency: invalid (${currencyRaw})`);
  }
  if (currency === null) currency = amountCurrency;
  else if (amountCurrency !== null && amountCurrency !== currency) {
    issues.push(`currency: amount says ${amountCurrency}, currency column says ${currency}`);
  }

  const csat = score(raw.csat?.[0], 1, 5);
  if (typeof csat === 'string') return reject(`csat: ${csat}`);
  const nps = score(raw.nps?.[0], 0, 10);
  if (typeof nps === 'string') return reject(`nps: ${nps}`);

  return {
    ok: true,
    record: {
      occurred_at: occurred.value,
      amount,
      currency,
      channel: lower(raw.channel?.[0]),
      category: cleanText(raw.category?.[0]),
      status: lower(raw.status?.[0]),
      closed_at: closed,
      csat,
      nps,
      description: cleanText(raw.description?.[0]),
      issues,
    },
  };
}
