import { describe, expect, it } from 'vitest';
import {
  createDateParser,
  normalizeActivity,
  parseAmount,
  type NormalizedActivity,
  type NormalizeOptions,
  type RawActivity,
} from '../../src/normalize/index.js';

const options: NormalizeOptions = { country: 'US', parseDate: createDateParser(['ISO', 'MM/DD/YYYY']), required: [] };

function ok(raw: RawActivity): NormalizedActivity {
  const result = normalizeActivity(raw, options);
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.record;
}

function rejected(raw: RawActivity): string {
  const result = normalizeActivity(raw, options);
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
}

describe('parseAmount', () => {
  it.each([
    ['1,234.50', '1234.50', null],
    ['-12.00', '-12.00', null],
    ['(12.00)', '-12.00', null],
    ['$12', '12', null],
    ['-$12.10', '-12.10', null],
    ['12.5 EUR', '12.5', 'EUR'],
    ['EUR 12', '12', 'EUR'],
    ['€ 3,5', '3.5', 'EUR'],
    ['£1,000,000.99', '1000000.99', 'GBP'],
    ['12,50', '12.50', null],
    ['1.234,50', '1234.50', null],
    ['1 234,56', '1234.56', null],
    ["1'234.50", '1234.50', null],
    ['1,234', '1234', null],
    ['0,125', '0.125', null],
    ['1.234.567', '1234567', null],
    ['12.00-', '-12.00', null],
    ['.5', '0.5', null],
    ['007', '7', null],
    ['-0.00', '0.00', null],
    ['US$ 5', '5', 'USD'],
  ])('%s → %s %s', (raw, amount, currency) => {
    expect(parseAmount(raw)).toEqual({ amount, currency, reason: null });
  });
  it.each(['abc', '1,23,456', '12..5', '1.234,5,6', '--', '$'])('%s is unreadable', (raw) => {
    expect(parseAmount(raw)).toEqual({ amount: null, currency: null, reason: `unreadable amount "${raw}"` });
  });
  it('gives nothing for an empty cell', () => {
    expect(parseAmount('  ')).toEqual({ amount: null, currency: null, reason: null });
  });
  it('reads plain cells (its fast path) exactly as the general rules do', () => {
    // A surrounding space sends a cell down the general path.
    const cells = ['0', '-0', '0.00', '-0.00', '-0.50', '7', '-12', '120', '35.02', '-35.02', '0.5', '10.000', '123456789012.34', '01.5', '-007', '1.'];
    for (const cell of cells) expect(parseAmount(cell), cell).toEqual(parseAmount(` ${cell} `));
    expect(parseAmount('-0.50')).toEqual({ amount: '-0.50', currency: null, reason: null });
    expect(parseAmount('-0.00')).toEqual({ amount: '0.00', currency: null, reason: null });
  });
});

describe('normalizeActivity', () => {
  it('normalises an order', () => {
    expect(
      ok({
        occurred_at: ['2023-05-01T10:00:00Z'],
        amount: ['1,234.50'],
        currency: ['usd'],
        channel: [' Web '],
        category: [' Garden  tools '],
        status: ['SHIPPED'],
        description: ['  2 rakes '],
      }),
    ).toEqual({
      occurred_at: '2023-05-01T10:00:00',
      amount: '1234.50',
      currency: 'USD',
      channel: 'web',
      category: 'Garden tools',
      status: 'shipped',
      closed_at: null,
      csat: null,
      nps: null,
      description: '2 rakes',
      issues: [],
    });
  });
  it('reads refunds as negative amounts and takes the currency from the amount', () => {
    expect(ok({ occurred_at: ['2023-05-01'], amount: ['(19.99)'] }).amount).toBe('-19.99');
    expect(ok({ occurred_at: ['2023-05-01'], amount: ['-5 EUR'] })).toMatchObject({ amount: '-5', currency: 'EUR' });
    expect(ok({ occurred_at: ['2023-05-01'], amount: ['5 EUR'], currency: ['GBP'] })).toMatchObject({
      currency: 'GBP',
      issues: ['currency: amount says EUR, currency column says GBP'],
    });
    expect(ok({ occurred_at: ['2023-05-01'], currency: ['dollars'] }).issues).toEqual(['currency: invalid (dollars)']);
  });
  it('requires a readable occurred_at', () => {
    expect(rejected({ amount: ['5'] })).toBe('missing required field occurred_at');
    expect(rejected({ occurred_at: ['02/30/2023'] })).toBe('occurred_at: impossible date 02/30/2023 (February has 28 days in 2023)');
  });
  it('rejects an unreadable closed_at or amount; closed before opened is an issue', () => {
    expect(rejected({ occurred_at: ['2023-05-01'], closed_at: ['soon'] })).toMatch(/^closed_at: unreadable date "soon"/);
    expect(rejected({ occurred_at: ['2023-05-01'], amount: ['lots'] })).toBe('amount: unreadable amount "lots"');
    const t = ok({ occurred_at: ['2023-05-02T09:00:00Z'], closed_at: ['2023-05-01'] });
    expect(t.closed_at).toBe('2023-05-01');
    expect(t.issues).toEqual(['closed_at: before occurred_at (2023-05-01 < 2023-05-02T09:00:00)']);
    expect(ok({ occurred_at: ['2023-05-01T09:00:00Z'], closed_at: ['2023-05-01T12:00:00Z'] }).issues).toEqual([]);
  });
  it('checks csat 1–5 and nps 0–10', () => {
    expect(ok({ occurred_at: ['2023-05-01'], csat: ['5'], nps: ['0'] })).toMatchObject({ csat: 5, nps: 0 });
    expect(ok({ occurred_at: ['2023-05-01'], csat: ['4.0'], nps: ['10'] })).toMatchObject({ csat: 4, nps: 10 });
    expect(rejected({ occurred_at: ['2023-05-01'], csat: ['6'] })).toBe('csat: out of range (6, expected 1–5)');
    expect(rejected({ occurred_at: ['2023-05-01'], csat: ['0'] })).toBe('csat: out of range (0, expected 1–5)');
    expect(rejected({ occurred_at: ['2023-05-01'], nps: ['11'] })).toBe('nps: out of range (11, expected 0–10)');
    expect(rejected({ occurred_at: ['2023-05-01'], csat: ['great'] })).toBe('csat: not a whole number ("great")');
    expect(rejected({ occurred_at: ['2023-05-01'], nps: ['7.5'] })).toBe('nps: not a whole number ("7.5")');
  });
});
