import { formatParts } from '../dates.js';
import { formatPhone, keys, type PhoneStyle } from '../identifiers.js';
import { hasNickname, nickname, transliterate, typo } from '../noise.js';
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

const PHONE_STYLES: readonly PhoneStyle[] = ['dots', 'dots', 'dots', 'dots', 'dots', 'paren', 'paren', 'paren', 'dashes', 'dashes'];

/**
 * Credit-card arm: a mainframe export opened in Excel and saved as "CSV UTF-8" (hence the
 * BOM). Identity is verified (KYC), so birth dates are always there and names are formal —
 * but the core system is ASCII-only, so accents are gone, and names are "LAST, First M.".
 */
export const cardServices: SiloSpec = {
  source: 'card_services',
  file: 'card_services.csv',
  businessUnit: 'Cards',
  dialect: { delimiter: ',', eol: '\n', encoding: 'utf-8', bom: true },
  dateFormats: ['MM/DD/YYYY'],
  priority: 10,
  header: ['acct_no', 'full_name', 'dob', 'email_address', 'home_phone', 'address'],
  columns: {
    acct_no: null,
    full_name: 'full_name',
    dob: 'birth_date',
    email_address: 'email',
    home_phone: 'phone',
    address: 'address',
  },
  keyColumn: 'acct_no',
  nameColumn: 'full_name',
  birthColumn: 'dob',
  birthFormat: 'MM/DD/YYYY',
  share: 0.35,
  openedFrom: 2000,
  key: keys.card,
  render(ctx: RecordContext, rng: Rng): Rendered {
    const p = ctx.person;
    let given = hasNickname(p.given) && rng.chance(0.02) ? nickname(p.given, rng) : p.given;
    let family = recordFamily(ctx, rng, 0.2);
    if (rng.chance(0.005)) given = typo(given, rng);
    if (rng.chance(0.005)) family = typo(family, rng);
    const middle = p.middle !== '' && rng.chance(0.7) ? ` ${p.middle[0]}.` : '';
    const suffix = suffixText(p.suffix, rng, 0.8, true);
    // Transliterate before upper-casing so that Müller becomes MUELLER, not MUeLLER.
    const fullName = `${transliterate(family).toUpperCase()}, ${transliterate(given)}${middle}${suffix === '' ? '' : ` ${suffix}`}`;

    const birth = birthParts(ctx, rng, 0, 0.005);
    const emails: string[] = [];
    let email = '';
    if (!rng.chance(0.25)) {
      email = recordEmail(ctx, rng, { personal: 45, old: 28, work: 12, family: 15 });
      emails.push(email);
    }
    const phoneDigits = p.landline !== '' ? p.landline : p.mobile;
    const phone = rng.chance(0.05) ? '' : formatPhone(phoneDigits, rng.pick(PHONE_STYLES));

    const a = recordAddress(ctx, rng, 0.25);
    const unit = a.unit === '' ? '' : ` ${a.unit}`;
    const zip = rng.chance(0.1) ? `${a.zip}-${a.plus4}` : a.zip;
    let address = transliterate(`${streetLine(a, rng.chance(0.2))}${unit}, ${a.city.name}, ${a.city.state} ${zip}`);
    if (rng.chance(0.3)) address = address.toUpperCase();

    return {
      cells: [
        ctx.key,
        fullName,
        birth ? formatParts(birth[0], birth[1], birth[2], 'MM/DD/YYYY') : '',
        email,
        phone,
        address,
      ],
      emails,
    };
  },
};
