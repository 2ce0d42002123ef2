import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.min.json';
import { matchForm } from './text.js';

/**
 * Phone numbers: libphonenumber-js with its "min" metadata, keeping numbers that pass
 * `isValid()` (with min metadata: the national number pattern of the country, plus the
 * number-type patterns where several countries share a calling code, as in +1), in E.164.
 * Plain `isPossible()` (length only) lets junk like area code 123 through; "max" metadata
 * validates by number type and goes stale as ranges are assigned.
 *
 * Speed: libphonenumber-js builds a RegExp from a string on every pattern test, which puts one
 * parse at 10–17 µs, several times the whole row budget. So inputs made only of digits, spaces,
 * ( ) - . / and a leading + take a fast path that replays the library's own parse steps
 * (IDD prefix, calling code written without +, national prefix for parsing, country choice
 * among countries sharing a calling code, validity) with the same metadata and regexes compiled
 * once. Whatever it does not cover (letters, extensions, national-prefix transform rules,
 * non-geographic codes) goes to the library itself. A test compares both on many inputs.
 */
export interface PhoneResult {
  e164: string | null; // "+12125550123"
  reason: string | null; // why e164 is null: "placeholder", "invalid", …
}

interface TypeInternals {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
/** The parts of libphonenumber-js's Metadata/NumberingPlan classes the fast path reads. */
interface PlanInternals {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(type: string): TypeInternals | undefined;
}
interface MetadataInternals {
  numberingPlan: PlanInternals;
  selectNumberingPlan(countryOrCallingCode: string): void;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  hasCallingCode(callingCode: string): boolean;
}

const TYPES = [
  'FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP',
  'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
] as const;

/** One country's numbering plan with its patterns compiled once. */
interface Plan {
  country: string;
  callingCode: string;
  national: RegExp;
  lengths: readonly number[] | undefined;
  idd: RegExp | null;
  prefix: RegExp | null; // national prefix for parsing, anchored
  transform: boolean;
  leading: RegExp | null;
  types: { re: RegExp; lengths: readonly number[] | undefined }[] | null; // null: country has no types
}

const meta = new Metadata(metadataJson) as unknown as MetadataInternals;
const plans = new Map<string, Plan | null>();
const MIN_NSN = 2; // libphonenumber's MIN_LENGTH_FOR_NSN / MAX_LENGTH_FOR_NSN
const MAX_NSN = 17;

function compile(pattern: string, anchorEnd: boolean): RegExp {
  return new RegExp('^(?:' + pattern + ')' + (anchorEnd ? '$' : ''));
}

/** The plan of a country given in any case ("US", "us"), compiled on first use. */
function planOf(given: string): Plan | null {
  let plan = plans.get(given);
  if (plan !== undefined) return plan;
  plan = null;
  const country = given.toUpperCase();
  try {
    meta.selectNumberingPlan(country);
    const p = meta.numberingPlan;
    const idd = p.IDDPrefix();
    const npfp = p.nationalPrefixForParsing();
    const leading = p.leadingDigits();
    let types: Plan['types'] = null;
    if (p.hasTypes()) {
      types = [];
      for (const t of TYPES) {
        const type = p.type(t);
        // An empty pattern means "same as fixed line" and never matches by itself.
        if (type !== undefined && type.pattern()) {
          types.push({ re: compile(type.pattern(), true), lengths: type.possibleLengths() });
        }
      }
    }
    plan = {
      country,
      callingCode: p.callingCode(),
      national: compile(p.nationalNumberPattern(), true),
      lengths: p.possibleLengths(),
      idd: idd ? compile(idd, false) : null,
      prefix: npfp ? compile(npfp, false) : null,
      transform: Boolean(p.nationalPrefixTransformRule()),
      leading: leading ? compile(leading, false) : null,
      types,
    };
  } catch {
    plan = null; // unknown country
  }
  plans.set(given, plan);
  return plan;
}

const callingCodePlans = new Map<string, readonly Plan[] | null>();
/** The plans of the countries sharing a calling code, main country first; null if non-geographic. */
function plansOf(callingCode: string): readonly Plan[] | null {
  let list = callingCodePlans.get(callingCode);
  if (list === undefined) {
    const countries = meta.hasCallingCode(callingCode) ? meta.getCountryCodesForCallingCode(callingCode) : undefined;
    list = countries === undefined ? null : countries.map(planOf).filter((p): p is Plan => p !== null);
    if (list !== null && list.length === 0) list = null;
    callingCodePlans.set(callingCode, list);
  }
  return list;
}

/** libphonenumber's getNumberType(…) !== undefined. */
function hasType(plan: Plan, nsn: string): boolean {
  const types = plan.types;
  if (types === null || !plan.national.test(nsn)) return false;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    const lengths = t.lengths ?? plan.lengths;
    if ((lengths === undefined || lengths.includes(nsn.length)) && t.re.test(nsn)) return true;
  }
  return false;
}

// Set by countryFor: the country was chosen because a number type matched (so it is valid).
let chosenByType = false;
// The last answer of countryFor: parsing asks twice for the same number (prefix check, then country).
let lastNsn = '';
let lastCandidates: readonly Plan[] | null = null;
let lastPlan: Plan | null = null;
let lastByType = false;

/** libphonenumber's getCountryByCallingCode: the first country whose leading digits or number types fit. */
function countryFor(candidates: readonly Plan[], nsn: string): Plan | null {
  if (candidates.length === 1) {
    chosenByType = false;
    return candidates[0]!;
  }
  if (nsn === lastNsn && candidates === lastCandidates) {
    chosenByType = lastByType;
    return lastPlan;
  }
  let found: Plan | null = null;
  chosenByType = false;
  for (let i = 0; i < candidates.length; i++) {
    const plan = candidates[i]!;
    if (plan.leading !== null) {
      if (plan.leading.test(nsn)) {
        found = plan;
        break;
      }
    } else if (hasType(plan, nsn)) {
      found = plan;
      chosenByType = true;
      break;
    }
  }
  lastNsn = nsn;
  lastCandidates = candidates;
  lastPlan = found;
  lastByType = chosenByType;
  return found;
}

type LengthCheck = 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';
function checkLength(nsn: string, lengths: readonly number[] | undefined): LengthCheck {
  if (lengths === undefined || lengths.length === 0) return 'IS_POSSIBLE';
  const n = nsn.length;
  if (lengths[0]! === n) return 'IS_POSSIBLE';
  if (lengths[0]! > n) return 'TOO_SHORT';
  if (lengths[lengths.length - 1]! < n) return 'TOO_LONG';
  return lengths.indexOf(n, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

/** libphonenumber's extractNationalNumber; null when a transform rule applies (left to the library). */
function extractNational(digits: string, plan: Plan): string | null {
  if (plan.prefix === null) return digits;
  const m = plan.prefix.exec(digits);
  if (m === null) return digits;
  const groups = m.length - 1;
  if (plan.transform && groups > 0 && m[groups]) return null;
  const candidate = digits.slice(m[0].length);
  if (candidate === digits) return digits;
  if (plan.national.test(digits) && !plan.national.test(candidate)) return digits;
  if (plan.lengths !== undefined) {
    const candidates = plansOf(plan.callingCode);
    const exact = candidates === null ? null : countryFor(candidates, candidate);
    const check = checkLength(candidate, (exact ?? plan).lengths);
    if (check === 'TOO_SHORT' || check === 'INVALID_LENGTH') return digits;
  }
  return candidate;
}

const DEFER = 0; // let libphonenumber decide
const INVALID = 1;

/** Decides a national significant number once its calling code is known. */
function finish(callingCode: string, nsn: string, fallback: Plan | null): string | typeof INVALID {
  if (nsn.length < MIN_NSN || nsn.length > MAX_NSN) return INVALID;
  const candidates = plansOf(callingCode);
  if (candidates === null) return INVALID;
  const exact = countryFor(candidates, nsn);
  if (exact !== null && chosenByType) return '+' + callingCode + nsn;
  const plan = exact ?? fallback ?? candidates[0]!;
  const valid = plan.types !== null ? hasType(plan, nsn) : plan.national.test(nsn);
  return valid ? '+' + callingCode + nsn : INVALID;
}

/** "+" + digits: find the calling code (1–3 digits), then the national number. */
function international(digits: string): string | typeof INVALID | typeof DEFER {
  if (digits === '' || digits[0] === '0') return INVALID;
  for (let i = 1; i <= 3 && i <= digits.length; i++) {
    const cc = digits.slice(0, i);
    if (!meta.hasCallingCode(cc)) continue;
    const candidates = plansOf(cc);
    if (candidates === null) return DEFER; // non-geographic (+800, +881 …)
    const nsn = extractNational(digits.slice(i), candidates[0]!);
    return nsn === null ? DEFER : finish(cc, nsn, null);
  }
  return INVALID;
}

/** A number written without "+", read with the default country's plan. */
function fastParse(digits: string, plan: Plan): string | typeof INVALID | typeof DEFER {
  if (plan.idd !== null) {
    const m = plan.idd.exec(digits);
    if (m !== null) {
      const rest = digits.slice(m[0].length);
      if (rest !== '' && rest[0] !== '0') return international(rest);
    }
  }
  const cc = plan.callingCode;
  if (digits.startsWith(cc)) {
    // A number written with its calling code but no "+": the library keeps it national
    // unless only the shorter reading fits or the long one is too long.
    const shorter = extractNational(digits.slice(cc.length), plan);
    const whole = extractNational(digits, plan);
    if (shorter === null || whole === null) return DEFER;
    if ((!plan.national.test(whole) && plan.national.test(shorter)) || checkLength(whole, plan.lengths) === 'TOO_LONG') {
      const main = plansOf(cc)?.[0] ?? plan;
      const nsn = extractNational(digits.slice(cc.length), main);
      return nsn === null ? DEFER : finish(cc, nsn, null);
    }
    return finish(cc, whole, plan);
  }
  const nsn = extractNational(digits, plan);
  return nsn === null ? DEFER : finish(cc, nsn, plan);
}

const PLACEHOLDER_TEXT: ReadonlySet<string> = new Set([
  '', 'n a', 'na', 'none', 'null', 'nil', 'unknown', 'no', 'no phone', 'nophone', 'not provided',
  'not given', 'not available', 'unavailable', 'declined', 'refused', 'x', 'xx', 'xxx', 'tbd',
  'missing', 'blank', 'empty', 'invalid',
]);

/** All one digit (000-000-0000, 999-999-9999) or a straight run (1234567890, 9876543210). */
function isPlaceholderRun(d: string, from: number): boolean {
  const n = d.length - from;
  if (n < 6) return false;
  let same = true;
  let up = n >= 7;
  let down = n >= 7;
  for (let i = from + 1; i < d.length && (same || up || down); i++) {
    const a = d.charCodeAt(i - 1) - 48;
    const b = d.charCodeAt(i) - 48;
    if (b !== a) same = false;
    if (b !== (a + 1) % 10) up = false;
    if (b !== (a + 9) % 10) down = false;
  }
  return same || up || down;
}

/** Checked on all digits and without the first (a country code or trunk prefix: 1-000-000-0000). */
function isPlaceholderDigits(d: string): boolean {
  return isPlaceholderRun(d, 0) || isPlaceholderRun(d, 1);
}

function result(e164: string | null, reason: string | null): PhoneResult {
  return { e164, reason };
}

/** The library alone (no fast path); exported for the equivalence test. */
export function phoneViaLibrary(raw: string, country: string | undefined): string | null {
  const parsed =
    country === undefined
      ? parsePhoneNumberFromString(raw, metadataJson)
      : parsePhoneNumberFromString(raw, country as CountryCode, metadataJson);
  return parsed !== undefined && parsed.isValid() ? parsed.number : null;
}

/**
 * Reads one phone cell into E.164 using `defaultCountry` (ISO alpha-2) for numbers written
 * without a country code. Placeholders (all one digit, 1234567890, "n/a") give reason
 * "placeholder"; numbers libphonenumber-js does not consider valid give "invalid".
 */
export function normalizePhone(raw: string, defaultCountry: string): PhoneResult {
  // Digits are gathered run by run (slices, not one string per character).
  let digits = '';
  let plus = false;
  let plain = true; // only digits and ( ) - . / space, with + before the first digit
  let run = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (run < 0) run = i;
      continue;
    }
    if (run >= 0) {
      digits += raw.slice(run, i);
      run = -1;
    }
    if (c === 43 && digits === '' && !plus) plus = true;
    else if (c !== 32 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 47) plain = false;
  }
  if (run >= 0) digits = digits === '' ? (run === 0 ? raw : raw.slice(run)) : digits + raw.slice(run);
  if (digits === '') {
    return result(null, PLACEHOLDER_TEXT.has(matchForm(raw)) ? 'placeholder' : 'not a phone number');
  }
  if (isPlaceholderDigits(digits)) return result(null, 'placeholder');
  if (digits.length < 4) return result(null, 'too short');
  if (digits.length > 20 || raw.length > 250) return result(null, 'too long');

  const plan = planOf(defaultCountry);
  const country = plan?.country ?? defaultCountry.toUpperCase();
  if (plain) {
    const fast = plus ? international(digits) : plan !== null ? fastParse(digits, plan) : INVALID;
    if (fast === INVALID) return result(null, plan === null && !plus ? `unknown country ${country}` : 'invalid');
    if (fast !== DEFER) return result(fast, null);
  }
  // Unlike the library, an unknown default country still lets "+…" numbers through.
  const e164 = phoneViaLibrary(raw, plan !== null ? country : undefined);
  return e164 === null ? result(null, 'invalid') : result(e164, null);
}
