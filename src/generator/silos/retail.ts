import { formatDay, formatParts } from '../dates.js';
import { formatPhone, keys } from '../identifiers.js';
import { extraSpaces, hasNickname, nickname, typo } from '../noise.js';
import type { Rng } from '../prng.js';
import {
  birthParts,
  recordAddress,
  recordEmail,
  recordFamily,
  streetLine,
  suffixText,
  type RecordContext,
  type Rendered,
  type SiloSpec,
} from './common.js';

/**
 * Retail loyalty programme: a European point-of-sale vendor's export — semicolons,
 * windows-1252, DD.MM.YYYY. Sign-up forms are filled in at the till, so nicknames, stale
 * addresses and Excel-mangled ZIPs (leading zero lost) are common.
 */
export const retailLoyalty: SiloSpec = {
  source: 'retail_loyalty',
  file: 'retail_loyalty.csv',
  businessUnit: 'Retail',
  dialect: { delimiter: ';', eol: '\n', encoding: 'windows-1252', bom: false },
  dateFormats: ['DD.MM.YYYY'],
  priority: 30,
  header: ['member_no', 'first_name', 'last_name', 'email', 'mobile', 'street', 'zip', 'city', 'state', 'birth_date', 'joined'],
  columns: {
    member_no: null,
    first_name: 'given_name',
    last_name: 'family_name',
    email: 'email',
    mobile: 'phone',
    street: 'street',
    zip: 'postcode',
    city: 'city',
    state: 'region',
    birth_date: 'birth_date',
    joined: 'customer_since',
  },
  keyColumn: 'member_no',
  nameColumn: 'last_name',
  birthColumn: 'birth_date',
  birthFormat: 'DD.MM.YYYY',
  share: 0.6,
  openedFrom: 2008,
  key: keys.retail,
  render(ctx: RecordContext, rng: Rng): Rendered {
    const p = ctx.person;
    let given = hasNickname(p.given) && rng.chance(0.12) ? nickname(p.given, rng) : p.given;
    let family = recordFamily(ctx, rng, 0.4);
    // No suffix column: "Smith Jr" ends up in the surname field.
    const suffix = suffixText(p.suffix, rng, 0.3, false);
    if (suffix !== '') family = `${family} ${suffix}`;
    if (rng.chance(0.02)) given = typo(given, rng);
    if (rng.chance(0.02)) family = typo(family, rng);
    if (rng.chance(0.015)) [given, family] = [family, given];
    if (rng.chance(0.04)) {
      given = given.toUpperCase();
      family = family.toUpperCase();
    }
    if (rng.chance(0.02)) given = extraSpaces(given, rng);

    const emails: string[] = [];
    let email = '';
    if (!rng.chance(0.15)) {
      email = recordEmail(ctx, rng, { personal: 50, old: 20, work: 0, family: 30 });
      emails.push(email);
      if (rng.chance(0.02)) email = email.toUpperCase();
    }
    // Some members give their home number although the column says "mobile".
    const digits = p.landline !== '' && rng.chance(0.15) ? p.landline : p.mobile;
    const mobile = rng.chance(0.1) ? '' : formatPhone(digits, rng.chance(0.6) ? 'paren' : 'plain');

    const a = recordAddress(ctx, rng, 0.5);
    let street = streetLine(a, rng.chance(0.5));
    if (a.unit !== '') street += rng.chance(0.5) ? `, ${a.unit}` : ` ${a.unit}`;
    const zip = a.zip.startsWith('0') && rng.chance(0.3) ? a.zip.replace(/^0+/, '') : a.zip;
    let city = a.city.name;
    if (rng.chance(0.01)) city = typo(city, rng);
    if (rng.chance(0.03)) city = city.toUpperCase();

    const birth = birthParts(ctx, rng, 0.06, 0.015);
    return {
      cells: [
        ctx.key,
        given,
        family,
        email,
        mobile,
        street,
        zip,
        city,
        a.city.state,
        birth ? formatParts(birth[0], birth[1], birth[2], 'DD.MM.YYYY') : '',
        formatDay(ctx.opened, 'DD.MM.YYYY'),
      ],
      emails,
    };
  },
};
