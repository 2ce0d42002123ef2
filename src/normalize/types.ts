import type { ActivityField, CustomerField } from '../config/fields.js';

/**
 * A mapped but not yet normalised row: each canonical field holds the raw cell texts of the
 * columns mapped to it, in header order (several only for e-mail and phone). Empty cells are
 * left out, so a field is either absent or has at least one non-empty string.
 */
export type RawFields<F extends string> = Partial<Record<F, string[]>>;

/** How a source's values are read. */
export interface NormalizeOptions {
  /** ISO 3166 alpha-2 country for phones and addresses without one, e.g. "US". */
  country: string;
  /** Parses one date or date-time cell with the source's declared formats. */
  parseDate: DateParser;
  /** Canonical fields whose absence rejects the row. */
  required: readonly string[];
}

/** ISO text: "YYYY-MM-DD" for dates, "YYYY-MM-DDTHH:mm:ss" for date-times (no zone). */
export type DateParseResult = { ok: true; value: string } | { ok: false; reason: string };
export type DateParser = (raw: string) => DateParseResult;

/** A customer record ready for staging. Names: display form; `_match`: the matching form. */
export interface NormalizedCustomer {
  source_key: string;
  title: string | null;
  given_name: string | null;
  middle_name: string | null;
  family_name: string | null;
  name_suffix: string | null; // "JR" | "SR" | "II" | "III" | "IV"
  given_name_match: string | null; // lower-case a–z and single spaces, no accents or punctuation
  family_name_match: string | null;
  given_name_formal: string | null; // matching form of the formal name: "bill" → "william"
  family_phonetic: string | null; // double metaphone (primary) of family_name_match
  email: string | null; // primary valid e-mail, lower-case
  email_match: string | null; // email without +tag
  other_emails: string[]; // further valid e-mails, lower-case
  phone: string | null; // primary valid phone, E.164
  other_phones: string[]; // further valid phones, E.164
  street: string | null; // display form with standard abbreviations: "12 Main St"
  street_match: string | null; // lower-case matching form: "12 main st"
  house_number: string | null;
  address_line2: string | null; // unit / apartment: "Apt 4"
  city: string | null;
  region: string | null;
  postcode: string | null;
  country: string | null; // ISO 3166 alpha-2
  birth_date: string | null; // YYYY-MM-DD
  birth_year: number | null;
  gender: string | null; // "F" | "M" | "X"
  customer_since: string | null; // YYYY-MM-DD
  /** Non-fatal findings, e.g. "email: invalid (no domain)"; stored for the quality report. */
  issues: string[];
}

export interface NormalizedActivity {
  occurred_at: string; // YYYY-MM-DDTHH:mm:ss or YYYY-MM-DD
  amount: string | null; // decimal text, "-12.50" for refunds
  currency: string | null; // ISO 4217, upper-case
  channel: string | null; // lower-case
  category: string | null;
  status: string | null; // lower-case
  closed_at: string | null;
  csat: number | null; // 1–5
  nps: number | null; // 0–10
  description: string | null;
  issues: string[];
}

/** A row either normalises or is rejected with a reason a person can act on. */
export type NormalizeResult<T> = { ok: true; record: T } | { ok: false; reason: string };

export type RawCustomer = RawFields<CustomerField>;
export type RawActivity = RawFields<ActivityField>;
