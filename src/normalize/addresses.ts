import { REGIONS, STREET_WORDS, UNIT_WITHOUT_NUMBER, type StreetWord } from './address-tables.js';
import { normalizeCountry, upperCountryCode } from './countries.js';
import { properCase } from './names.js';
import { makePrefilter } from './prefilter.js';
import { cleanText, matchForm, splitOn } from './text.js';

/** A street line split into its display form, matching form, house number and unit. */
export interface NormalizedStreet {
  street: string | null; // "12 N Main St"
  match: string | null; // "12 n main st"
  houseNumber: string | null; // "12", "12A"
  unit: string | null; // "Apt 4", "Ste 200"
}

/** The parts of a one-line address, each already normalised. */
export interface AddressParts {
  street: string | null;
  streetMatch: string | null;
  houseNumber: string | null;
  unit: string | null;
  city: string | null;
  region: string | null;
  postcode: string | null;
}

const EMPTY_STREET: NormalizedStreet = { street: null, match: null, houseNumber: null, unit: null };
// A house number: digits with an optional letter or range ("12", "12A", "12-14", "1/2"); not an ordinal.
const HOUSE = /^\d+(?:[-/]?[0-9a-z]{1,4})?$/i;
const ORDINAL = /^\d+(?:st|nd|rd|th)$/i;
const HAS_DIGIT = /\d/;
const KEY_STRIP = /\./g;
const PO_BOX = /^(?:p\.?\s?o\.?|post\s+office)\s*box\s*#?\s*(\S+)(.*)$/i;
const SPLIT_HASH = /#(?=\S)/g;

/** Lookup key of a token: lower-case without dots ("St." → "st"). */
function key(token: string): string {
  const lower = token.toLowerCase();
  return lower.includes('.') ? lower.replace(KEY_STRIP, '') : lower;
}

function tokenize(s: string): string[] {
  // Commas separate like spaces; "#12" becomes "# 12" so the designator is its own token.
  let replaced = false;
  if (s.includes(',')) {
    s = s.replace(/,/g, ' ');
    replaced = true;
  }
  if (s.includes('#')) {
    s = s.replace(SPLIT_HASH, '# ');
    replaced = true;
  }
  const tokens = splitOn(s, ' ');
  // Cleaned text has single spaces, so only a replacement can leave empty tokens.
  return replaced || s.startsWith(' ') ? tokens.filter((t) => t !== '') : tokens;
}

// Set by caseToken: the word it returned is plain ASCII letters and digits.
let tokenPlain = true;

/** Display case for one word of a street: "MAIN" → "Main", "2ND" → "2nd", "12a" → "12A". */
function caseToken(t: string): string {
  let digits = 0;
  let upper = 0;
  let titled = true;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      if (i === 0) titled = false;
    } else if (c >= 65 && c <= 90) {
      upper++;
      if (i > 0) titled = false;
    } else if (c >= 48 && c <= 57) {
      digits++;
    } else {
      tokenPlain = false; // hyphen, apostrophe, accent …: the general rules
      return properCase(t);
    }
  }
  tokenPlain = true;
  if (digits > 0) return ORDINAL.test(t) ? t.toLowerCase() : t.toUpperCase();
  if (titled) return t;
  if (upper > 0 && upper < t.length) return t; // mixed case ("DeKalb") is kept as typed
  const k = t.toLowerCase();
  return k.startsWith('mc') || k.startsWith('mac') ? properCase(t) : k.charAt(0).toUpperCase() + k.slice(1);
}

/** Designator + value from tokens[i…]: ["apt", "#", "4b"] → "Apt 4B"; null if it has no value where one is needed. */
function unitFrom(designator: string, tokens: readonly string[], from: number, to = tokens.length): string | null {
  let value = '';
  for (let i = from; i < to; i++) {
    const t = tokens[i]!.replace(/^#/, '');
    if (t !== '') value += (value === '' ? '' : ' ') + t.toUpperCase();
  }
  if (value === '') return UNIT_WITHOUT_NUMBER.has(designator) ? designator : null;
  return designator + ' ' + value;
}

/** "apt 4", "#12", "Suite 200", "APARTMENT 4B" → "Apt 4", "Apt 12", "Ste 200", "Apt 4B"; other text is kept, cleaned. */
export function normalizeUnit(raw: string): string | null {
  const s = cleanText(raw);
  if (s === null) return null;
  const tokens = tokenize(s);
  const designator = tokens.length > 0 ? wordOf(tokens[0]!).unit : undefined;
  if (designator !== undefined) return unitFrom(designator, tokens, 1) ?? s;
  // A bare value ("4B", "12") is an apartment number.
  if (tokens.length === 1 && HAS_DIGIT.test(tokens[0]!)) return 'Apt ' + tokens[0]!.toUpperCase();
  return s;
}

interface StreetName {
  display: string; // without the house number
  match: string;
  unit: string | null;
  house: string | null; // a house number found inside (leading unit or trailing number)
  houseLast: boolean; // "Hauptstraße 5": the number is written after the name
}

// Title, lower or UPPER case letters: such a word is in STREET_WORDS as typed if it is there at all.
const PLAIN_CASE = /^(?:[A-Z]?[a-z]*|[A-Z]+)$/;
const NO_WORD: StreetWord = {};
const MIGHT_BE_STREET_WORD = makePrefilter(STREET_WORDS.keys());
const MIGHT_BE_UNIT = makePrefilter([...STREET_WORDS].filter(([, w]) => w.unit !== undefined).map(([k]) => k));

/** What `token` names (suffix, unit designator, directional), if anything. */
function wordOf(token: string): StreetWord {
  // The prefilter ignores case and dots, so a "no" holds for every spelling of the token.
  if (!MIGHT_BE_STREET_WORD(token)) return NO_WORD;
  const direct = STREET_WORDS.get(token);
  if (direct !== undefined || PLAIN_CASE.test(token)) return direct ?? NO_WORD;
  return STREET_WORDS.get(key(token)) ?? NO_WORD; // "St.", "sTreet"
}

/**
 * Names the street in `tokens` (its leading house number, if any, already taken off and
 * `hasHouse` set): suffix, directionals, unit and case.
 */
function parseStreetName(tokens: string[], hasHouse: boolean): StreetName {
  let start = 0;
  let end = tokens.length;
  let unit: string | null = null;
  let house: string | null = null;
  let houseLast = false;

  // UK style "Flat 3, 12 High Street": a unit before the house number.
  const lead = tokens.length >= 4 && MIGHT_BE_UNIT(tokens[0]!) ? wordOf(tokens[0]!).unit : undefined;
  if (lead !== undefined && HOUSE.test(tokens[2]!) && !ORDINAL.test(tokens[2]!)) {
    unit = lead + ' ' + tokens[1]!.replace(/^#/, '').toUpperCase();
    house = tokens[2]!.toUpperCase();
    start = 3;
  }
  // A unit designator after at least one word of the name: everything from it on is the unit.
  for (let j = start + 1; j < end; j++) {
    const d = MIGHT_BE_UNIT(tokens[j]!) ? wordOf(tokens[j]!).unit : undefined;
    if (d !== undefined) {
      unit ??= unitFrom(d, tokens, j + 1, end);
      end = j;
      break;
    }
  }
  // Continental style "Hauptstraße 5".
  if (!hasHouse && house === null && end - start >= 2 && HOUSE.test(tokens[end - 1]!) && !ORDINAL.test(tokens[end - 1]!)) {
    house = tokens[end - 1]!.toUpperCase();
    houseLast = true;
    end--;
  }

  const n = end - start;
  // Post-directional: "Main St NW".
  let last = end - 1;
  let postDir: string | undefined;
  const lastWord = n > 0 ? wordOf(tokens[end - 1]!) : NO_WORD;
  if (n >= 3) {
    postDir = lastWord.dir;
    if (postDir !== undefined && wordOf(tokens[end - 2]!).suffix !== undefined) last = end - 2;
    else postDir = undefined;
  }
  // The suffix is the last word (before a post-directional) when a name precedes it.
  const suffix = last > start ? (last === end - 1 ? lastWord : wordOf(tokens[last]!)).suffix : undefined;
  // Pre-directional: "N Main St", but not "North St" (there North is the name).
  let preDir: string | undefined;
  if (n >= 2) {
    const d = wordOf(tokens[start]!).dir;
    if (d !== undefined && (n >= 3 || suffix === undefined)) preDir = d;
  }

  let display = '';
  let plain = true; // all words ASCII letters/digits: the matching form is just lower case
  for (let i = start; i < end; i++) {
    let w: string;
    if (i === start && preDir !== undefined) w = preDir;
    else if (i === last && suffix !== undefined) w = suffix;
    else if (i === end - 1 && postDir !== undefined) w = postDir;
    else {
      w = caseToken(tokens[i]!);
      plain &&= tokenPlain;
    }
    display += i === start ? w : ' ' + w;
  }
  return { display, match: plain ? display.toLowerCase() : matchForm(display), unit, house, houseLast };
}

const SIMPLE_HOUSE = /^[0-9A-Z]+$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Reads a street line: display form in title case with USPS abbreviations for the street suffix
 * (Street → St, Avenue → Ave …, only the last word of the name: "Court Street" → "Court St") and
 * for directionals before or after the name ("North Main Street" → "N Main St", but "North St"
 * stays), the house number, and a unit written in the line ("Apt 4", "Apartment 4B", "Suite 200"
 * → "Ste 200", "#12" → "Apt 12", "Flat 3, 12 High St") split out into `unit`.
 * `match` is the matching form of the display street without the unit.
 */
export function normalizeStreet(raw: string): NormalizedStreet {
  const s = cleanText(raw);
  if (s === null) return EMPTY_STREET;
  const box = (s.charCodeAt(0) | 32) === 112 ? PO_BOX.exec(s) : null; // only lines starting with p/P
  if (box !== null) {
    const display = 'PO Box ' + box[1]!.toUpperCase() + (box[2] ? ' ' + box[2].trim() : '');
    return { street: display.trim(), match: matchForm(display), houseNumber: null, unit: null };
  }
  let house: string | null = null;
  let rest = s;
  const space = s.indexOf(' ');
  if (space > 0 && isDigit(s.charCodeAt(0))) {
    let end = space;
    if (s.charCodeAt(end - 1) === 44) end--; // "12, Main St"
    let digitsEnd = 1;
    while (digitsEnd < end && isDigit(s.charCodeAt(digitsEnd))) digitsEnd++;
    if (digitsEnd === end) {
      house = s.slice(0, end); // all digits, the usual case
      rest = s.slice(space + 1);
    } else {
      const first = s.slice(0, end);
      if (HOUSE.test(first) && !ORDINAL.test(first)) {
        house = first.toUpperCase();
        rest = s.slice(space + 1);
      }
    }
  }
  // Not memoised: parsing is cheaper than a lookup in a Map big enough to hit often.
  const name = parseStreetName(tokenize(rest), house !== null);
  if (house === null) house = name.house;
  else if (name.house !== null) house += ' ' + name.house;
  const houseMatch = house === null ? '' : SIMPLE_HOUSE.test(house) ? house.toLowerCase() : matchForm(house);
  let street: string;
  let match: string;
  if (house === null) {
    street = name.display;
    match = name.match;
  } else if (name.houseLast) {
    street = name.display === '' ? house : name.display + ' ' + house;
    match = name.match === '' ? houseMatch : name.match + ' ' + houseMatch;
  } else {
    street = name.display === '' ? house : house + ' ' + name.display;
    match = name.match === '' ? houseMatch : houseMatch + ' ' + name.match;
  }
  return { street: street === '' ? null : street, match: match === '' ? null : match, houseNumber: house, unit: name.unit };
}

const FIVE_DIGITS = /^\d{5}$/;
const US_ZIP = /^(\d{5})(?:-?\d{4})?$/;
const US_ZIP_SHORT = /^(\d{3,4})(?:-(\d{4}))?$/;
const CA_POSTCODE = /^([A-Z]\d[A-Z]) ?(\d[A-Z]\d)$/;
const GB_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/;
const NL_POSTCODE = /^(\d{4}) ?([A-Z]{2})$/;
const GB_LIKE: ReadonlySet<string> = new Set(['GB', 'UK', 'GG', 'IM', 'JE']);

function computePostcode(raw: string, country: string): string | null {
  const s = cleanText(raw)?.toUpperCase() ?? null;
  if (s === null) return null;
  if (country === 'US') {
    const t = s.replace(/\s+/g, '');
    const zip = US_ZIP.exec(t);
    if (zip !== null) return zip[1] === '00000' ? null : zip[1]!;
    // Leading zeros lost in a spreadsheet: "2139" → "02139", "501" → "00501".
    const short = US_ZIP_SHORT.exec(t);
    if (short !== null) return short[1]!.padStart(5, '0');
    if (/^\d{7,8}$/.test(t)) return t.padStart(9, '0').slice(0, 5); // ZIP+4 that lost its zeros
    return null;
  }
  if (country === 'CA') {
    const m = CA_POSTCODE.exec(s);
    return m === null ? s : m[1] + ' ' + m[2];
  }
  if (GB_LIKE.has(country)) {
    const m = GB_POSTCODE.exec(s);
    return m === null ? s : m[1] + ' ' + m[2];
  }
  if (country === 'NL') {
    const m = NL_POSTCODE.exec(s);
    return m === null ? s : m[1] + ' ' + m[2];
  }
  return s;
}

/**
 * US: the 5-digit ZIP (ZIP+4 is cut to 5; 3–4 digit ZIPs that lost leading zeros are padded;
 * anything else, or 00000, is null). CA, GB, NL: canonical spacing ("LS14AB" → "LS1 4AB").
 * Elsewhere: upper-case with single spaces.
 */
export function normalizePostcode(raw: string, country: string): string | null {
  // The common case, a clean 5-digit ZIP, without allocating.
  if (raw.length === 5 && (country === 'US' || country === 'us') && FIVE_DIGITS.test(raw)) {
    return raw === '00000' ? null : raw;
  }
  return computePostcode(raw, upperCountryCode(country));
}

/** The region code when `raw` names a known US state, Canadian province or Australian state; else null. */
function regionCode(raw: string, country: string): string | null {
  const table = REGIONS[country];
  if (table === undefined) return null;
  return table.get(raw.length === 2 ? raw.toLowerCase() : matchForm(raw).replace(/ /g, '')) ?? null;
}

/**
 * US, CA, AU: state/province names and abbreviations → codes ("Illinois", "ill.", "il" → "IL").
 * Unknown values and other countries: the cleaned text, upper-cased when it is a short code.
 */
export function normalizeRegion(raw: string, country: string): string | null {
  if (raw.length === 2) {
    // The common case, a 2-letter code ("IL", "il"), straight from the table.
    const code = regionTable(country)?.get(raw) ?? regionTable(country)?.get(raw.toLowerCase());
    if (code !== undefined) return code;
  }
  const s = cleanText(raw);
  if (s === null) return null;
  return regionCode(s, upperCountryCode(country)) ?? (s.length <= 3 ? s.toUpperCase() : properCase(s));
}

let lastRegionCountry = '';
let lastRegionTable: ReadonlyMap<string, string> | undefined;
/** The region table of a country (as given, any case); remembered for the next row. */
function regionTable(country: string): ReadonlyMap<string, string> | undefined {
  if (country !== lastRegionCountry) {
    lastRegionCountry = country;
    lastRegionTable = REGIONS[upperCountryCode(country)];
  }
  return lastRegionTable;
}

/** Cleaned city name in display case ("SPRINGFIELD" → "Springfield", "st. louis" → "St. Louis"). */
export function normalizeCity(raw: string): string | null {
  return properCase(raw) || null;
}

const US_ZIP_TOKEN = /^\d{5}(?:-\d{4})?$/;
const CA_POSTCODE_TOKENS = /^([A-Z]\d[A-Z])\s?(\d[A-Z]\d)$/i;
const GB_POSTCODE_TOKENS = /^([A-Z]{1,2}\d[A-Z\d]?)\s?(\d[A-Z]{2})$/i;
const LEADING_POSTCODE = /^(?:[A-Z]{1,2}-)?\d{4,5}$/i; // "10115 Berlin", "D-10115 Berlin", "1010 Wien"

/** Removes a postcode from the end (or, for continental forms, the start) of `tokens`. */
function takePostcode(tokens: string[], country: string): string | null {
  const n = tokens.length;
  if (n === 0) return null;
  const last = tokens[n - 1]!;
  if (country === 'US') {
    if (US_ZIP_TOKEN.test(last)) return tokens.pop()!;
    return null;
  }
  if (country === 'CA' || GB_LIKE.has(country)) {
    const re = country === 'CA' ? CA_POSTCODE_TOKENS : GB_POSTCODE_TOKENS;
    if (n >= 2 && re.test(tokens[n - 2] + ' ' + last)) {
      tokens.pop();
      return tokens.pop() + ' ' + last;
    }
    if (re.test(last)) return tokens.pop()!;
    return null;
  }
  if (/^\d{4,6}$/.test(last) || (n >= 2 && CA_POSTCODE_TOKENS.test(tokens[n - 2] + ' ' + last))) return tokens.pop()!;
  if (n >= 2 && LEADING_POSTCODE.test(tokens[0]!)) return tokens.shift()!.replace(/^[A-Z]{1,2}-/i, '');
  return null;
}

/** Removes a region (1–3 words naming a known region, or a 2-letter code) from the end of `tokens`. */
function takeRegion(tokens: string[], country: string): string | null {
  const table = REGIONS[country];
  if (table === undefined || tokens.length === 0) return null;
  const last = tokens[tokens.length - 1]!;
  if (last.length === 2) {
    // The usual "IL": a code cannot end a longer region name, so no need to try those first.
    const code = table.get(last) ?? table.get(last.toLowerCase());
    if (code !== undefined) {
      tokens.pop();
      return code;
    }
  }
  // Longest first, so "West Virginia" is not read as "Virginia".
  for (let k = Math.min(3, tokens.length); k >= 1; k--) {
    let key = '';
    for (let i = tokens.length - k; i < tokens.length; i++) key += tokens[i];
    const code = table.get(PLAIN_KEY.test(key) ? key.toLowerCase() : matchForm(key).replace(/ /g, ''));
    if (code !== undefined) {
      tokens.length -= k;
      return code;
    }
  }
  if (/^[A-Za-z]{2}$/.test(last) && tokens.length > 1) {
    tokens.pop();
    return last.toUpperCase();
  }
  return null;
}

const PLAIN_KEY = /^[A-Za-z]+$/;
const MAYBE_COUNTRY = /^[A-Za-z][A-Za-z .'-]+$/;

/** Without commas: the city starts after the street suffix (and any unit after it). */
function splitStreetCity(tokens: readonly string[]): { street: string; city: string | null } {
  for (let i = tokens.length - 2; i >= 1; i--) {
    if (wordOf(tokens[i]!).suffix === undefined) continue;
    let end = i + 1;
    if (end < tokens.length && wordOf(tokens[end]!).dir !== undefined && end + 1 < tokens.length) end++;
    const unit = end < tokens.length ? wordOf(tokens[end]!).unit : undefined;
    if (unit !== undefined) end = Math.min(tokens.length - 1, end + (UNIT_WITHOUT_NUMBER.has(unit) ? 1 : 2));
    if (end >= tokens.length) return { street: tokens.join(' '), city: null };
    return { street: tokens.slice(0, end).join(' '), city: tokens.slice(end).join(' ') };
  }
  return { street: tokens.join(' '), city: null };
}

const EMPTY_PARTS: AddressParts = {
  street: null, streetMatch: null, houseNumber: null, unit: null, city: null, region: null, postcode: null,
};

/** Whether a comma-separated part starts with a unit designator ("Apt 4", "#12", "Suite 200"). */
function isUnitPart(part: string): boolean {
  if (part.startsWith('#')) return true;
  const space = part.indexOf(' ');
  const first = space < 0 ? part : part.slice(0, space);
  return MIGHT_BE_UNIT(first) && wordOf(first).unit !== undefined;
}

/**
 * Splits a one-line address into normalised parts. Reads comma-separated forms from the end:
 * an optional country, the postcode (US ZIP, CA, GB-style, or a leading continental one as in
 * "10115 Berlin"), the region (US/CA/AU names or codes; for other countries the part before
 * the postcode when there are three or more parts), then the city, and the street with its unit
 * ("12 Main St Apt 4, Springfield, IL 62704"; "12 Main St, Springfield IL 62704";
 * "12 High Street, Leeds, LS1 4AB"). Without commas the city is taken to start after the street
 * suffix ("12 Main St Springfield IL 62704"); when there is no suffix, the city stays null.
 */
export function splitOneLineAddress(raw: string, country: string): AddressParts {
  const s = cleanText(raw);
  if (s === null) return EMPTY_PARTS;
  const c = upperCountryCode(country);
  const parts: string[] = [];
  for (const part of splitOn(s, ',')) {
    const t = part.trim();
    if (t !== '') parts.push(t);
  }
  // A trailing country name (not a 2-letter code other than US/UK: "IL" is a state here).
  if (parts.length > 1) {
    const last = parts[parts.length - 1]!;
    if (MAYBE_COUNTRY.test(last)) {
      const lastKey = matchForm(last);
      if ((lastKey.length > 2 || lastKey === 'us' || lastKey === 'uk') && normalizeCountry(last) !== null) parts.pop();
    }
  }

  let postcode: string | null = null;
  let region: string | null = null;
  let city: string | null = null;
  let tokens = tokenize(parts[parts.length - 1] ?? '');
  let whole = true; // tokens are still the whole of the last part
  if (parts.length > 1 || tokens.length > 2) {
    postcode = takePostcode(tokens, c);
    if (postcode !== null) whole = false;
    if (tokens.length === 0 && parts.length > 1) {
      parts.pop();
      tokens = tokenize(parts[parts.length - 1]!);
      whole = true;
    }
    region = takeRegion(tokens, c);
    if (region !== null) whole = false;
    if (region !== null && tokens.length === 0 && parts.length > 1) {
      parts.pop();
      tokens = tokenize(parts[parts.length - 1]!);
      whole = true;
    } else if (region === null && REGIONS[c] === undefined && postcode !== null && parts.filter((p) => !isUnitPart(p)).length >= 3) {
      // "12 High St, Leeds, West Yorkshire, LS1 4AB": street, city, region.
      region = parts.pop()!;
      tokens = tokenize(parts[parts.length - 1]!);
      whole = true;
    }
    if (parts.length > 1) {
      // The rest of the last part is the city ("Springfield IL 62704"), else the part before.
      city = tokens.length === 0 ? null : whole ? parts[parts.length - 1]! : tokens.join(' ');
      parts.pop();
    } else if (tokens.length > 0) {
      const split = splitStreetCity(tokens);
      city = split.city;
      parts[0] = split.street;
    } else {
      parts.pop();
    }
  }

  let unit: string | null = null;
  const streetParts: string[] = [];
  for (const p of parts) {
    if (unit === null && isUnitPart(p) && !(streetParts.length === 0 && parts.length === 1)) unit = normalizeUnit(p);
    else streetParts.push(p);
  }
  const street = normalizeStreet(streetParts.length === 1 ? streetParts[0]! : streetParts.join(' '));
  return {
    street: street.street,
    streetMatch: street.match,
    houseNumber: street.houseNumber,
    unit: unit ?? street.unit,
    city: city === null ? null : normalizeCity(city),
    region: region === null ? null : normalizeRegion(region, c),
    postcode: postcode === null ? null : normalizePostcode(postcode, c),
  };
}
