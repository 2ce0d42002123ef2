import metadata from 'libphonenumber-js/metadata.min.json';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../src/normalize/index.js';
import { phoneViaLibrary } from '../../src/normalize/phones.js';

describe('normalizePhone', () => {
  it.each([
    ['(212) 555-0123', '+12125550123'],
    ['212-555-0123', '+12125550123'],
    ['212.555.0123', '+12125550123'],
    ['2125550123', '+12125550123'],
    ['+1 212 555 0123', '+12125550123'],
    ['1-212-555-0123', '+12125550123'],
    ['011 44 20 7946 0018', '+442079460018'],
    ['+44 20 7946 0018', '+442079460018'],
    ['+33 1 42 68 53 00', '+33142685300'],
    ['212-555-0123 ext. 45', '+12125550123'],
  ])('US default: %s → %s', (raw, e164) => {
    expect(normalizePhone(raw, 'US')).toEqual({ e164, reason: null });
  });
  it('reads national numbers with the default country', () => {
    expect(normalizePhone('020 7946 0018', 'GB').e164).toBe('+442079460018');
    expect(normalizePhone('07911 123456', 'GB').e164).toBe('+447911123456');
    expect(normalizePhone('07700 900123', 'GB').e164).toBeNull(); // reserved for drama
    expect(normalizePhone('030 123456', 'DE').e164).toBe('+4930123456');
    expect(normalizePhone('(416) 555-0123', 'CA').e164).toBe('+14165550123');
    expect(normalizePhone('2125550123', 'us').e164).toBe('+12125550123');
  });
  it.each(['000-000-0000', '1234567890', '999-999-9999', '555-555-5555', '1-000-000-0000', '9876543210', '0123456789', 'n/a', 'none'])(
    '%s is a placeholder',
    (raw) => {
      expect(normalizePhone(raw, 'US')).toEqual({ e164: null, reason: 'placeholder' });
    },
  );
  it('rejects invalid numbers with a reason', () => {
    expect(normalizePhone('(123) 456-7891', 'US')).toEqual({ e164: null, reason: 'invalid' });
    expect(normalizePhone('020 7946 0018', 'US')).toEqual({ e164: null, reason: 'invalid' });
    expect(normalizePhone('123', 'US')).toEqual({ e164: null, reason: 'too short' });
    expect(normalizePhone('call me', 'US')).toEqual({ e164: null, reason: 'not a phone number' });
  });
  it('still reads +numbers when the default country is unknown', () => {
    expect(normalizePhone('+44 20 7946 0018', 'XX').e164).toBe('+442079460018');
    expect(normalizePhone('2125550123', 'XX')).toEqual({ e164: null, reason: 'unknown country XX' });
  });
});

/**
 * The fast path replays libphonenumber-js's parsing for plain digit strings; it must give the
 * library's answer for every input. Inputs: each country's example number in national,
 * international, IDD and "calling code without +" forms, variations of them, and random digits.
 */
describe('fast path equals libphonenumber-js', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const countries = Object.keys(metadata.countries);
  const ex = examples as Record<string, string>;
  const meta = metadata.countries as Record<string, unknown[]>;

  it('agrees on generated inputs for all countries', () => {
    let checked = 0;
    const mismatches: string[] = [];
    const check = (raw: string, country: string): void => {
      const mine = normalizePhone(raw, country);
      if (mine.reason === 'placeholder' || mine.reason === 'too short' || mine.reason === 'too long') return;
      checked++;
      const lib = phoneViaLibrary(raw, country);
      if (mine.e164 !== lib && mismatches.length < 10) mismatches.push(`${country} ${raw}: ${mine.e164} vs ${lib}`);
    };
    for (const country of countries) {
      const example = ex[country];
      if (example === undefined) continue;
      const cc = String(meta[country]![0]);
      const prefix = typeof meta[country]![5] === 'string' ? (meta[country]![5] as string) : '';
      for (let i = 0; i < 40; i++) {
        const tail = String(rnd(10000)).padStart(4, '0');
        const n = example.slice(0, -4) + tail;
        check(n, country);
        check(prefix + n, country);
        check(cc + n, country);
        check('+' + cc + ' ' + n, country);
        check('00' + cc + n, country);
        let random = '';
        const len = example.length - 2 + rnd(5);
        for (let j = 0; j < len; j++) random += String(rnd(10));
        check(random, country);
        check(prefix + random, country);
        check('(' + random.slice(0, 3) + ') ' + random.slice(3), country);
      }
    }
    for (const country of ['US', 'CA', 'GB', 'DE', 'FR', 'AU', 'IN', 'BR', 'MX', 'AR']) {
      for (let i = 0; i < 300; i++) {
        const other = countries[rnd(countries.length)]!;
        const e = ex[other];
        if (e !== undefined) check('+' + String(meta[other]![0]) + e, country);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(50_000);
  });
});
