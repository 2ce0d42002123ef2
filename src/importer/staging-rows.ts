import { copyText as t, copyTextArray as arr } from '../db/index.js';
import type { NormalizedActivity, NormalizedCustomer } from '../normalize/index.js';

/** Column order of the COPY into staging_records; `customerLine` writes values in this order. */
export const STAGING_COLUMNS = [
  'batch_id', 'source', 'source_key', 'line_no',
  'title', 'given_name', 'middle_name', 'family_name', 'name_suffix',
  'given_name_match', 'family_name_match', 'given_name_formal', 'family_phonetic',
  'email', 'email_match', 'other_emails', 'phone', 'other_phones',
  'street', 'street_match', 'house_number', 'address_line2', 'city', 'region', 'postcode', 'country',
  'birth_date', 'birth_year', 'gender', 'customer_since', 'issues', 'attributes_hash',
] as const;

/**
 * A 64-bit hash (two 32-bit FNV-1a lanes) of a record's attributes, for resolve to see which
 * records changed since it last read them. Computed here in the import workers: hashing the
 * row in SQL (md5 of the row text) took 1.5 s per million rows inside resolve.
 */
export function attributesHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function customerLine(batch: string, source: string, line: number, r: NormalizedCustomer): string {
  const attributes = `${t(r.title)}\t${t(r.given_name)}\t${t(r.middle_name)}\t${t(
    r.family_name,
  )}\t${t(r.name_suffix)}\t${t(r.given_name_match)}\t${t(r.family_name_match)}\t${t(r.given_name_formal)}\t${t(
    r.family_phonetic,
  )}\t${t(r.email)}\t${t(r.email_match)}\t${arr(r.other_emails)}\t${t(r.phone)}\t${arr(r.other_phones)}\t${t(
    r.street,
  )}\t${t(r.street_match)}\t${t(r.house_number)}\t${t(r.address_line2)}\t${t(r.city)}\t${t(r.region)}\t${t(
    r.postcode,
  )}\t${t(r.country)}\t${t(r.birth_date)}\t${t(r.birth_year)}\t${t(r.gender)}\t${t(r.customer_since)}`;
  return `${batch}\t${t(source)}\t${t(r.source_key)}\t${line}\t${attributes}\t${arr(r.issues)}\t${attributesHash(attributes)}\n`;
}

/** Column order of the COPY into activities; `activityLine` writes values in this order. */
export const ACTIVITY_COLUMNS = [
  'batch_id', 'source', 'source_key', 'line_no', 'kind', 'business_unit',
  'customer_ref_by', 'customer_ref_source', 'customer_ref',
  'occurred_at', 'amount', 'currency', 'channel', 'category', 'status', 'closed_at', 'csat', 'nps', 'description', 'issues',
] as const;

export interface ActivityHeader {
  batch: string;
  source: string;
  kind: string;
  businessUnit: string;
  refBy: string;
  refSource: string | null;
}

export function activityLine(h: ActivityHeader, line: number, key: string, ref: string, r: NormalizedActivity): string {
  return `${h.batch}\t${t(h.source)}\t${t(key)}\t${line}\t${h.kind}\t${t(h.businessUnit)}\t${h.refBy}\t${t(h.refSource)}\t${t(
    ref,
  )}\t${r.occurred_at}\t${t(r.amount)}\t${t(r.currency)}\t${t(r.channel)}\t${t(r.category)}\t${t(r.status)}\t${t(
    r.closed_at,
  )}\t${t(r.csat)}\t${t(r.nps)}\t${t(r.description)}\t${arr(r.issues)}\n`;
}
