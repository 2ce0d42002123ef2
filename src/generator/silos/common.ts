import type { CustomerField } from '../../config/fields.js';
import type { CsvDialect } from '../csv.js';
import { civilFromDays, type DateFormat } from '../dates.js';
import { STREET_SUFFIXES } from '../data/places.js';
import type { Rng } from '../prng.js';
import type { Address, Person } from '../person.js';
import { swapDayMonth } from '../noise.js';

export type SourceName = 'retail_loyalty' | 'card_services' | 'web_shop' | 'call_centre';

/** One customer record to render: which person, under which key, from which account era. */
export interface RecordContext {
  person: Person;
  key: string;
  /** The older of two accounts of one person in this silo: stale address, maiden name, old e-mail. */
  older: boolean;
  /** Day the account was opened (written by silos that keep a "customer since"). */
  opened: number;
  /** Hard-negative members always carry their exact birth date, which is what tells them apart. */
  keepBirth: boolean;
}

export interface Rendered {
  cells: string[];
  /** E-mails written into this record without a typo, lower-case: the survey file may use them. */
  emails: string[];
}

/** Everything about one customer silo: file habits, config mapping and how a record is rendered. */
export interface SiloSpec {
  source: SourceName;
  file: string;
  businessUnit: string;
  dialect: CsvDialect;
  dateFormats: readonly string[];
  priority: number;
  header: readonly string[];
  /** Header → canonical field; the key column maps to null (golden reads it through `key`). */
  columns: Readonly<Record<string, CustomerField | null>>;
  keyColumn: string;
  /** Column whose value a "broken quote" dirty row mangles. */
  nameColumn: string;
  birthColumn: string;
  birthFormat: DateFormat;
  /** Share of persons with a record in this silo. */
  share: number;
  /** First year accounts could be opened. */
  openedFrom: number;
  key(n: number): string;
  render(ctx: RecordContext, rng: Rng): Rendered;
}

export function streetLine(a: Address, abbreviate: boolean): string {
  const [full, abbr] = STREET_SUFFIXES[a.suffix] as readonly [string, string];
  return `${a.house} ${a.street} ${abbreviate ? abbr : full}`;
}

/** The address this record shows: the previous one for older accounts or stale silos. */
export function recordAddress(ctx: RecordContext, rng: Rng, staleRate: number): Address {
  const p = ctx.person;
  if (p.previous && (ctx.older || rng.chance(staleRate))) return p.previous;
  return p.address;
}

/** The family name this record shows: the maiden name where the silo never heard of the marriage. */
export function recordFamily(ctx: RecordContext, rng: Rng, staleRate: number): string {
  const p = ctx.person;
  if (p.maiden !== '' && (ctx.older || rng.chance(staleRate))) return p.maiden;
  return p.family;
}

export interface EmailMix {
  personal: number;
  old: number;
  work: number;
  family: number;
}

/** Picks which of the person's addresses this silo holds (older accounts prefer the old one). */
export function recordEmail(ctx: RecordContext, rng: Rng, mix: EmailMix): string {
  const p = ctx.person;
  if (ctx.older && p.oldEmail !== '') return p.oldEmail;
  const r = rng.next() * (mix.personal + mix.old + mix.work + mix.family);
  if (r < mix.old) return p.oldEmail || p.email;
  if (r < mix.old + mix.work) return p.workEmail || p.email;
  if (r < mix.old + mix.work + mix.family) return p.familyEmail || p.email;
  return p.email;
}

/** Birth date parts, with the occasional day/month swap; null when the cell stays blank. */
export function birthParts(
  ctx: RecordContext,
  rng: Rng,
  blankRate: number,
  swapRate: number,
): [number, number, number] | null {
  const blank = rng.chance(blankRate);
  const swap = rng.chance(swapRate);
  if (ctx.keepBirth) {
    const { y, m, d } = civilFromDays(ctx.person.birth);
    return [y, m, d];
  }
  if (blank) return null;
  const { y, m, d } = civilFromDays(ctx.person.birth);
  return swap ? swapDayMonth(y, m, d) : [y, m, d];
}

/** "Jr" written the way this silo writes it, or dropped. */
export function suffixText(suffix: string, rng: Rng, keepRate: number, dotted: boolean): string {
  if (suffix === '' || !rng.chance(keepRate)) return '';
  return dotted && (suffix === 'Jr' || suffix === 'Sr') ? `${suffix}.` : suffix;
}
