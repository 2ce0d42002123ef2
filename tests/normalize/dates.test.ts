import { describe, expect, it } from 'vitest';
import { createDateParser } from '../../src/normalize/index.js';

describe('createDateParser', () => {
  const dmy = createDateParser(['DD/MM/YYYY']);
  const mdy = createDateParser(['MM/DD/YYYY']);

  it('reads day/month and month/day formats', () => {
    expect(dmy('31/01/2020')).toEqual({ ok: true, value: '2020-01-31' });
    expect(mdy('01/31/2020')).toEqual({ ok: true, value: '2020-01-31' });
    expect(dmy(' 05/06/1990 ')).toEqual({ ok: true, value: '1990-06-05' });
  });
  it('rejects impossible dates, saying why', () => {
    expect(dmy('31/02/2020')).toEqual({ ok: false, reason: 'impossible date 31/02/2020 (February has 29 days in 2020)' });
    expect(dmy('29/02/2021')).toEqual({ ok: false, reason: 'impossible date 29/02/2021 (February has 28 days in 2021)' });
    expect(dmy('31/04/2021')).toEqual({ ok: false, reason: 'impossible date 31/04/2021 (April has 30 days in 2021)' });
    expect(dmy('01/13/2020')).toEqual({ ok: false, reason: 'impossible date 01/13/2020 (no month 13)' });
    expect(dmy('00/12/2020')).toEqual({ ok: false, reason: 'impossible date 00/12/2020 (no day 0)' });
    expect(dmy('29/02/2000')).toEqual({ ok: true, value: '2000-02-29' });
    expect(dmy('29/02/1900').ok).toBe(false);
  });
  it('rejects values matching no format, naming the formats tried', () => {
    const p = createDateParser(['DD/MM/YYYY', 'ISO']);
    expect(p('next tuesday')).toEqual({ ok: false, reason: 'unreadable date "next tuesday" (expected DD/MM/YYYY or ISO)' });
    expect(p('1/2/2020')).toEqual({ ok: false, reason: 'unreadable date "1/2/2020" (expected DD/MM/YYYY or ISO)' });
  });
  it('rejects years outside 1900–2100', () => {
    expect(dmy('01/01/1850')).toEqual({ ok: false, reason: 'date out of range 01/01/1850 (year 1850, expected 1900–2100)' });
    expect(dmy('01/01/2101').ok).toBe(false);
  });
  it('tries formats in order and uses the first that gives a real date', () => {
    const p = createDateParser(['MM/DD/YYYY', 'DD/MM/YYYY']);
    expect(p('02/03/2020')).toEqual({ ok: true, value: '2020-02-03' });
    expect(p('25/03/2020')).toEqual({ ok: true, value: '2020-03-25' });
  });
  it('reads single-digit M/D, two-digit years with a pivot, and month names', () => {
    const p = createDateParser(['M/D/YY', 'D MMM YYYY', 'MMM D, YYYY']);
    expect(p('1/2/85')).toEqual({ ok: true, value: '1985-01-02' });
    expect(p('12/31/29')).toEqual({ ok: true, value: '2029-12-31' });
    expect(p('12/31/30')).toEqual({ ok: true, value: '1930-12-31' });
    expect(p('3 jan 2001')).toEqual({ ok: true, value: '2001-01-03' });
    expect(p('3 SEPT. 2001')).toEqual({ ok: true, value: '2001-09-03' });
    expect(p('March 7, 1999')).toEqual({ ok: true, value: '1999-03-07' });
    expect(p('3 Foo 2001').ok).toBe(false);
  });
  it('reads date-times', () => {
    const p = createDateParser(['YYYY-MM-DD HH:mm:ss', 'DD.MM.YYYY H:mm']);
    expect(p('2001-02-03 04:05:06')).toEqual({ ok: true, value: '2001-02-03T04:05:06' });
    expect(p('03.02.2001 4:05')).toEqual({ ok: true, value: '2001-02-03T04:05:00' });
    expect(p('2001-02-03 25:05:06')).toEqual({ ok: false, reason: 'impossible time 2001-02-03 25:05:06 (hour 25)' });
    expect(p('2001-02-03 23:60:00')).toEqual({ ok: false, reason: 'impossible time 2001-02-03 23:60:00 (minute 60)' });
  });
  it('reads ISO 8601 dates and date-times, converting offsets to UTC', () => {
    const p = createDateParser(['ISO']);
    expect(p('2020-01-31')).toEqual({ ok: true, value: '2020-01-31' });
    expect(p('2020-01-31T10:20:30Z')).toEqual({ ok: true, value: '2020-01-31T10:20:30' });
    expect(p('2020-01-31T10:20:30.123456Z')).toEqual({ ok: true, value: '2020-01-31T10:20:30' });
    expect(p('2020-01-31 10:20')).toEqual({ ok: true, value: '2020-01-31T10:20:00' });
    expect(p('2020-01-31T23:30:00-02:00')).toEqual({ ok: true, value: '2020-02-01T01:30:00' });
    expect(p('2020-03-01T01:00:00+0230')).toEqual({ ok: true, value: '2020-02-29T22:30:00' });
    expect(p('2020-02-30')).toEqual({ ok: false, reason: 'impossible date 2020-02-30 (February has 29 days in 2020)' });
    expect(p('2020-13-01').ok).toBe(false);
    expect(p('20200131').ok).toBe(false);
  });
  it('gives the same answer when a value repeats (memoised)', () => {
    const p = createDateParser(['DD/MM/YYYY']);
    for (let i = 0; i < 20_000; i++) {
      const d = String((i % 28) + 1).padStart(2, '0');
      expect(p(`${d}/05/1980`)).toEqual({ ok: true, value: `1980-05-${d}` });
    }
    expect(p('31/02/1980').ok).toBe(false);
  });
  it('needs at least one format', () => {
    expect(() => createDateParser([])).toThrow();
  });
});
