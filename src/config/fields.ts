/**
 * The canonical shapes every silo's columns are mapped to.
 * One list per record kind; the importer, `golden init` and the README all read these.
 */

/** Canonical fields of a customer (person) record. */
export const CUSTOMER_FIELDS = [
  'full_name', // one column holding the whole name: "LAST, First M." or "First M. Last Jr."
  'title', // Mr, Mrs, Dr … (kept out of matching)
  'given_name',
  'middle_name',
  'family_name',
  'name_suffix', // Jr, Sr, II, III, IV
  'email', // may be mapped from several columns: the first valid one is primary
  'phone', // may be mapped from several columns: the first valid one is primary
  'address', // one-line address, split into street, city, region, postcode
  'street',
  'house_number', // when an export keeps it apart from the street: joined in front of it
  'address_line2',
  'city',
  'region',
  'postcode',
  'country',
  'birth_date',
  'gender',
  'customer_since',
] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** Fields that may be mapped from more than one column. */
export const MULTI_COLUMN_FIELDS: ReadonlySet<string> = new Set(['email', 'phone']);

/** Canonical fields of an activity row (order, transaction, ticket, feedback). */
export const ACTIVITY_FIELDS = [
  'occurred_at', // when it happened (order date, ticket opened, survey answered)
  'amount', // money; negative for refunds
  'currency',
  'channel', // store, web, phone, e-mail, chat, app …
  'category', // product line or ticket category
  'status', // e.g. open, closed, escalated, refunded
  'closed_at', // tickets: when resolved
  'csat', // satisfaction 1–5
  'nps', // likelihood to recommend 0–10
  'description',
] as const;
export type ActivityField = (typeof ACTIVITY_FIELDS)[number];

export const ACTIVITY_KINDS = ['order', 'transaction', 'ticket', 'feedback'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const ENCODINGS = ['utf-8', 'windows-1252', 'latin1'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * The per-customer figures a custom segment (`reports.customSegments`) can test with a range;
 * src/report/segments.ts maps each to its column.
 */
export const SEGMENT_FIGURES = [
  'recencyDays',
  'daysSilent',
  'purchases',
  'orders',
  'transactions',
  'tickets',
  'revenue',
  'csat',
  'nps',
  'r',
  'f',
  'm',
  'fm',
  'unitsUsed',
] as const;
export type SegmentFigure = (typeof SEGMENT_FIGURES)[number];
