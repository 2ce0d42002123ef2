import { describe, expect, it } from 'vitest';
import {
  formalGivenName,
  NICKNAMES,
  normalizeSuffix,
  normalizeTitle,
  parseFullName,
  properCase,
  splitFamilySuffix,
} from '../../src/normalize/index.js';

describe('properCase', () => {
  it.each([
    ['mcdonald', 'McDonald'],
    ['MCDONALD', 'McDonald'],
    ["o'brien", "O'Brien"],
    ['SMITH-JONES', 'Smith-Jones'],
    ['van der berg', 'van der Berg'],
    ['DE LA CRUZ', 'de la Cruz'],
    ['macdonald', 'MacDonald'],
    ['mack', 'Mack'],
    ['SMITH', 'Smith'],
    ['smith', 'Smith'],
    ['JOSÉ', 'José'],
    ['henry iii', 'Henry III'],
    ['van', 'Van'],
  ])('%s → %s', (input, expected) => {
    expect(properCase(input)).toBe(expected);
  });
  it('leaves names already in mixed case alone', () => {
    expect(properCase('DeLuca')).toBe('DeLuca');
    expect(properCase('van Dyke')).toBe('van Dyke');
    expect(properCase('Smith')).toBe('Smith');
  });
  it('cleans whitespace and returns "" for nothing', () => {
    expect(properCase('  MARY   ANNE ')).toBe('Mary Anne');
    expect(properCase('   ')).toBe('');
  });
});

describe('parseFullName', () => {
  it('reads "LAST, First M."', () => {
    expect(parseFullName('SMITH, John M.')).toEqual({ title: null, given: 'John', middle: 'M', family: 'Smith', suffix: null });
  });
  it('reads "Last, First Middle Jr."', () => {
    expect(parseFullName('Smith, John Michael Jr.')).toEqual({
      title: null, given: 'John', middle: 'Michael', family: 'Smith', suffix: 'JR',
    });
  });
  it('reads "First M. Last"', () => {
    expect(parseFullName('John Q. Public')).toEqual({ title: null, given: 'John', middle: 'Q', family: 'Public', suffix: null });
  });
  it('reads "Dr. First Last Jr"', () => {
    expect(parseFullName('Dr. Jane Doe Jr')).toEqual({ title: 'Dr', given: 'Jane', middle: null, family: 'Doe', suffix: 'JR' });
  });
  it('reads "First Last III" and "First Last, Sr."', () => {
    expect(parseFullName('John Smith III')).toMatchObject({ given: 'John', family: 'Smith', suffix: 'III' });
    expect(parseFullName('John Smith, Sr.')).toMatchObject({ given: 'John', family: 'Smith', suffix: 'SR' });
  });
  it('puts extra given words in middle and keeps hyphenated family names whole', () => {
    expect(parseFullName('Mary Anne Smith-Jones')).toEqual({
      title: null, given: 'Mary', middle: 'Anne', family: 'Smith-Jones', suffix: null,
    });
  });
  it('keeps particles with the family name', () => {
    expect(parseFullName('Ludwig van Beethoven')).toMatchObject({ given: 'Ludwig', middle: null, family: 'van Beethoven' });
    expect(parseFullName('Juan de la Cruz')).toMatchObject({ given: 'Juan', family: 'de la Cruz' });
  });
  it('takes a single word as the family name', () => {
    expect(parseFullName('Madonna')).toEqual({ title: null, given: null, middle: null, family: 'Madonna', suffix: null });
  });
  it('drops nicknames in parentheses or quotes and credentials', () => {
    expect(parseFullName('Robert (Bob) Smith')).toMatchObject({ given: 'Robert', middle: null, family: 'Smith' });
    expect(parseFullName('Robert "Bob" Smith PhD')).toMatchObject({ given: 'Robert', family: 'Smith', suffix: null });
    expect(parseFullName('Smith, Dr. John, M.D.')).toMatchObject({ title: 'Dr', given: 'John', family: 'Smith' });
  });
  it('handles "Mr. and Mrs." couples by keeping the first title', () => {
    expect(parseFullName('Mr. and Mrs. John Smith')).toMatchObject({ title: 'Mr', given: 'John', family: 'Smith' });
  });
  it('proper-cases all-caps and all-lower input', () => {
    expect(parseFullName('MARY O\'BRIEN')).toMatchObject({ given: 'Mary', family: "O'Brien" });
    expect(parseFullName('mcdonald, ronald')).toMatchObject({ given: 'Ronald', family: 'McDonald' });
  });
  it('returns all nulls for blank input', () => {
    expect(parseFullName('   ')).toEqual({ title: null, given: null, middle: null, family: null, suffix: null });
  });
});

describe('normalizeSuffix', () => {
  it.each([
    ['Jr', 'JR'], ['Jr.', 'JR'], ['JR', 'JR'], ['Junior', 'JR'],
    ['Sr', 'SR'], ['senior', 'SR'], ['II', 'II'], ['iii', 'III'], ['IV', 'IV'], ['3rd', 'III'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeSuffix(input)).toBe(expected);
  });
  it('returns null for anything else', () => {
    expect(normalizeSuffix('PhD')).toBeNull();
    expect(normalizeSuffix('')).toBeNull();
  });
});

describe('normalizeTitle', () => {
  it('maps known titles and keeps unknown ones in display case', () => {
    expect(normalizeTitle('dr.')).toBe('Dr');
    expect(normalizeTitle('MRS')).toBe('Mrs');
    expect(normalizeTitle('Professor')).toBe('Prof');
    expect(normalizeTitle('PASTOR')).toBe('Pastor');
    expect(normalizeTitle('  ')).toBeNull();
  });
});

describe('splitFamilySuffix', () => {
  it('splits a suffix written into the family name', () => {
    expect(splitFamilySuffix('Smith Jr')).toEqual({ family: 'Smith', suffix: 'JR' });
    expect(splitFamilySuffix('SMITH, III')).toEqual({ family: 'Smith', suffix: 'III' });
    expect(splitFamilySuffix('van der Berg')).toEqual({ family: 'van der Berg', suffix: null });
  });
});

describe('formalGivenName', () => {
  it.each([
    ['bill', 'william'], ['will', 'william'], ['billy', 'william'],
    ['bob', 'robert'], ['rob', 'robert'], ['bobby', 'robert'],
    ['liz', 'elizabeth'], ['beth', 'elizabeth'], ['betty', 'elizabeth'], ['lizzie', 'elizabeth'],
    ['peggy', 'margaret'], ['jim', 'james'], ['jimmy', 'james'], ['dick', 'richard'],
    ['kate', 'katherine'], ['katie', 'katherine'], ['cathy', 'katherine'], ['tony', 'anthony'],
    ['sandy', 'sandra'], ['peg', 'margaret'], ['steve', 'stephen'],
  ])('%s → %s', (nick, formal) => {
    expect(formalGivenName(nick)).toBe(formal);
  });
  it('returns the input when no nickname applies', () => {
    expect(formalGivenName('william')).toBe('william');
    expect(formalGivenName('jack')).toBe('jack');
    expect(formalGivenName('mary anne')).toBe('mary anne');
    expect(formalGivenName('zebulon')).toBe('zebulon');
  });
  it('has a table of at least 250 nicknames, each listed once, in matching form', () => {
    const seen = new Map<string, string>();
    for (const [formal, nicks] of Object.entries(NICKNAMES)) {
      expect(formal).toMatch(/^[a-z]+$/);
      for (const nick of nicks) {
        expect(nick).toMatch(/^[a-z]+$/);
        expect(seen.has(nick), `${nick} listed under ${seen.get(nick)} and ${formal}`).toBe(false);
        expect(nick in NICKNAMES, `${nick} is also a formal name`).toBe(false);
        seen.set(nick, formal);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(250);
  });
});
