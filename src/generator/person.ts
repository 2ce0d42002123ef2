import { COMPANY_DOMAINS, MODERN_PROVIDERS, OLD_PROVIDERS } from './data/misc.js';
import {
  COMMON_FULL_NAMES,
  FAMILY,
  FEMALE_GIVEN,
  MALE_GIVEN,
  MIDDLE_NAMES_F,
  MIDDLE_NAMES_M,
  SON_SUFFIXES,
  type WeightedNames,
} from './data/names.js';
import { CITIES, STREET_NAMES, STREET_SUFFIX_WEIGHTS, type City } from './data/places.js';
import { civilFromDays } from './dates.js';
import { EmailNumbers, phoneNumber } from './identifiers.js';
import { slug, stripAccents } from './noise.js';
import { cumulative, type Rng } from './prng.js';

/**
 * The true person behind the silo records, and the households / look-alike groups that
 * make the hard negatives. Silos only ever see noisy renderings of these values.
 */

export type GroupKind = 'twin' | 'father_son' | 'spouse' | 'common_name';
export const GROUP_KINDS: readonly GroupKind[] = ['twin', 'father_son', 'spouse', 'common_name'];

export interface Address {
  house: number;
  street: string; // "Main"
  suffix: number; // index into STREET_SUFFIXES
  unit: string; // "", "Apt 4", "Unit 12B", "#3"
  city: City;
  zip: string; // five digits
  plus4: string; // four digits, written by some silos as ZIP+4
}

export interface Person {
  id: number;
  sex: 'F' | 'M';
  given: string;
  middle: string;
  family: string;
  suffix: string; // "", "Jr", "Sr", "II"
  maiden: string; // family name before marriage, "" if unchanged
  birth: number; // days since 1970-01-01
  address: Address;
  previous: Address | null; // address before the last move
  mobile: string; // ten digits
  landline: string; // ten digits or "" (households share one)
  email: string; // personal, current provider
  oldEmail: string; // at an old provider, or ""
  workEmail: string; // or ""
  familyEmail: string; // shared by spouses, or ""
  groupKind: GroupKind | '';
  groupId: number; // 0 when not in a group
}

const AGE_BANDS: readonly (readonly [from: number, to: number])[] = [
  [18, 24], [25, 34], [35, 44], [45, 54], [55, 64], [65, 74], [75, 90],
];
const AGE_WEIGHTS = cumulative([12, 18, 18, 17, 16, 12, 7]);

/** Share of units that are groups: gives ~8 % of persons in a hard-negative group. */
const UNIT_WEIGHTS = cumulative([
  96.1, // single person
  0.8, // twins
  1.0, // father and son
  1.5, // spouses
  0.6, // 3–5 people with one common name in one city
]);
const UNIT_KINDS: readonly (GroupKind | '')[] = ['', 'twin', 'father_son', 'spouse', 'common_name'];

interface NameTable {
  names: readonly string[];
  cum: readonly number[];
}

function table(names: WeightedNames): NameTable {
  return { names: names.map(([n]) => n), cum: cumulative(names.map(([, w]) => w)) };
}

export class PersonFactory {
  private readonly male = table(MALE_GIVEN);
  private readonly female = table(FEMALE_GIVEN);
  private readonly family = table(FAMILY);
  private readonly cityCum = cumulative(CITIES.map((c) => c.weight));
  private readonly suffixCum = cumulative(STREET_SUFFIX_WEIGHTS);
  private readonly numbers: EmailNumbers;
  private groups = 0;

  constructor(
    private readonly rng: Rng,
    persons: number,
    /** Ages are counted back from this day (the end of the period). */
    private readonly today: number,
  ) {
    this.numbers = new EmailNumbers(persons);
  }

  /**
   * The next household or look-alike group, as persons numbered from `firstId`. Never more
   * than `room` persons, so the run ends at exactly the requested count.
   */
  nextUnit(firstId: number, room: number): Person[] {
    let kind = UNIT_KINDS[this.rng.weighted(UNIT_WEIGHTS)] as GroupKind | '';
    if (kind === 'common_name' && room < 3) kind = '';
    if (kind !== '' && room < 2) kind = '';
    switch (kind) {
      case '':
        return [this.single(firstId)];
      case 'twin':
        return this.twins(firstId);
      case 'father_son':
        return this.fatherAndSon(firstId);
      case 'spouse':
        return this.spouses(firstId);
      case 'common_name':
        return this.commonName(firstId, Math.min(room, this.rng.range(3, 5)));
    }
  }

  // ---------------------------------------------------------------- building blocks

  private given(sex: 'F' | 'M'): string {
    const t = sex === 'F' ? this.female : this.male;
    return this.maybePlain(t.names[this.rng.weighted(t.cum)] as string);
  }

  private familyName(): string {
    return this.maybePlain(this.family.names[this.rng.weighted(this.family.cum)] as string);
  }

  /** Many Josés and Garcías are registered without the accent in the first place. */
  private maybePlain(name: string): string {
    return this.rng.chance(0.4) ? stripAccents(name) : name;
  }

  private middle(sex: 'F' | 'M'): string {
    if (this.rng.chance(0.3)) return '';
    return this.rng.pick(sex === 'F' ? MIDDLE_NAMES_F : MIDDLE_NAMES_M);
  }

  private birthForAge(from: number, to: number): number {
    const age = this.rng.range(from, to);
    return this.today - Math.floor(age * 365.25) - this.rng.int(365);
  }

  private birth(): number {
    const [from, to] = AGE_BANDS[this.rng.weighted(AGE_WEIGHTS)] as readonly [number, number];
    return this.birthForAge(from, to);
  }

  private city(): City {
    return CITIES[this.rng.weighted(this.cityCum)] as City;
  }

  address(city: City = this.city()): Address {
    const r = this.rng.next();
    const house = r < 0.2 ? this.rng.range(1, 99) : r < 0.6 ? this.rng.range(100, 999) : this.rng.range(1000, 9999);
    let unit = '';
    if (this.rng.chance(0.2)) {
      const u = this.rng.int(10);
      const n = this.rng.range(1, 40);
      unit = u < 6 ? `Apt ${n}` : u < 8 ? `Apt ${this.rng.range(1, 9)}${'ABCD'[this.rng.int(4)]}` : u < 9 ? `Unit ${n}` : `#${n}`;
    }
    return {
      house,
      street: this.rng.pick(STREET_NAMES),
      suffix: this.rng.weighted(this.suffixCum),
      unit,
      city,
      zip: String(city.zipFrom + this.rng.int(city.zipCount)).padStart(5, '0'),
      plus4: String(this.rng.int(10000)).padStart(4, '0'),
    };
  }

  private movedFrom(current: Address): Address | null {
    if (!this.rng.chance(0.18)) return null;
    return this.address(this.rng.chance(0.6) ? current.city : this.city());
  }

  private email(id: number, given: string, family: string): string {
    const g = slug(given) || 'user';
    const f = slug(family) || 'mail';
    const n = this.numbers.get(id, 1);
    const domain = this.rng.pick(MODERN_PROVIDERS);
    switch (this.rng.int(4)) {
      case 0:
        return `${g}.${f}${n}@${domain}`;
      case 1:
        return `${g}${f}${n}@${domain}`;
      case 2:
        return `${g}_${f}${n}@${domain}`;
      default:
        return `${g[0]}${f}${n}@${domain}`;
    }
  }

  private oldEmail(id: number, given: string, family: string): string {
    if (!this.rng.chance(0.35)) return '';
    const g = slug(given) || 'user';
    return `${g[0]}${slug(family) || 'mail'}${this.numbers.get(id, 2)}@${this.rng.pick(OLD_PROVIDERS)}`;
  }

  private workEmail(id: number, given: string, family: string, birth: number): string {
    const age = (this.today - birth) / 365.25;
    if (age > 67 || !this.rng.chance(0.25)) return '';
    return `${slug(given) || 'user'}.${slug(family) || 'mail'}${this.numbers.get(id, 3)}@${this.rng.pick(COMPANY_DOMAINS)}`;
  }

  private person(id: number, sex: 'F' | 'M', given: string, family: string, birth: number, address: Address): Person {
    const maiden = sex === 'F' && this.today - birth > 25 * 365 && this.rng.chance(0.1) ? this.familyName() : '';
    const ageYears = (this.today - birth) / 365.25;
    const hasLandline = this.rng.chance(ageYears > 55 ? 0.6 : 0.25);
    const area = this.rng.pick(address.city.areaCodes);
    const emailFamily = maiden !== '' && this.rng.chance(0.5) ? maiden : family;
    return {
      id,
      sex,
      given,
      middle: this.middle(sex),
      family,
      suffix: '',
      maiden,
      birth,
      address,
      previous: this.movedFrom(address),
      mobile: phoneNumber(this.rng.chance(0.85) ? area : this.rng.pick(this.city().areaCodes), id, 'mobile'),
      landline: hasLandline ? phoneNumber(area, id, 'landline') : '',
      email: this.email(id, given, emailFamily),
      oldEmail: this.oldEmail(id, given, emailFamily),
      workEmail: this.workEmail(id, given, family, birth),
      familyEmail: '',
      groupKind: '',
      groupId: 0,
    };
  }

  private sex(): 'F' | 'M' {
    return this.rng.chance(0.51) ? 'F' : 'M';
  }

  private single(id: number): Person {
    const sex = this.sex();
    return this.person(id, sex, this.given(sex), this.familyName(), this.birth(), this.address());
  }

  private join(members: Person[], kind: GroupKind): Person[] {
    const groupId = ++this.groups;
    for (const p of members) {
      p.groupKind = kind;
      p.groupId = groupId;
    }
    return members;
  }

  /**
   * A shared household: same address and one landline. No previous address, so every silo
   * shows the members at the same address — that is what makes them hard negatives.
   */
  private shareHousehold(members: Person[]): void {
    const [head] = members as [Person];
    const landline = phoneNumber(this.rng.pick(head.address.city.areaCodes), head.id, 'landline');
    for (const p of members) {
      p.address = head.address;
      p.previous = null;
      p.landline = landline;
    }
  }

  // ---------------------------------------------------------------- hard negatives

  /** Same surname, address, landline and birth date; given names differ from the first letter. */
  private twins(id: number): Person[] {
    const family = this.familyName();
    const birth = this.birthForAge(18, 60);
    const address = this.address();
    const sexA = this.sex();
    const sexB = this.rng.chance(0.5) ? sexA : sexA === 'F' ? 'M' : 'F';
    const givenA = this.given(sexA);
    let givenB = this.given(sexB);
    for (let tries = 0; stripAccents(givenB)[0] === stripAccents(givenA)[0] && tries < 20; tries++) givenB = this.given(sexB);
    const a = this.person(id, sexA, givenA, family, birth, address);
    const b = this.person(id + 1, sexB, givenB, family, birth, address);
    b.maiden = '';
    a.maiden = '';
    this.shareHousehold([a, b]);
    return this.join([a, b], 'twin');
  }

  /** Same given and family name and address, Jr/Sr, born 25–35 years apart. */
  private fatherAndSon(id: number): Person[] {
    const family = this.familyName();
    const given = this.given('M');
    const sonBirth = this.birthForAge(18, 50);
    const fatherBirth = sonBirth - Math.floor(this.rng.range(25, 35) * 365.25) - this.rng.int(365);
    const address = this.address();
    const father = this.person(id, 'M', given, family, fatherBirth, address);
    const son = this.person(id + 1, 'M', given, family, sonBirth, address);
    father.suffix = this.rng.chance(0.4) ? 'Sr' : '';
    son.suffix = this.rng.pick(SON_SUFFIXES);
    if (this.rng.chance(0.6)) son.middle = father.middle;
    this.shareHousehold([father, son]);
    return this.join([father, son], 'father_son');
  }

  /** Shared address, landline and family e-mail; different given names, often one surname. */
  private spouses(id: number): Person[] {
    const sexA = this.sex();
    const sexB = this.rng.chance(0.9) ? (sexA === 'F' ? 'M' : 'F') : sexA;
    const birthA = this.birth();
    const birthB = Math.min(birthA + this.rng.range(-6 * 365, 6 * 365), this.today - 18 * 366);
    const familyA = this.familyName();
    const sameSurname = this.rng.chance(0.7);
    const address = this.address();
    const a = this.person(id, sexA, this.given(sexA), familyA, birthA, address);
    let givenB = this.given(sexB);
    while (givenB === a.given) givenB = this.given(sexB);
    const b = this.person(id + 1, sexB, givenB, sameSurname ? familyA : this.familyName(), birthB, address);
    if (sameSurname && b.maiden === '' && b.sex === 'F' && this.rng.chance(0.5)) b.maiden = this.familyName();
    if (!sameSurname) b.maiden = '';
    const f = slug(familyA) || 'home';
    const n = this.numbers.get(id, 4);
    const family = this.rng.chance(0.5) ? `the${f}s${n}` : `${f}family${n}`;
    a.familyEmail = b.familyEmail = `${family}@${this.rng.pick(MODERN_PROVIDERS)}`;
    this.shareHousehold([a, b]);
    return this.join([a, b], 'spouse');
  }

  /** Several different people called e.g. "John Smith" in one city: different birth dates and addresses. */
  private commonName(id: number, count: number): Person[] {
    const [given, family, sex] = this.rng.pick(COMMON_FULL_NAMES);
    const city = this.city();
    const years = new Set<number>();
    const members: Person[] = [];
    for (let i = 0; i < count; i++) {
      let birth = this.birth();
      // Different birth years keep each one distinguishable by date of birth.
      while (years.has(civilFromDays(birth).y)) birth = this.birth();
      years.add(civilFromDays(birth).y);
      const p = this.person(id + i, sex, given, family, birth, this.address(city));
      p.maiden = '';
      members.push(p);
    }
    return this.join(members, 'common_name');
  }
}
