import path from 'node:path';
import stringSimilarity from 'string-similarity';
import { ACTIVITY_KINDS, MULTI_COLUMN_FIELDS, type ActivityField, type ActivityKind, type CustomerField } from './fields.js';
import type { GoldenConfigInput } from './schema.js';

/** What `golden init` learnt about one sample file (see importer/sniff.ts). */
export interface SampleFile {
  file: string;
  encoding: 'utf-8' | 'windows-1252';
  delimiter: string;
  header: string[];
  rows: string[][];
}

/** The share (0–1) of a column's sample values that a date format reads. */
export type FormatTester = (format: string, values: readonly string[]) => number;

/** A format must read this share of the samples: one bad date must not hide the right format. */
const FORMAT_FIT = 0.9;

/** Header spellings seen in real exports, per canonical field. */
const CUSTOMER_SYNONYMS: Record<CustomerField, string[]> = {
  full_name: ['name', 'full name', 'customer name', 'client name', 'cardholder name', 'account name', 'contact name'],
  title: ['title', 'salutation', 'honorific'],
  given_name: ['first name', 'given name', 'forename', 'firstname', 'fname', 'first'],
  middle_name: ['middle name', 'middle initial', 'mi', 'middle'],
  family_name: ['last name', 'surname', 'family name', 'lastname', 'lname', 'last'],
  name_suffix: ['suffix', 'name suffix', 'generation'],
  email: ['email', 'e mail', 'email address', 'mail', 'e mail address', 'contact email'],
  phone: ['phone', 'telephone', 'mobile', 'cell', 'phone number', 'home phone', 'work phone', 'tel', 'alt phone', 'contact number'],
  address: ['address', 'full address', 'postal address', 'mailing address'],
  street: ['street', 'address line 1', 'address1', 'street address', 'addr1', 'line1'],
  house_number: ['house number', 'street number', 'house no', 'building number', 'number'],
  address_line2: ['address line 2', 'address2', 'apartment', 'unit', 'addr2', 'line2', 'suite'],
  city: ['city', 'town', 'suburb', 'locality'],
  region: ['state', 'region', 'province', 'county'],
  postcode: ['zip', 'postcode', 'postal code', 'zip code', 'zipcode', 'post code'],
  country: ['country', 'country code'],
  birth_date: ['date of birth', 'dob', 'birth date', 'birthdate', 'birthday', 'born'],
  gender: ['gender', 'sex'],
  customer_since: ['joined', 'created at', 'signup date', 'member since', 'customer since', 'opened', 'registration date', 'created'],
};

const ACTIVITY_SYNONYMS: Record<ActivityField, string[]> = {
  occurred_at: ['date', 'order date', 'posted at', 'opened at', 'answered at', 'created at', 'timestamp', 'transaction date', 'occurred at'],
  amount: ['amount', 'total', 'value', 'price', 'order total', 'sum'],
  currency: ['currency', 'ccy'],
  channel: ['channel', 'store', 'source channel', 'via'],
  category: ['category', 'merchant category', 'product category', 'topic', 'reason', 'department'],
  status: ['status', 'state'],
  closed_at: ['closed at', 'resolved at', 'closed', 'resolution date'],
  csat: ['csat', 'satisfaction', 'rating', 'score'],
  nps: ['nps', 'recommend', 'likelihood to recommend'],
  description: ['description', 'subject', 'notes', 'comment'],
};

const ACTIVITY_HINTS: Record<ActivityKind, RegExp> = {
  order: /order|basket|purchase/i,
  transaction: /txn|transaction|posted|merchant/i,
  ticket: /ticket|case|incident|opened/i,
  feedback: /csat|nps|survey|response|feedback/i,
};

const DAYS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY', 'YYYY/MM/DD', 'DD-MM-YYYY', 'MM-DD-YYYY', 'D/M/YYYY', 'M/D/YYYY', 'YYYYMMDD'];
/** Candidates in order of preference: plain dates, then each with a time, then ISO-8601. */
const DATE_FORMATS = [...DAYS, ...DAYS.flatMap((d) => [`${d} HH:mm:ss`, `${d} HH:mm`]), 'ISO'];

const ID_LIKE = /(^|[\s_-])(id|no|nr|number|num|key|code|ref)$|^(id|key)$/i;
const CONFIDENT = 0.75;
const PLAUSIBLE = 0.45;

/** Lower-case words: "e_mail" and "E-Mail" both become "e mail". */
function words(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function guess<F extends string>(header: string, synonyms: Record<F, string[]>): { field: F; rating: number } | undefined {
  const w = words(header);
  let best: { field: F; rating: number } | undefined;
  for (const [field, list] of Object.entries(synonyms) as [F, string[]][]) {
    const rating = list.includes(w) ? 1 : stringSimilarity.findBestMatch(w, list).bestMatch.rating;
    if (!best || rating > best.rating) best = { field, rating };
  }
  return best && best.rating >= PLAUSIBLE ? best : undefined;
}

function column(sample: SampleFile, index: number): string[] {
  return sample.rows.map((r) => (r[index] ?? '').trim()).filter((v) => v !== '');
}

function sourceName(file: string, taken: Set<string>): string {
  const base = path.basename(file).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+/, '') || 'source';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/**
 * Drafts a config from sample files. Every guess below the confidence bar is listed in
 * `review`, and columns it could not place are mapped to null (read but ignored).
 */
export function draftConfig(samples: readonly SampleFile[], configDir: string, testFormat: FormatTester): GoldenConfigInput {
  const review: string[] = [];
  const sources: NonNullable<GoldenConfigInput['sources']> = {};
  const activities: NonNullable<GoldenConfigInput['activities']> = {};
  const taken = new Set<string>();
  const customerKeys = new Map<string, string>(); // key header → source name, to link activities

  const isActivity = (s: SampleFile) => {
    const hits = s.header.filter((h) => (guess(h, ACTIVITY_SYNONYMS)?.rating ?? 0) >= CONFIDENT).length;
    return hits >= 2 && s.header.some((h) => /amount|csat|nps|ticket|order|txn|transaction|closed/i.test(h));
  };
  /** The first candidate that reads every sample of a column, per date column, without repeats. */
  const dateFormats = (name: string, s: SampleFile, indexes: number[]) => {
    const formats: string[] = [];
    for (const i of indexes) {
      const values = column(s, i);
      if (values.length === 0) continue;
      const fits = DATE_FORMATS.filter((f) => testFormat(f, values) >= FORMAT_FIT);
      const fit = fits[0];
      if (fit === undefined) {
        review.push(`${name}: no known date format reads the samples of "${s.header[i]}"; add one to dateFormats`);
        continue;
      }
      if (!formats.includes(fit)) formats.push(fit);
      // "M/D/YYYY" beside "MM/DD/YYYY" is the same reading; only another day/month order is news.
      const order = (f: string) => f.replace(/D+/g, 'D').replace(/M+/g, 'M').replace(/ .*/, '');
      const others = fits.filter((f) => f !== 'ISO' && order(f) !== order(fit));
      if (others.length > 0) review.push(`${name}: "${s.header[i]}" read as ${fit}, but ${others.join(', ')} also fits the samples; check day/month order`);
    }
    return formats.length > 0 ? formats : ['YYYY-MM-DD'];
  };
  /**
   * Maps each header to its best guess; a field that takes one column only goes to the column
   * that fits it best, and the others are left unmapped for review.
   */
  const mapColumns = <F extends string>(
    name: string,
    s: SampleFile,
    skip: (h: string, i: number) => boolean,
    guessAt: (h: string, i: number) => { field: F; rating: number } | undefined,
    multi: ReadonlySet<string>,
  ) => {
    const columns: Record<string, F | null> = {};
    const guesses = s.header.map((h, i) => (skip(h, i) ? undefined : guessAt(h, i)));
    const best = new Map<F, number>();
    guesses.forEach((g, i) => {
      if (g && !multi.has(g.field) && (best.get(g.field) === undefined || g.rating > guesses[best.get(g.field)!]!.rating)) best.set(g.field, i);
    });
    s.header.forEach((h, i) => {
      if (skip(h, i)) return;
      const g = guesses[i];
      if (!g) {
        columns[h] = null;
        review.push(`${name}: column "${h}" was not recognised; mapped to null (ignored)`);
      } else if (!multi.has(g.field) && best.get(g.field) !== i) {
        columns[h] = null;
        review.push(`${name}: column "${h}" also looks like ${g.field}, which "${s.header[best.get(g.field)!]}" fits better; mapped to null`);
      } else {
        columns[h] = g.field;
        if (g.rating < CONFIDENT) review.push(`${name}: column "${h}" guessed as ${g.field} (confidence ${g.rating.toFixed(2)})`);
      }
    });
    return columns;
  };
  const files = (s: SampleFile) => path.relative(configDir, path.resolve(s.file)).split(path.sep).join('/');

  for (const s of samples.filter((x) => !isActivity(x))) {
    const name = sourceName(s.file, taken);
    const keyIndex = Math.max(0, s.header.findIndex((h) => ID_LIKE.test(words(h))));
    const key = s.header[keyIndex] ?? 'id';
    const columns = mapColumns<CustomerField>(
      name,
      s,
      (_h, i) => i === keyIndex,
      (h, i) => {
        const values = column(s, i);
        if (values.length > 0 && values.filter((v) => v.includes('@')).length / values.length > 0.8) return { field: 'email', rating: 1 };
        return guess(h, CUSTOMER_SYNONYMS);
      },
      MULTI_COLUMN_FIELDS,
    );
    const dateColumns = s.header.flatMap((h, i) => (columns[h] === 'birth_date' || columns[h] === 'customer_since' ? [i] : []));
    customerKeys.set(words(key), name);
    review.push(`${name}: key column guessed as "${key}"; set a businessUnit and priority`);
    sources[name] = {
      businessUnit: name,
      files: files(s),
      delimiter: s.delimiter,
      encoding: s.encoding,
      dateFormats: dateFormats(name, s, dateColumns),
      key,
      priority: Object.keys(sources).length + 1,
      columns,
    };
  }

  for (const s of samples.filter(isActivity)) {
    const name = sourceName(s.file, taken);
    const kind = ACTIVITY_KINDS.find((k) => ACTIVITY_HINTS[k].test(`${path.basename(s.file)} ${s.header.join(' ')}`)) ?? 'order';
    const idColumns = s.header.filter((h) => ID_LIKE.test(words(h)));
    const key = idColumns[0] ?? s.header[0] ?? 'id';
    const refHeader = idColumns.find((h) => customerKeys.has(words(h))) ?? s.header.find((h) => /mail/i.test(h)) ?? idColumns[1];
    const refSource = refHeader ? customerKeys.get(words(refHeader)) : undefined;
    const columns = mapColumns<ActivityField>(name, s, (h) => h === key || h === refHeader, (h) => guess(h, ACTIVITY_SYNONYMS), new Set());
    const dateColumns = s.header.flatMap((h, i) => (columns[h] === 'occurred_at' || columns[h] === 'closed_at' ? [i] : []));
    if (!refHeader) review.push(`${name}: no column found that names the customer; set customer.column`);
    review.push(`${name}: guessed as ${kind} rows keyed by "${key}"; check customer reference`);
    activities[name] = {
      kind,
      businessUnit: refSource ?? name,
      files: files(s),
      delimiter: s.delimiter,
      encoding: s.encoding,
      dateFormats: dateFormats(name, s, dateColumns),
      key,
      customer: refSource
        ? { column: refHeader!, by: 'source_key', source: refSource }
        : { column: refHeader ?? 'customer_id', by: refHeader && /mail/i.test(refHeader) ? 'email' : 'source_key' },
      columns,
    };
  }
  return { review, defaultCountry: 'US', sources, activities };
}
