import { getCountries } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.min.json';
import { BoundedCache } from './cache.js';
import { matchForm } from './text.js';

/**
 * Country cells → ISO 3166 alpha-2. Accepts alpha-2 codes, English names (from the runtime's
 * ICU data for every country libphonenumber knows), common alpha-3 codes and local spellings.
 */

const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US', 'u s a': 'US', 'u s': 'US', america: 'US', 'united states of america': 'US', 'the united states': 'US',
  uk: 'GB', 'u k': 'GB', 'great britain': 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
  'northern ireland': 'GB', gbr: 'GB', can: 'CA', mex: 'MX', deu: 'DE', ger: 'DE', deutschland: 'DE',
  fra: 'FR', esp: 'ES', espana: 'ES', ita: 'IT', italia: 'IT', nld: 'NL', holland: 'NL', 'the netherlands': 'NL',
  bel: 'BE', che: 'CH', schweiz: 'CH', suisse: 'CH', aut: 'AT', osterreich: 'AT', irl: 'IE', eire: 'IE',
  aus: 'AU', nzl: 'NZ', ind: 'IN', chn: 'CN', jpn: 'JP', bra: 'BR', brasil: 'BR', arg: 'AR', zaf: 'ZA',
  swe: 'SE', sverige: 'SE', nor: 'NO', norge: 'NO', dnk: 'DK', danmark: 'DK', fin: 'FI', suomi: 'FI',
  pol: 'PL', polska: 'PL', prt: 'PT', grc: 'GR', tur: 'TR', rus: 'RU', kor: 'KR', 'south korea': 'KR',
  'korea': 'KR', phl: 'PH', sgp: 'SG', hkg: 'HK', isr: 'IL', are: 'AE', uae: 'AE', sau: 'SA', col: 'CO',
  chl: 'CL', per: 'PE', 'czech republic': 'CZ', czechia: 'CZ', 'russia': 'RU', 'viet nam': 'VN',
};

const NAMES = new Map<string, string>();
const CODES = new Set<string>(getCountries(metadataJson));
(() => {
  let display: Intl.DisplayNames | null = null;
  try {
    display = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    display = null; // runtime without ICU region names: aliases and codes still work
  }
  for (const code of CODES) {
    const name = display?.of(code);
    if (name !== undefined && name !== code) NAMES.set(matchForm(name), code);
  }
  for (const [alias, code] of Object.entries(ALIASES)) NAMES.set(alias, code);
})();

const cache = new BoundedCache<string | null>(1000);

/** "usa", "United States", "U.S." → "US"; "England" → "GB"; unknown → null. */
export function normalizeCountry(raw: string): string | null {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const key = matchForm(raw);
  let code: string | null = null;
  if (key.length === 2 && CODES.has(key.toUpperCase())) code = key.toUpperCase();
  else code = NAMES.get(key) ?? null;
  cache.set(raw, code);
  return code;
}

let lastCode = '';
let lastUpper = '';
/** A country code in upper case; the same code arrives row after row, so the last one is kept. */
export function upperCountryCode(code: string): string {
  if (code !== lastCode) {
    lastCode = code;
    lastUpper = code.toUpperCase();
  }
  return lastUpper;
}
