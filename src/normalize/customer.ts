import { doubleMetaphone } from 'double-metaphone';
import {
  normalizeCity,
  normalizePostcode,
  normalizeRegion,
  normalizeStreet,
  normalizeUnit,
  splitOneLineAddress,
} from './addresses.js';
import { BoundedCache } from './cache.js';
import { normalizeCountry, upperCountryCode } from './countries.js';
import { normalizeEmail } from './emails.js';
import {
  formalGivenName,
  normalizeSuffix,
  normalizeTitle,
  parseFullName,
  properCase,
  splitFamilySuffix,
} from './names.js';
import { normalizePhone } from './phones.js';
import { cleanText, matchForm } from './text.js';
import type { CustomerField } from '../config/fields.js';
import type { NormalizedCustomer, NormalizeOptions, NormalizeResult, RawCustomer } from './types.js';

/** A given name cell, read once and remembered: display, matching and formal form. */
interface GivenInfo {
  display: string | null;
  match: string | null;
  formal: string | null;
}
/** A family name cell: display, matching form, phonetic code and a suffix written into it. */
interface FamilyInfo {
  display: string | null;
  match: string | null;
  phonetic: string | null;
  suffix: string | null;
}

// Family names repeat heavily, and their phonetic code is the costly part (~0.6 µs).
const familyCache = new BoundedCache<FamilyInfo>(16_384);
// Given names are few (a few thousand spellings cover most rows), so a memo pays here too.
const givenCache = new BoundedCache<GivenInfo>(4096);
const phoneticCache = new BoundedCache<string | null>(16_384);
const NO_GIVEN: GivenInfo = { display: null, match: null, formal: null };

function givenInfo(display: string | null): GivenInfo {
  if (display === null) return NO_GIVEN;
  const match = matchForm(display) || null;
  return { display, match, formal: match === null ? null : formalGivenName(match) };
}

/** Double metaphone primary code of the matching form, spaces removed ("van der berg" ~ "vanderberg"). */
function phonetic(match: string | null): string | null {
  if (match === null) return null;
  const hit = phoneticCache.get(match);
  if (hit !== undefined) return hit;
  const code = doubleMetaphone(match.replace(/ /g, ''))[0] || null;
  phoneticCache.set(match, code);
  return code;
}

function familyInfo(display: string | null, suffix: string | null): FamilyInfo {
  const match = display === null ? null : matchForm(display) || null;
  return { display, match, phonetic: phonetic(match), suffix };
}

/** A family_name cell: "Smith Jr" → Smith + JR. */
function familyFromCell(raw: string): FamilyInfo {
  const hit = familyCache.get(raw);
  if (hit !== undefined) return hit;
  const split = splitFamilySuffix(raw);
  const info = familyInfo(split.family, split.suffix);
  familyCache.set(raw, info);
  return info;
}

function givenFromCell(raw: string): GivenInfo {
  const hit = givenCache.get(raw);
  if (hit !== undefined) return hit;
  const s = cleanText(raw);
  // Initials lose their dot like in full names: "J." → "J".
  const info = givenInfo(s === null ? null : properCase(s.length === 2 && s[1] === '.' ? s[0]! : s) || null);
  givenCache.set(raw, info);
  return info;
}

const GENDERS: ReadonlyMap<string, string | null> = new Map([
  ['f', 'F'], ['female', 'F'], ['w', 'F'], ['woman', 'F'], ['women', 'F'], ['girl', 'F'], ['frau', 'F'],
  ['weiblich', 'F'], ['femme', 'F'], ['fem', 'F'], ['femenino', 'F'], ['mujer', 'F'],
  ['m', 'M'], ['male', 'M'], ['man', 'M'], ['men', 'M'], ['boy', 'M'], ['mann', 'M'], ['mannlich', 'M'],
  ['homme', 'M'], ['masculino', 'M'], ['hombre', 'M'],
  // "Not known" is not a gender: these give null rather than "X".
  ['u', null], ['unknown', null], ['unk', null], ['n a', null], ['na', null], ['none', null], ['null', null],
  ['not specified', null], ['unspecified', null], ['prefer not to say', null], ['declined', null],
  ['not stated', null], ['undisclosed', null], ['', null],
]);

/** f/female/w → "F"; m/male → "M"; unknown/n/a/blank → null; anything else (x, diverse, other…) → "X". */
function gender(raw: string): string | null {
  const direct = GENDERS.get(raw);
  if (direct !== undefined) return direct;
  const g = GENDERS.get(matchForm(raw));
  return g === undefined ? 'X' : g;
}

let todayValue = '';
let todayCalls = 0;
/** Today's date (UTC) as YYYY-MM-DD; the clock is read once every 4096 calls. */
function today(): string {
  if ((todayCalls++ & 4095) === 0) todayValue = new Date().toISOString().slice(0, 10);
  return todayValue;
}

/** The year of "YYYY-MM-DD" without parsing a substring. */
function yearOf(date: string): number {
  return (
    (date.charCodeAt(0) - 48) * 1000 + (date.charCodeAt(1) - 48) * 100 + (date.charCodeAt(2) - 48) * 10 + (date.charCodeAt(3) - 48)
  );
}

/** Records a finding; the first per field is kept as the reason if the field is required. */
function note(issues: string[], invalid: Map<string, string> | null, field: string, text: string): Map<string, string> {
  issues.push(text);
  const map = invalid ?? new Map<string, string>();
  if (!map.has(field)) map.set(field, text);
  return map;
}

/** Splits a cell holding several e-mails ("a@x.com; b@y.com"). */
function emailCells(values: readonly string[]): readonly string[] {
  let out: string[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = v.indexOf('@');
    if (at >= 0 && v.indexOf('@', at + 1) >= 0 && /[;,\s]/.test(v)) {
      out ??= values.slice(0, i);
      for (const part of v.split(/[;,\s]+/)) if (part !== '') out.push(part);
    } else if (out !== null) {
      out.push(v);
    }
  }
  return out ?? values;
}

type Rejected = { ok: false; reason: string };
function reject(reason: string): Rejected {
  return { ok: false, reason };
}

/**
 * Normalises one customer row. Names come from given/middle/family/suffix cells, or from
 * full_name (explicit cells win part by part; a suffix inside family_name is split out). The
 * first valid e-mail and phone are primary, further valid ones go to other_emails/other_phones
 * (deduplicated); invalid ones are noted in `issues`. The address comes from street/address_line2/
 * city/region/postcode, or from the one-line `address` for parts not given separately. An
 * unreadable, impossible or (for birth_date) future date rejects the row, as does a missing
 * source key or any field in `options.required` that ends up empty.
 */
export function normalizeCustomer(
  sourceKey: string,
  raw: RawCustomer,
  options: NormalizeOptions,
): NormalizeResult<NormalizedCustomer> {
  const key = sourceKey.trim();
  if (key === '') return reject('missing source key');

  // One pass over the cells present: rows differ in which cells are empty, so reading
  // 18 named properties would mostly be slow megamorphic loads.
  let fullRaw: string | undefined;
  let titleRaw: string | undefined;
  let givenRaw: string | undefined;
  let middleRaw: string | undefined;
  let familyRaw: string | undefined;
  let suffixRaw: string | undefined;
  let emailCellsRaw: string[] | undefined;
  let phoneCells: string[] | undefined;
  let addressRaw: string | undefined;
  let streetRaw: string | undefined;
  let houseRaw: string | undefined;
  let line2Raw: string | undefined;
  let cityRaw: string | undefined;
  let regionRaw: string | undefined;
  let postcodeRaw: string | undefined;
  let countryRaw: string | undefined;
  let birthRaw: string | undefined;
  let genderRaw: string | undefined;
  let sinceRaw: string | undefined;
  for (const field in raw) {
    const values = raw[field as CustomerField];
    if (values === undefined || values.length === 0) continue;
    const v = values[0];
    switch (field as CustomerField) {
      case 'full_name': fullRaw = v; break;
      case 'title': titleRaw = v; break;
      case 'given_name': givenRaw = v; break;
      case 'middle_name': middleRaw = v; break;
      case 'family_name': familyRaw = v; break;
      case 'name_suffix': suffixRaw = v; break;
      case 'email': emailCellsRaw = values; break;
      case 'phone': phoneCells = values; break;
      case 'address': addressRaw = v; break;
      case 'street': streetRaw = v; break;
      case 'house_number': houseRaw = v; break;
      case 'address_line2': line2Raw = v; break;
      case 'city': cityRaw = v; break;
      case 'region': regionRaw = v; break;
      case 'postcode': postcodeRaw = v; break;
      case 'country': countryRaw = v; break;
      case 'birth_date': birthRaw = v; break;
      case 'gender': genderRaw = v; break;
      case 'customer_since': sinceRaw = v; break;
    }
  }

  const issues: string[] = [];
  // Field → "email: invalid (no @)": why a present value ended up null (for required fields).
  let invalid: Map<string, string> | null = null;

  // Country first: phones, regions and postcodes are read with it.
  const defaultCountry = upperCountryCode(options.country);
  let country = defaultCountry;
  let rowCountry: string | null = null;
  if (countryRaw !== undefined) {
    rowCountry = normalizeCountry(countryRaw);
    if (rowCountry === null) invalid = note(issues, invalid, 'country', `country: unknown (${countryRaw.trim()})`);
    else country = rowCountry;
  }

  // Names.
  const parsed = fullRaw === undefined ? null : parseFullName(fullRaw);
  const given = givenRaw !== undefined ? givenFromCell(givenRaw) : givenInfo(parsed?.given ?? null);
  const family =
    familyRaw !== undefined
      ? familyFromCell(familyRaw)
      : parsed !== null && parsed.family !== null
        ? familyInfo(parsed.family, null)
        : null;
  let suffix: string | null = null;
  if (suffixRaw !== undefined) {
    suffix = normalizeSuffix(suffixRaw);
    if (suffix === null && cleanText(suffixRaw) !== null) {
      invalid = note(issues, invalid, 'name_suffix', `name_suffix: unknown (${suffixRaw.trim()})`);
    }
  }
  suffix ??= family?.suffix ?? parsed?.suffix ?? null;
  const middle = middleRaw !== undefined ? properCase(middleRaw.replace(/\.$/, '')) || null : (parsed?.middle ?? null);
  const title = titleRaw !== undefined ? normalizeTitle(titleRaw) : (parsed?.title ?? null);

  // E-mails.
  let email: string | null = null;
  let emailMatch: string | null = null;
  const otherEmails: string[] = [];
  if (emailCellsRaw !== undefined) {
    for (const cell of emailCells(emailCellsRaw)) {
      const e = normalizeEmail(cell);
      if (e.email === null) {
        if (cleanText(cell) !== null) invalid = note(issues, invalid, 'email', `email: invalid (${e.reason})`);
      } else if (email === null) {
        email = e.email;
        emailMatch = e.match;
      } else if (e.email !== email && !otherEmails.includes(e.email)) {
        otherEmails.push(e.email);
      }
    }
  }

  // Phones.
  let phone: string | null = null;
  const otherPhones: string[] = [];
  if (phoneCells !== undefined) {
    for (const cell of phoneCells) {
      const p = normalizePhone(cell, country);
      if (p.e164 === null) {
        if (cleanText(cell) !== null) invalid = note(issues, invalid, 'phone', `phone: invalid (${p.reason})`);
      } else if (phone === null) {
        phone = p.e164;
      } else if (p.e164 !== phone && !otherPhones.includes(p.e164)) {
        otherPhones.push(p.e164);
      }
    }
  }

  // Address: separate cells win over the one-line address, part by part.
  let street: string | null = null;
  let streetMatch: string | null = null;
  let houseNumber: string | null = null;
  let unit: string | null = null;
  if (houseRaw !== undefined && streetRaw !== undefined && houseRaw.trim() !== '') streetRaw = `${houseRaw.trim()} ${streetRaw}`;
  if (streetRaw !== undefined) {
    const s = normalizeStreet(streetRaw);
    street = s.street;
    streetMatch = s.match;
    houseNumber = s.houseNumber;
    unit = s.unit;
  }
  if (line2Raw !== undefined) unit = normalizeUnit(line2Raw) ?? unit;
  let city = cityRaw === undefined ? null : normalizeCity(cityRaw);
  let region = regionRaw === undefined ? null : normalizeRegion(regionRaw, country);
  let postcode: string | null = null;
  if (postcodeRaw !== undefined) {
    postcode = normalizePostcode(postcodeRaw, country);
    if (postcode === null && cleanText(postcodeRaw) !== null) {
      invalid = note(issues, invalid, 'postcode', `postcode: invalid (${postcodeRaw.trim()})`);
    }
  }
  if (addressRaw !== undefined) {
    const a = splitOneLineAddress(addressRaw, country);
    if (street === null) {
      street = a.street;
      streetMatch = a.streetMatch;
      houseNumber = a.houseNumber;
    }
    unit ??= a.unit;
    city ??= a.city;
    region ??= a.region;
    postcode ??= a.postcode;
  }

  // Dates: a date that is there but cannot be read rejects the row.
  let birthDate: string | null = null;
  if (birthRaw !== undefined) {
    const d = options.parseDate(birthRaw);
    if (!d.ok) return reject(`birth_date: ${d.reason}`);
    birthDate = d.value.length > 10 ? d.value.slice(0, 10) : d.value;
    if (birthDate > today()) return reject(`birth_date: in the future (${birthDate})`);
  }
  let customerSince: string | null = null;
  if (sinceRaw !== undefined) {
    const d = options.parseDate(sinceRaw);
    if (!d.ok) return reject(`customer_since: ${d.reason}`);
    customerSince = d.value.length > 10 ? d.value.slice(0, 10) : d.value;
    if (customerSince > today()) issues.push(`customer_since: in the future (${customerSince})`);
  }

  const record: NormalizedCustomer = {
    source_key: key,
    title,
    given_name: given.display,
    middle_name: middle,
    family_name: family?.display ?? null,
    name_suffix: suffix,
    given_name_match: given.match,
    family_name_match: family?.match ?? null,
    given_name_formal: given.formal,
    family_phonetic: family?.phonetic ?? null,
    email,
    email_match: emailMatch,
    other_emails: otherEmails,
    phone,
    other_phones: otherPhones,
    street,
    street_match: streetMatch,
    house_number: houseNumber,
    address_line2: unit,
    city,
    region,
    postcode,
    country: rowCountry ?? defaultCountry,
    birth_date: birthDate,
    birth_year: birthDate === null ? null : yearOf(birthDate),
    gender: genderRaw === undefined ? null : gender(genderRaw.trim().toLowerCase()),
    customer_since: customerSince,
    issues,
  };

  for (const field of options.required) {
    if (requiredValue(record, field, fullRaw) === null) {
      return reject(invalid?.get(field) ?? `missing required field ${field}`);
    }
  }
  return { ok: true, record };
}

/** The value that satisfies a required canonical field. */
function requiredValue(r: NormalizedCustomer, field: string, fullRaw: string | undefined): unknown {
  switch (field) {
    case 'full_name':
      return fullRaw !== undefined ? (r.family_name ?? r.given_name) : null;
    case 'address':
      return r.street;
    case 'address_line2':
      return r.address_line2;
    case 'email':
    case 'phone':
    case 'title':
    case 'given_name':
    case 'middle_name':
    case 'family_name':
    case 'name_suffix':
    case 'street':
    case 'city':
    case 'region':
    case 'postcode':
    case 'country':
    case 'birth_date':
    case 'gender':
    case 'customer_since':
      return r[field];
    default:
      return null;
  }
}
