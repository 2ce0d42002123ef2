/**
 * Identifiers that must be unique without remembering what was handed out: record keys,
 * e-mail numbers and phone numbers are bijections of a counter or person id, so memory
 * stays flat at a million persons and two different persons never share an e-mail or phone
 * by accident (shared ones are planted on purpose, for households).
 */

/** (id * mult + add) mod modulus: a bijection on [0, modulus) when gcd(mult, modulus) = 1. */
function scramble(id: number, mult: number, add: number, modulus: number): number {
  // id < 2^22 and mult < 2^21 keep the product exact in a double.
  return (((id % modulus) * mult + add) % modulus + modulus) % modulus;
}

/** Unique per person and e-mail kind; short for small runs ("john.smith37"), longer for big ones. */
export class EmailNumbers {
  private readonly modulus: number;

  constructor(persons: number) {
    let m = 100;
    while (m <= persons + 1) m *= 10;
    this.modulus = m;
  }

  /** Different salts give different (but each unique) numbers for the same id. */
  get(id: number, salt: number): number {
    // 7919 is prime and neither 2 nor 5, so it is coprime with every power of ten.
    return scramble(id, 7919, salt * 1_000_003, this.modulus);
  }
}

/** Exchanges (the "555" in 212-555-0143) that are assignable: no N11 service codes, no 555. */
const EXCHANGES: readonly number[] = (() => {
  const out: number[] = [];
  for (let ex = 200; ex <= 999; ex++) {
    if (ex % 100 === 11 || ex === 555) continue;
    out.push(ex);
  }
  return out;
})();
const PHONE_SLOTS = (EXCHANGES.length * 10000) / 2; // 3,955,000 = 2^3 * 5^4 * 7 * 113

/**
 * A 10-digit US number in the given area code. Mobiles take even slots and landlines odd
 * ones, so no person's mobile is another person's landline in the same area; the two use
 * different multipliers so a person's two numbers look unrelated.
 */
export function phoneNumber(areaCode: number, id: number, kind: 'mobile' | 'landline'): string {
  // Both multipliers are primes other than 2, 5, 7 and 113, hence coprime with PHONE_SLOTS.
  const slot =
    kind === 'mobile' ? scramble(id, 104729, 0, PHONE_SLOTS) * 2 : scramble(id, 1299709, 1_234_567, PHONE_SLOTS) * 2 + 1;
  const exchange = EXCHANGES[Math.floor(slot / 10000)] as number;
  const line = slot % 10000;
  return `${areaCode}${exchange}${String(line).padStart(4, '0')}`;
}

export type PhoneStyle =
  | 'paren' // (212) 555-0143
  | 'parenTight' // (212)555-0143
  | 'dots' // 212.555.0143
  | 'dashes' // 212-555-0143
  | 'plain' // 2125550143
  | 'intlSpaced' // +1 212 555 0143
  | 'e164' // +12125550143
  | 'oneDashes'; // 1-212-555-0143

export function formatPhone(digits: string, style: PhoneStyle): string {
  const a = digits.slice(0, 3);
  const e = digits.slice(3, 6);
  const l = digits.slice(6);
  switch (style) {
    case 'paren':
      return `(${a}) ${e}-${l}`;
    case 'parenTight':
      return `(${a})${e}-${l}`;
    case 'dots':
      return `${a}.${e}.${l}`;
    case 'dashes':
      return `${a}-${e}-${l}`;
    case 'plain':
      return digits;
    case 'intlSpaced':
      return `+1 ${a} ${e} ${l}`;
    case 'e164':
      return `+1${digits}`;
    case 'oneDashes':
      return `1-${a}-${e}-${l}`;
  }
}

function padNumber(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Silo keys, each in its own system's format. `n` counts records per silo from 1. */
export const keys = {
  retail: (n: number): string => `R${padNumber(n, 7)}`,
  /** Card accounts look random ("4000-5821-0937"): a bijection of n on eight digits. */
  card: (n: number): string => {
    const v = padNumber(scramble(n, 7919, 4_242_421, 100_000_000), 8);
    return `4000-${v.slice(0, 4)}-${v.slice(4)}`;
  },
  web: (n: number): string => `W${padNumber(100000 + n, 8)}`,
  callCentre: (n: number): string => `C${padNumber(n, 7)}`,
};

export const activityIds = {
  order: (n: number): string => `O${padNumber(n, 9)}`,
  transaction: (n: number): string => `TX${padNumber(n, 10)}`,
  ticket: (n: number): string => `TCK-${padNumber(n, 8)}`,
  survey: (n: number): string => `SR${padNumber(n, 9)}`,
};
