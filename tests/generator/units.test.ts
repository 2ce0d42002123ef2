import { isValidPhoneNumber } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/generator/csv.js';
import { civilFromDays, daysFromCivil, DayTable, formatParts, isoDay, parseIsoDay } from '../../src/generator/dates.js';
import { EmailNumbers, formatPhone, keys, phoneNumber, type PhoneStyle } from '../../src/generator/identifiers.js';
import { nickname, slug, stripAccents, transliterate, typo } from '../../src/generator/noise.js';
import { Rng } from '../../src/generator/prng.js';

/** Levenshtein distance counting an adjacent swap as one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

describe('prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const xs = Array.from({ length: 100 }, () => a.uint32());
    expect(Array.from({ length: 100 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.uint32())).not.toEqual(xs);
  });

  it('draws roughly uniform values and Poisson means', () => {
    const r = new Rng(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += r.next();
    expect(sum / 20000).toBeCloseTo(0.5, 1);
    let p = 0;
    for (let i = 0; i < 20000; i++) p += r.poisson(3.5);
    expect(p / 20000).toBeCloseTo(3.5, 1);
    for (let i = 0; i < 1000; i++) {
      const k = r.range(3, 5);
      expect(k >= 3 && k <= 5).toBe(true);
    }
  });
});

describe('dates', () => {
  it('round-trips civil dates', () => {
    for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [2024, 12, 31], [1931, 7, 4], [2100, 3, 1]] as const) {
      expect(civilFromDays(daysFromCivil(y, m, d))).toEqual({ y, m, d });
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(isoDay(parseIsoDay('2025-12-31'))).toBe('2025-12-31');
    expect(() => parseIsoDay('2025-02-30')).toThrow();
  });

  it('formats days in each silo format, also impossible ones on purpose', () => {
    const t = new DayTable(parseIsoDay('2024-01-01'), parseIsoDay('2024-12-31'));
    const day = parseIsoDay('2024-03-05');
    expect(t.format(day, 'DD.MM.YYYY')).toBe('05.03.2024');
    expect(t.format(day, 'MM/DD/YYYY')).toBe('03/05/2024');
    expect(t.format(day, 'YYYY/MM/DD')).toBe('2024/03/05');
    expect(t.format(parseIsoDay('2026-01-02'), 'YYYY-MM-DD')).toBe('2026-01-02'); // outside the table
    expect(formatParts(1985, 2, 31, 'DD.MM.YYYY')).toBe('31.02.1985');
  });
});

describe('noise', () => {
  it('typos are one edit away', () => {
    const r = new Rng(5);
    for (const name of ['Elizabeth', 'Johnson', 'Rodríguez', 'Lee', 'McDonald']) {
      for (let i = 0; i < 50; i++) expect(editDistance(typo(name, r), name)).toBeLessThanOrEqual(1);
    }
  });

  it('nicknames, accents and slugs', () => {
    const r = new Rng(6);
    expect(['Bill', 'Will', 'Billy', 'Liam']).toContain(nickname('William', r));
    expect(['Liz', 'Beth', 'Betsy', 'Lizzie', 'Eliza']).toContain(nickname('Elizabeth', r));
    expect(nickname('Zoë', r)).toBe('Zoë');
    expect(stripAccents('José Muñoz Zoë')).toBe('Jose Munoz Zoe');
    expect(transliterate('Müller, Zoë')).toBe('Mueller, Zoe');
    expect(slug("O'Brien-Núñez")).toBe('obriennunez');
  });
});

describe('identifiers', () => {
  it('phone numbers are unique per area code, valid, and formatted in every style', () => {
    const seen = new Set<string>();
    for (let id = 1; id <= 20000; id++) {
      for (const kind of ['mobile', 'landline'] as const) {
        const n = phoneNumber(212, id, kind);
        expect(seen.has(n)).toBe(false);
        seen.add(n);
      }
    }
    const styles: PhoneStyle[] = ['paren', 'parenTight', 'dots', 'dashes', 'plain', 'intlSpaced', 'e164', 'oneDashes'];
    for (const id of [1, 77, 4321, 999_999]) {
      for (const style of styles) {
        const text = formatPhone(phoneNumber(415, id, 'mobile'), style);
        expect(isValidPhoneNumber(text, 'US'), text).toBe(true);
      }
    }
    expect(formatPhone('2125550143', 'paren')).toBe('(212) 555-0143');
    expect(formatPhone('2125550143', 'dots')).toBe('212.555.0143');
    expect(formatPhone('2125550143', 'intlSpaced')).toBe('+1 212 555 0143');
  });

  it('e-mail numbers and card keys are unique', () => {
    const numbers = new EmailNumbers(5000);
    const seen = new Set<number>();
    for (let id = 1; id <= 5000; id++) seen.add(numbers.get(id, 1));
    expect(seen.size).toBe(5000);
    const cards = new Set<string>();
    for (let n = 1; n <= 5000; n++) cards.add(keys.card(n));
    expect(cards.size).toBe(5000);
  });
});

describe('csv', () => {
  it('quotes only when needed', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', ''], ',')).toBe('a,"b,c","say ""hi""",');
    expect(csvLine(['a', 'b,c'], '\t')).toBe('a\tb,c');
  });
});
