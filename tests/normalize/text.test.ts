import { describe, expect, it } from 'vitest';
import { cleanText, matchForm } from '../../src/normalize/index.js';

describe('matchForm', () => {
  it('lower-cases and strips accents', () => {
    expect(matchForm('José Müller')).toBe('jose muller');
    expect(matchForm('ÉLODIE')).toBe('elodie');
  });
  it('maps letters NFD cannot decompose', () => {
    expect(matchForm('Straße')).toBe('strasse');
    expect(matchForm('Æsir Ørsted Łukasz')).toBe('aesir orsted lukasz');
  });
  it('drops apostrophes and turns other punctuation runs into one space', () => {
    expect(matchForm("O'Brien")).toBe('obrien');
    expect(matchForm('O\u2019Neil')).toBe('oneil');
    expect(matchForm('Smith-Jones')).toBe('smith jones');
    expect(matchForm('  St. Louis,  MO ')).toBe('st louis mo');
    expect(matchForm('12 Main St.')).toBe('12 main st');
  });
  it('returns an empty string for nothing', () => {
    expect(matchForm('')).toBe('');
    expect(matchForm(' -- ')).toBe('');
  });
});

describe('cleanText', () => {
  it('trims and collapses whitespace', () => {
    expect(cleanText('  a   b\tc\u00a0d  ')).toBe('a b c d');
    expect(cleanText('plain')).toBe('plain');
  });
  it('returns null for empty or blank input', () => {
    expect(cleanText('')).toBeNull();
    expect(cleanText('   ')).toBeNull();
    expect(cleanText(null)).toBeNull();
    expect(cleanText(undefined)).toBeNull();
  });
});
