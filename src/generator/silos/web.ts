import { formatDay, formatParts, timeOfDay } from '../dates.js';
import { STATE_NAMES } from '../data/places.js';
import { formatPhone, keys, type PhoneStyle } from '../identifiers.js';
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

const PHONE_STYLES: readonly PhoneStyle[] = ['intlSpaced', 'intlSpaced', 'e164', 'dashes'];

/**
 * Web shop: customers type their own details into a sign-up form — tab-separated UTF-8
 * dump, ISO dates. Lower-case names, given and family swapped, +tagged e-mails, typos.
 */
export const webShop: SiloSpec = {
  source: 'web_shop',
  file: 'web_shop.csv',
  businessUnit: 'Web',
  dialect: { delimiter: '\t', eol: '\n', encoding: 'utf-8', bom: false },
  dateFormats: ['YYYY-MM-DD', 'YYYY-MM-DD HH:mm:ss'],
  priority: 20,
  header: [
    'customer_id', 'given_name', 'family_name', 'e_mail', 'phone', 'address_line_1', 'address_line_2',
    'postcode', 'town', 'region', 'date_of_birth', 'created_at',
  ],
  columns: {
    customer_id: null,
    given_name: 'given_name',
    family_name: 'family_name',
    e_mail: 'email',
    phone: 'phone',
    address_line_1: 'street',
    address_line_2: 'address_line2',
    postcode: 'postcode',
    town: 'city',
    region: 'region',
    date_of_birth: 'birth_date',
    created_at: 'customer_since',
  },
  keyColumn: 'customer_id',
  nameColumn: 'family_name',
  birthColumn: 'date_of_birth',
  birthFormat: 'YYYY-MM-DD',
  share: 0.5,
  openedFrom: 2012,
  key: keys.web,
  render(ctx: RecordContext, rng: Rng): Rendered {
    const p = ctx.person;
    let given = hasNickname(p.given) && rng.chance(0.1) ? nickname(p.given, rng) : p.given;
    let family = recordFamily(ctx, rng, 0.3);
    const suffix = suffixText(p.suffix, rng, 0.3, false);
    if (suffix !== '') family = `${family} ${suffix}`;
    if (rng.chance(0.03)) given = typo(given, rng);
    if (rng.chance(0.03)) family = typo(family, rng);
    if (rng.chance(0.02)) [given, family] = [family, given];
    const lower = rng.chance(0.06);
    if (lower) {
      given = given.toLowerCase();
      family = family.toLowerCase();
    }
    if (rng.chance(0.03)) family = extraSpaces(family, rng);

    // The login: always present.
    let email = recordEmail(ctx, rng, { personal: 72, old: 5, work: 13, family: 10 });
    if (rng.chance(0.05)) email = email.replace('@', rng.chance(0.5) ? '+shop@' : '+web@');
    const phone = rng.chance(0.25) ? '' : formatPhone(p.mobile, rng.pick(PHONE_STYLES));

    const a = recordAddress(ctx, rng, 0.3);
    let town = a.city.name;
    if (lower) town = town.toLowerCase();
    if (rng.chance(0.02)) town = typo(town, rng);
    const region = rng.chance(0.15) ? (STATE_NAMES[a.city.state] ?? a.city.state) : a.city.state;
    const postcode = rng.chance(0.05) ? `${a.zip}-${a.plus4}` : a.zip;

    const birth = birthParts(ctx, rng, 0.35, 0.01);
    const created = `${formatDay(ctx.opened, 'YYYY-MM-DD')} ${timeOfDay(rng.int(86400))}`;
    return {
      cells: [
        ctx.key,
        given,
        family,
        email,
        phone,
        streetLine(a, true),
        a.unit,
        postcode,
        town,
        region,
        birth ? formatParts(birth[0], birth[1], birth[2], 'YYYY-MM-DD') : '',
        created,
      ],
      emails: [email],
    };
  },
};
