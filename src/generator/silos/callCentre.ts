import { formatParts } from '../dates.js';
import { formatPhone, keys, type PhoneStyle } from '../identifiers.js';
import { extraSpaces, hasNickname, nickname, typo } from '../noise.js';
import type { Rng } from '../prng.js';
import {
  birthParts,
  recordAddress,
  recordEmail,
  recordFamily,
  suffixText,
  type RecordContext,
  type Rendered,
  type SiloSpec,
} from './common.js';

const PHONE_STYLES: readonly PhoneStyle[] = [
  'dashes', 'dashes', 'dashes', 'dashes', 'parenTight', 'parenTight', 'plain', 'plain', 'intlSpaced', 'oneDashes',
];

/**
 * Call centre: agents type what callers say — a Windows CRM export with CRLF line endings
 * and YYYY/MM/DD dates. Nicknames and phonetic typos are frequent; only the postcode of the
 * address is kept; the number the customer called from plus an alternative one.
 */
export const callCentre: SiloSpec = {
  source: 'call_centre',
  file: 'call_centre.csv',
  businessUnit: 'Contact centre',
  dialect: { delimiter: ',', eol: '\r\n', encoding: 'utf-8', bom: false },
  dateFormats: ['YYYY/MM/DD'],
  priority: 40,
  header: ['caller_id', 'name', 'phone', 'alt_phone', 'email', 'postcode', 'birth date'],
  columns: {
    caller_id: null,
    name: 'full_name',
    phone: 'phone',
    alt_phone: 'phone',
    email: 'email',
    postcode: 'postcode',
    'birth date': 'birth_date',
  },
  keyColumn: 'caller_id',
  nameColumn: 'name',
  birthColumn: 'birth date',
  birthFormat: 'YYYY/MM/DD',
  share: 0.25,
  openedFrom: 2015,
  key: keys.callCentre,
  render(ctx: RecordContext, rng: Rng): Rendered {
    const p = ctx.person;
    let given = hasNickname(p.given) && rng.chance(0.25) ? nickname(p.given, rng) : p.given;
    let family = recordFamily(ctx, rng, 0.3);
    if (rng.chance(0.05)) given = typo(given, rng);
    if (rng.chance(0.05)) family = typo(family, rng);
    const middle = p.middle !== '' && rng.chance(0.15) ? ` ${p.middle[0]}.` : '';
    const suffix = suffixText(p.suffix, rng, 0.5, false);
    let name = rng.chance(0.01) ? `${family} ${given}` : `${given}${middle} ${family}${suffix === '' ? '' : ` ${suffix}`}`;
    if (rng.chance(0.1)) name = name.toUpperCase();
    if (rng.chance(0.03)) name = extraSpaces(name, rng);

    const fromLandline = p.landline !== '' && rng.chance(0.25);
    const main = fromLandline ? p.landline : p.mobile;
    const other = fromLandline ? p.mobile : p.landline;
    const phone = formatPhone(main, rng.pick(PHONE_STYLES));
    const alt = other !== '' && rng.chance(0.35) ? formatPhone(other, rng.pick(PHONE_STYLES)) : '';

    const emails: string[] = [];
    let email = '';
    if (!rng.chance(0.45)) {
      email = recordEmail(ctx, rng, { personal: 55, old: 15, work: 5, family: 25 });
      // Spelled out over the phone: a typo'd address is not one the person really uses.
      if (rng.chance(0.03)) email = typo(email, rng);
      else emails.push(email);
    }
    const a = recordAddress(ctx, rng, 0.3);
    const birth = birthParts(ctx, rng, 0.25, 0.02);
    return {
      cells: [
        ctx.key,
        name,
        phone,
        alt,
        email,
        a.zip,
        birth ? formatParts(birth[0], birth[1], birth[2], 'YYYY/MM/DD') : '',
      ],
      emails,
    };
  },
};
