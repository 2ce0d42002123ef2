import { matchForm } from './text.js';

/** A read e-mail cell: `email` and `match` are null when it is invalid, and `reason` says why. */
export interface EmailResult {
  email: string | null; // lower-case address
  match: string | null; // address without the +tag: "a+news@x.com" → "a@x.com"
  reason: string | null; // "no @", "no domain", "placeholder", … when invalid
}

// Cells that say "there is no e-mail" (compared in matching form).
const PLACEHOLDER_TEXT: ReadonlySet<string> = new Set([
  '', 'n a', 'na', 'none', 'null', 'nil', 'unknown', 'no', 'no email', 'noemail', 'no e mail',
  'nomail', 'no mail', 'x', 'xx', 'xxx', 'test', 'tbd', 'declined', 'refused', 'not provided',
  'not given', 'not available', 'not applicable', 'unavailable', 'email', 'e mail', 'dont have',
  'do not have', 'nothing', 'blank', 'empty', 'missing', 'invalid', 'no address',
]);

// Local parts that stand for "no address" whatever the domain.
const PLACEHOLDER_LOCALS: ReadonlySet<string> = new Set([
  'noemail', 'no-email', 'no_email', 'no.email', 'nomail', 'no-mail', 'none', 'noreply', 'no-reply',
  'no_reply', 'donotreply', 'do-not-reply', 'do_not_reply', 'dontreply', 'na', 'n-a', 'null',
  'nobody', 'noone', 'no-one', 'unknown', 'test', 'testing', 'fake', 'dummy', 'sample', 'example',
  'invalid', 'notprovided', 'not-provided', 'noaddress', 'declined', 'refused', 'asdf', 'qwerty',
  'xxx', 'xx', 'x', 'email', 'nothing', 'blank',
]);

const PLACEHOLDER_DOMAINS: ReadonlySet<string> = new Set([
  'example.com', 'example.org', 'example.net', 'test.com', 'domain.com', 'noemail.com',
  'nomail.com', 'none.com', 'nowhere.com', 'fake.com', 'invalid.com', 'email.invalid',
  'noreply.com', 'no-reply.com', 'unknown.com', 'null.com', 'na.com', 'xxx.com', 'asdf.com',
]);
// Reserved top-level domains (RFC 2606 / 6761) never deliver mail.
const RESERVED_TLD = /\.(?:test|example|invalid|localhost|local)$/;

const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// LOCAL@DOMAIN in one test: the common, valid case takes only this and the placeholder checks.
const EMAIL = new RegExp(LOCAL.source.slice(0, -1) + '@' + DOMAIN.source.slice(1));
const WHITESPACE = /\s/;
const SAME_CHAR = /^(.)\1*$/;
const ANGLE = /<([^<>]*)>\s*$/;
function invalid(reason: string): EmailResult {
  return { email: null, match: null, reason };
}

/**
 * Reads one e-mail cell: trims, lower-cases, unwraps "<…>", "Name <…>" and "mailto:", then
 * checks it with a practical rule (one @, a local part of the usual characters, a domain of
 * valid labels with a dot and an alphabetic top-level label, no spaces). Junk that only looks
 * like an address ("n/a", "noemail@…", "test@test.com", "x@x.x", anything @example.com) is
 * rejected as "placeholder". No mailbox-provider rules (Gmail dots) are applied.
 */
export function normalizeEmail(raw: string): EmailResult {
  let s = raw.trim();
  if (s.includes('>')) {
    const m = ANGLE.exec(s);
    if (m !== null) s = m[1]!.trim();
  }
  s = s.toLowerCase();
  if (s.startsWith('mailto:')) s = s.slice(7).trim();
  if (s.endsWith('.')) s = s.slice(0, -1); // "a@x.com." (a trailing dot of the DNS root)
  const at = s.indexOf('@');
  if (at < 0) return invalid(PLACEHOLDER_TEXT.has(matchForm(s)) ? 'placeholder' : 'no @');
  if (isPlaceholder(s, at)) return invalid('placeholder');
  if (!EMAIL.test(s) || at > 64 || s.length - at - 1 > 253) return invalid(whyInvalid(s, at));
  const plus = s.indexOf('+');
  return { email: s, match: plus > 0 && plus < at ? s.slice(0, plus) + s.slice(at) : s, reason: null };
}

// The placeholder lists as anchored patterns, so the common address is checked without slicing it.
const PLACEHOLDER_LOCAL_RE = new RegExp('^(?:' + [...PLACEHOLDER_LOCALS].map(escapeRe).join('|') + ')@');
const PLACEHOLDER_DOMAIN_RE = new RegExp(
  '(?:' + [...PLACEHOLDER_DOMAINS].map(escapeRe).join('|') + '|.*' + RESERVED_TLD.source.slice(0, -1) + ')$',
  'y',
);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isPlaceholder(s: string, at: number): boolean {
  if (PLACEHOLDER_LOCAL_RE.test(s)) return true;
  PLACEHOLDER_DOMAIN_RE.lastIndex = at + 1;
  if (PLACEHOLDER_DOMAIN_RE.test(s)) return true;
  // "test@test.com", "x@x.x", "aaa@aaa.com": a short or one-letter local part repeated as the domain.
  if (at > 4 && s.charCodeAt(0) !== s.charCodeAt(at - 1)) return false;
  const local = s.slice(0, at);
  return (
    s.startsWith(local, at + 1) &&
    (s.length === 2 * at + 1 || s[2 * at + 1] === '.') &&
    (local.length <= 4 || SAME_CHAR.test(local))
  );
}

/** The reason an address that failed the combined pattern is invalid. */
function whyInvalid(s: string, at: number): string {
  if (WHITESPACE.test(s)) return 'contains spaces';
  if (s.indexOf('@', at + 1) >= 0) return 'more than one @';
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local === '') return 'no local part';
  if (domain === '') return 'no domain';
  if (!domain.includes('.')) return 'domain has no dot';
  if (local.length > 64 || !LOCAL.test(local)) return 'invalid local part';
  return 'invalid domain';
}
