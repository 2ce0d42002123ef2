import { describe, expect, it } from 'vitest';
import {
  normalizeCity,
  normalizeCountry,
  normalizePostcode,
  normalizeRegion,
  normalizeStreet,
  normalizeUnit,
  splitOneLineAddress,
} from '../../src/normalize/index.js';

describe('normalizeStreet', () => {
  it('abbreviates the street suffix and title-cases', () => {
    expect(normalizeStreet('12 MAIN STREET')).toEqual({ street: '12 Main St', match: '12 main st', houseNumber: '12', unit: null });
    expect(normalizeStreet('350 fifth avenue').street).toBe('350 Fifth Ave');
    expect(normalizeStreet('9 Sunset Boulevard').street).toBe('9 Sunset Blvd');
    expect(normalizeStreet('1 Oak Drive').street).toBe('1 Oak Dr');
    expect(normalizeStreet('4 Elm Lane').street).toBe('4 Elm Ln');
    expect(normalizeStreet('5 Kings Court').street).toBe('5 Kings Ct');
    expect(normalizeStreet('6 Park Place').street).toBe('6 Park Pl');
    expect(normalizeStreet('7 Hill Terrace').street).toBe('7 Hill Ter');
    expect(normalizeStreet('8 Pacific Coast Highway').street).toBe('8 Pacific Coast Hwy');
    expect(normalizeStreet('9 Garden State Parkway').street).toBe('9 Garden State Pkwy');
    expect(normalizeStreet('10 Dupont Circle').street).toBe('10 Dupont Cir');
    expect(normalizeStreet('11 Mill Road').street).toBe('11 Mill Rd');
    expect(normalizeStreet('12 Main St.').street).toBe('12 Main St');
  });
  it('abbreviates only the last word as suffix', () => {
    expect(normalizeStreet('77 Court Street').street).toBe('77 Court St');
    expect(normalizeStreet('1 Avenue Road').street).toBe('1 Avenue Rd');
  });
  it('abbreviates directionals before and after, but not when they are the name', () => {
    expect(normalizeStreet('12 north main street').street).toBe('12 N Main St');
    expect(normalizeStreet('1600 Pennsylvania Avenue Northwest').street).toBe('1600 Pennsylvania Ave NW');
    expect(normalizeStreet('12 North Street').street).toBe('12 North St');
  });
  it('splits a unit out of the line', () => {
    expect(normalizeStreet('12 Main St Apt 4')).toEqual({ street: '12 Main St', match: '12 main st', houseNumber: '12', unit: 'Apt 4' });
    expect(normalizeStreet('12 Main St, Apartment 4b').unit).toBe('Apt 4B');
    expect(normalizeStreet('500 W Madison St Suite 200').unit).toBe('Ste 200');
    expect(normalizeStreet('500 W Madison St Unit 3').unit).toBe('Unit 3');
    expect(normalizeStreet('12 Main St #12').unit).toBe('Apt 12');
    expect(normalizeStreet('12 Main St Apt. #7').unit).toBe('Apt 7');
    expect(normalizeStreet('Flat 3, 12 High Street')).toEqual({ street: '12 High St', match: '12 high st', houseNumber: '12', unit: 'Flat 3' });
  });
  it('keeps ordinals, letters in house numbers, PO boxes and continental order', () => {
    expect(normalizeStreet('100 2ND AVE').street).toBe('100 2nd Ave');
    expect(normalizeStreet('12a Main St')).toMatchObject({ street: '12A Main St', houseNumber: '12A' });
    expect(normalizeStreet('p.o. box 123')).toEqual({ street: 'PO Box 123', match: 'po box 123', houseNumber: null, unit: null });
    expect(normalizeStreet('Hauptstraße 5')).toEqual({ street: 'Hauptstraße 5', match: 'hauptstrasse 5', houseNumber: '5', unit: null });
  });
  it('returns nulls for blank input', () => {
    expect(normalizeStreet('  ')).toEqual({ street: null, match: null, houseNumber: null, unit: null });
  });
});

describe('normalizeUnit', () => {
  it('standardises unit lines', () => {
    expect(normalizeUnit('apt 4')).toBe('Apt 4');
    expect(normalizeUnit('#12')).toBe('Apt 12');
    expect(normalizeUnit('Suite 200')).toBe('Ste 200');
    expect(normalizeUnit('4B')).toBe('Apt 4B');
    expect(normalizeUnit('Rear')).toBe('Rear');
    expect(normalizeUnit('c/o Jane Doe')).toBe('c/o Jane Doe');
    expect(normalizeUnit('  ')).toBeNull();
  });
});

describe('normalizePostcode', () => {
  it('keeps the 5-digit US ZIP and repairs lost leading zeros', () => {
    expect(normalizePostcode('62704', 'US')).toBe('62704');
    expect(normalizePostcode('62704-1234', 'US')).toBe('62704');
    expect(normalizePostcode('627041234', 'US')).toBe('62704');
    expect(normalizePostcode('2139', 'US')).toBe('02139');
    expect(normalizePostcode('501', 'US')).toBe('00501');
    expect(normalizePostcode('2139-1234', 'US')).toBe('02139');
  });
  it('rejects what is not a US ZIP', () => {
    expect(normalizePostcode('abcde', 'US')).toBeNull();
    expect(normalizePostcode('00000', 'US')).toBeNull();
    expect(normalizePostcode('12', 'US')).toBeNull();
  });
  it('formats other countries', () => {
    expect(normalizePostcode('ls14ab', 'GB')).toBe('LS1 4AB');
    expect(normalizePostcode(' sw1a  1aa ', 'GB')).toBe('SW1A 1AA');
    expect(normalizePostcode('k1a0b1', 'CA')).toBe('K1A 0B1');
    expect(normalizePostcode('1234ab', 'NL')).toBe('1234 AB');
    expect(normalizePostcode('10115', 'DE')).toBe('10115');
    expect(normalizePostcode('  ab  12 ', 'FR')).toBe('AB 12');
  });
});

describe('normalizeRegion', () => {
  it('maps US state names and abbreviations to codes', () => {
    expect(normalizeRegion('Illinois', 'US')).toBe('IL');
    expect(normalizeRegion('il', 'US')).toBe('IL');
    expect(normalizeRegion('N.Y.', 'US')).toBe('NY');
    expect(normalizeRegion('new york', 'US')).toBe('NY');
    expect(normalizeRegion('Calif.', 'US')).toBe('CA');
    expect(normalizeRegion('District of Columbia', 'US')).toBe('DC');
  });
  it('maps Canadian provinces and keeps other values cleaned', () => {
    expect(normalizeRegion('Ontario', 'CA')).toBe('ON');
    expect(normalizeRegion('BAVARIA', 'DE')).toBe('Bavaria');
    expect(normalizeRegion('xx', 'US')).toBe('XX');
    expect(normalizeRegion('  ', 'US')).toBeNull();
  });
});

describe('normalizeCity and normalizeCountry', () => {
  it('title-cases cities', () => {
    expect(normalizeCity('SPRINGFIELD')).toBe('Springfield');
    expect(normalizeCity('new york')).toBe('New York');
    expect(normalizeCity('St. Louis')).toBe('St. Louis');
    expect(normalizeCity(' ')).toBeNull();
  });
  it('reads country names and codes', () => {
    expect(normalizeCountry('usa')).toBe('US');
    expect(normalizeCountry('United States')).toBe('US');
    expect(normalizeCountry('U.S.')).toBe('US');
    expect(normalizeCountry('England')).toBe('GB');
    expect(normalizeCountry('Deutschland')).toBe('DE');
    expect(normalizeCountry('fr')).toBe('FR');
    expect(normalizeCountry('Narnia')).toBeNull();
  });
});

describe('splitOneLineAddress', () => {
  it('splits "12 Main St Apt 4, Springfield, IL 62704"', () => {
    expect(splitOneLineAddress('12 Main St Apt 4, Springfield, IL 62704', 'US')).toEqual({
      street: '12 Main St', streetMatch: '12 main st', houseNumber: '12', unit: 'Apt 4',
      city: 'Springfield', region: 'IL', postcode: '62704',
    });
  });
  it('splits "12 Main St, Springfield IL 62704"', () => {
    expect(splitOneLineAddress('12 Main St, Springfield IL 62704', 'US')).toMatchObject({
      street: '12 Main St', unit: null, city: 'Springfield', region: 'IL', postcode: '62704',
    });
  });
  it('splits the UK form "12 High Street, Leeds, LS1 4AB"', () => {
    expect(splitOneLineAddress('12 High Street, Leeds, LS1 4AB', 'GB')).toMatchObject({
      street: '12 High St', city: 'Leeds', region: null, postcode: 'LS1 4AB',
    });
  });
  it('handles a unit part, full state names, a country and no commas', () => {
    expect(splitOneLineAddress('12 Main St, Apt 4, New York, New York 10001-1234, USA', 'US')).toMatchObject({
      street: '12 Main St', unit: 'Apt 4', city: 'New York', region: 'NY', postcode: '10001',
    });
    expect(splitOneLineAddress('12 Main St Springfield IL 62704', 'US')).toMatchObject({
      street: '12 Main St', city: 'Springfield', region: 'IL', postcode: '62704',
    });
    expect(splitOneLineAddress('Flat 3, 12 High Street, Leeds, West Yorkshire, LS1 4AB', 'GB')).toMatchObject({
      street: '12 High St', unit: 'Flat 3', city: 'Leeds', region: 'West Yorkshire', postcode: 'LS1 4AB',
    });
    expect(splitOneLineAddress('Hauptstraße 5, 10115 Berlin', 'DE')).toMatchObject({
      street: 'Hauptstraße 5', houseNumber: '5', city: 'Berlin', postcode: '10115',
    });
  });
  it('returns nulls for blank input', () => {
    expect(splitOneLineAddress(' ', 'US')).toEqual({
      street: null, streetMatch: null, houseNumber: null, unit: null, city: null, region: null, postcode: null,
    });
  });
});
