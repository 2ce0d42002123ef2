import { describe, expect, it } from 'vitest';
import {
  createDateParser,
  normalizeCustomer,
  type NormalizedCustomer,
  type NormalizeOptions,
  type RawCustomer,
} from '../../src/normalize/index.js';

const options: NormalizeOptions = { country: 'US', parseDate: createDateParser(['MM/DD/YYYY', 'ISO']), required: [] };

function ok(raw: RawCustomer, opts: NormalizeOptions = options, key = 'c1'): NormalizedCustomer {
  const result = normalizeCustomer(key, raw, opts);
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.record;
}

function rejected(raw: RawCustomer, opts: NormalizeOptions = options, key = 'c1'): string {
  const result = normalizeCustomer(key, raw, opts);
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
}

describe('normalizeCustomer', () => {
  it('normalises a typical row', () => {
    const r = ok({
      given_name: ['BILL'],
      family_name: ['mcdonald'],
      email: [' Bill.McDonald+shop@Gmail.com '],
      phone: ['(212) 555-0123'],
      street: ['12 north main street apt 4'],
      city: ['SPRINGFIELD'],
      region: ['Illinois'],
      postcode: ['62704-1234'],
      birth_date: ['07/04/1980'],
      gender: ['male'],
    });
    expect(r).toEqual({
      source_key: 'c1',
      title: null,
      given_name: 'Bill',
      middle_name: null,
      family_name: 'McDonald',
      name_suffix: null,
      given_name_match: 'bill',
      family_name_match: 'mcdonald',
      given_name_formal: 'william',
      family_phonetic: 'MKTNLT',
      email: 'bill.mcdonald+shop@gmail.com',
      email_match: 'bill.mcdonald@gmail.com',
      other_emails: [],
      phone: '+12125550123',
      other_phones: [],
      street: '12 N Main St',
      street_match: '12 n main st',
      house_number: '12',
      address_line2: 'Apt 4',
      city: 'Springfield',
      region: 'IL',
      postcode: '62704',
      country: 'US',
      birth_date: '1980-07-04',
      birth_year: 1980,
      gender: 'M',
      customer_since: null,
      issues: [],
    });
  });

  it('takes names from full_name; explicit parts win; a suffix in family_name is split out', () => {
    const fromFull = ok({ full_name: ['SMITH, Mary Anne Jr.'] });
    expect(fromFull).toMatchObject({ given_name: 'Mary', middle_name: 'Anne', family_name: 'Smith', name_suffix: 'JR' });
    const mixed = ok({ full_name: ['Dr. Robert Q. Smith'], given_name: ['Bob'], family_name: ['Smith Jr'] });
    expect(mixed).toMatchObject({
      title: 'Dr', given_name: 'Bob', middle_name: 'Q', family_name: 'Smith', name_suffix: 'JR',
      given_name_formal: 'robert', family_name_match: 'smith',
    });
    expect(ok({ family_name: ['Smith III'], name_suffix: ['Sr.'] }).name_suffix).toBe('SR');
  });

  it('gives accent-free matching forms and a phonetic key', () => {
    const r = ok({ given_name: ['José'], family_name: ["O'Brien-Müller"] });
    expect(r).toMatchObject({ given_name_match: 'jose', family_name_match: 'obrien muller', family_phonetic: 'APRNMLR' });
    expect(ok({ family_name: ['van der Berg'] }).family_phonetic).toBe(ok({ family_name: ['Vanderberg'] }).family_phonetic);
  });

  it('keeps the first valid e-mail and phone, others deduplicated, invalid ones as issues', () => {
    const r = ok({
      email: ['n/a', 'a@x.com', 'A@X.com', 'b@y.org; c@z.net', 'broken@'],
      phone: ['000-000-0000', '212 555 0123', '+1 (212) 555-0123', '415-555-0199'],
    });
    expect(r.email).toBe('a@x.com');
    expect(r.other_emails).toEqual(['b@y.org', 'c@z.net']);
    expect(r.phone).toBe('+12125550123');
    expect(r.other_phones).toEqual(['+14155550199']);
    expect(r.issues).toEqual(['email: invalid (placeholder)', 'email: invalid (no domain)', 'phone: invalid (placeholder)']);
  });

  it('reads phones with the row country when there is one', () => {
    const r = ok({ phone: ['020 7946 0018'], country: ['United Kingdom'], postcode: ['ls14ab'] });
    expect(r).toMatchObject({ phone: '+442079460018', country: 'GB', postcode: 'LS1 4AB' });
    const unknown = ok({ country: ['Narnia'] });
    expect(unknown.country).toBe('US');
    expect(unknown.issues).toEqual(['country: unknown (Narnia)']);
  });

  it('uses the one-line address for the parts not given separately', () => {
    expect(ok({ address: ['12 Main St Apt 4, Springfield, IL 62704'] })).toMatchObject({
      street: '12 Main St', address_line2: 'Apt 4', city: 'Springfield', region: 'IL', postcode: '62704', house_number: '12',
    });
    expect(ok({ address: ['12 Main St, Springfield, IL 62704'], city: ['Chicago'], address_line2: ['#5'] })).toMatchObject({
      street: '12 Main St', address_line2: 'Apt 5', city: 'Chicago', region: 'IL',
    });
  });

  it('notes an invalid postcode', () => {
    const r = ok({ postcode: ['ABC'] });
    expect(r.postcode).toBeNull();
    expect(r.issues).toEqual(['postcode: invalid (ABC)']);
  });

  it('rejects unreadable, impossible and future birth dates', () => {
    expect(rejected({ birth_date: ['02/30/1980'] })).toBe('birth_date: impossible date 02/30/1980 (February has 29 days in 1980)');
    expect(rejected({ birth_date: ['yesterday'] })).toBe('birth_date: unreadable date "yesterday" (expected MM/DD/YYYY or ISO)');
    expect(rejected({ birth_date: ['2099-01-01'] })).toBe('birth_date: in the future (2099-01-01)');
    expect(ok({ birth_date: ['1980-07-04T10:00:00Z'] })).toMatchObject({ birth_date: '1980-07-04', birth_year: 1980 });
  });

  it('reads customer_since; unreadable rejects, future is an issue', () => {
    expect(ok({ customer_since: ['2015-03-01'] }).customer_since).toBe('2015-03-01');
    expect(rejected({ customer_since: ['31/31/2015'] })).toMatch(/^customer_since: /);
    expect(ok({ customer_since: ['2099-01-01'] }).issues).toEqual(['customer_since: in the future (2099-01-01)']);
  });

  it('maps gender', () => {
    const g = (v: string): string | null => ok({ gender: [v] }).gender;
    expect([g('f'), g('Female'), g('W'), g('m'), g('MALE'), g('x'), g('diverse'), g('unknown'), g('N/A')]).toEqual([
      'F', 'F', 'F', 'M', 'M', 'X', 'X', null, null,
    ]);
  });

  it('rejects a missing source key', () => {
    expect(rejected({ given_name: ['Ann'] }, options, '  ')).toBe('missing source key');
    expect(ok({}, options, ' k9 ').source_key).toBe('k9');
  });

  it('rejects rows missing required fields, with the invalid reason when a value was there', () => {
    const strict: NormalizeOptions = { ...options, required: ['email', 'family_name'] };
    expect(rejected({ family_name: ['Smith'] }, strict)).toBe('missing required field email');
    expect(rejected({ family_name: ['Smith'], email: ['john.smith'] }, strict)).toBe('email: invalid (no @)');
    expect(rejected({ email: ['a@x.com'] }, strict)).toBe('missing required field family_name');
    expect(ok({ email: ['a@x.com'], full_name: ['John Smith'] }, strict).family_name).toBe('Smith');
    const phoneRequired: NormalizeOptions = { ...options, required: ['phone', 'full_name', 'address'] };
    expect(rejected({ phone: ['123-456-7890'] }, phoneRequired)).toBe('phone: invalid (placeholder)');
    expect(ok({ phone: ['2125550123'], full_name: ['Cher'], address: ['1 Main St, Springfield, IL 62704'] }, phoneRequired).phone).toBe(
      '+12125550123',
    );
  });
});
