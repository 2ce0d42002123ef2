import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/normalize/index.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases; match drops the +tag', () => {
    expect(normalizeEmail('  John.Smith+News@Gmail.COM ')).toEqual({
      email: 'john.smith+news@gmail.com',
      match: 'john.smith@gmail.com',
      reason: null,
    });
    expect(normalizeEmail('a+b@x.com').match).toBe('a@x.com');
    expect(normalizeEmail('plain@acme.co.uk')).toEqual({ email: 'plain@acme.co.uk', match: 'plain@acme.co.uk', reason: null });
  });
  it('unwraps <…>, "Name <…>" and mailto:', () => {
    expect(normalizeEmail('<a@b.co>').email).toBe('a@b.co');
    expect(normalizeEmail('John Smith <J.Smith@Acme.com>').email).toBe('j.smith@acme.com');
    expect(normalizeEmail('mailto:Jane@Acme.org').email).toBe('jane@acme.org');
  });
  it.each([
    ['john.smith', 'no @'],
    ['john@', 'no domain'],
    ['@acme.com', 'no local part'],
    ['john@acme', 'domain has no dot'],
    ['jo hn@acme.com', 'contains spaces'],
    ['a@@acme.com', 'more than one @'],
    ['john@acme..com', 'invalid domain'],
    ['john@-acme.com', 'invalid domain'],
    ['john@acme.c', 'invalid domain'],
    ['john..smith@acme.com', 'invalid local part'],
  ])('%s is invalid: %s', (raw, reason) => {
    expect(normalizeEmail(raw)).toEqual({ email: null, match: null, reason });
  });
  it.each(['n/a', 'N/A', 'none', 'NULL', '-', 'no email', 'noemail@gmail.com', 'test@test.com', 'x@x.x', 'foo@example.com',
    'donotreply@acme.com', 'john@acme.invalid', 'aaa@aaa.com'])('%s is a placeholder', (raw) => {
    expect(normalizeEmail(raw)).toEqual({ email: null, match: null, reason: 'placeholder' });
  });
  it('accepts a trailing root dot and internationalised (punycode) domains', () => {
    expect(normalizeEmail('a@acme.com.').email).toBe('a@acme.com');
    expect(normalizeEmail('a@xn--bcher-kva.xn--p1ai').email).toBe('a@xn--bcher-kva.xn--p1ai');
  });
});
