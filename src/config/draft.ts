import path from 'node:path';
import stringSimilarity from 'string-similarity';
import { ACTIVITY_KINDS, type ActivityField, type ActivityKind, type CustomerField } from './fields.js';
import type { GoldenConfigInput } from './schema.js';

/** What `golden init` learnt about one sample file (see importer/sniff.ts). */
export interface SampleFile {
  file: string;
  encoding: 'utf-8' | 'windows-1252';
  delimiter: string;
  header: string[];
  rows: string[][];
}

/** Tests whether every sample value of a column parses with a date format. */
export type FormatTester = (format: string, values: readonly string[]) => boolean;

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

const DATE_FORMATS = ['YYYY-MM-DD', 'YYYY-MM-DD HH:mm:ss', 'ISO', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY', 'YYYY/MM/DD', 'DD-MM-YYYY', 'MM-DD-YYYY', 'D/M/YYYY', 'M/D/YYYY', 'YYYYMMDD'];

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
  const dateFormats = (s: SampleFile, indexes: number[]) => {
    const values = indexes.flatMap((i) => column(s, i));
    const fits = DATE_FORMATS.filter((f) => values.length > 0 && testFormat(f, values));
    return fits.length > 0 ? [fits[0]!] : ['YYYY-MM-DD'];
  };
  const files = (s: SampleFile) => path.relative(configDir, path.resolve(s.file)).split(path.sep).join('/');

  for (const s of samples.filter((x) => !isActivity(x))) {
    const name = sourceName(s.file, taken);
    const keyIndex = Math.max(0, s.header.findIndex((h) => ID_LIKE.test(words(h))));
    const key = s.header[keyIndex] ?? 'id';
    const columns: Record<string, CustomerField | null> = {};
    const dateColumns: number[] = [];
    s.header.forEach((h, i) => {
      if (i === keyIndex) return;
      const values = column(s, i);
      let g = guess(h, CUSTOMER_SYNONYMS);
      if (values.length > 0 && values.filter((v) => v.includes('@')).length / values.length > 0.8) g = { field: 'email', rating: 1 };
      columns[h] = g?.field ?? null;
      if (!g) review.push(`${name}: column "${h}" was not recognised; mapped to null (ignored)`);
      else if (g.rating < CONFIDENT) review.push(`${name}: column "${h}" guessed as ${g.field} (confidence ${g.rating.toFixed(2)})`);
      if (g && (g.field === 'birth_date' || g.field === 'customer_since')) dateColumns.push(i);
    });
    customerKeys.set(words(key), name);
    review.push(`${name}: key column guessed as "${key}"; set a businessUnit and priority`);
    sources[name] = {
      businessUnit: name,
      files: files(s),
      delimiter: s.delimiter,
      encoding: s.encoding,
      dateFormats: dateFormats(s, dateColumns),
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
    const columns: Record<string, ActivityField | null> = {};
    const dateColumns: number[] = [];
    s.header.forEach((h, i) => {
      if (h === key || h === refHeader) return;
      const g = guess(h, ACTIVITY_SYNONYMS);
      columns[h] = g?.field ?? null;
      if (!g) review.push(`${name}: column "${h}" was not recognised; mapped to null (ignored)`);
      else if (g.rating < CONFIDENT) review.push(`${name}: column "${h}" guessed as ${g.field} (confidence ${g.rating.toFixed(2)})`);
      if (g && (g.field === 'occurred_at' || g.field === 'closed_at')) dateColumns.push(i);
    });
    if (!refHeader) review.push(`${name}: no column found that names the customer; set customer.column`);
    review.push(`${name}: guessed as ${kind} rows keyed by "${key}"; check customer reference`);
    activities[name] = {
      kind,
      businessUnit: refSource ?? name,
      files: files(s),
      delimiter: s.delimiter,
      encoding: s.encoding,
      dateFormats: dateFormats(s, dateColumns),
      key,
      customer: refSource
        ? { column: refHeader!, by: 'source_key', source: refSource }
        : { column: refHeader ?? 'customer_id', by: refHeader && /mail/i.test(refHeader) ? 'email' : 'source_key' },
      columns,
    };
  }
  return { review, defaultCountry: 'US', sources, activities };
}
