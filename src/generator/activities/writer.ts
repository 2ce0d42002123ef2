import {
  MERCHANT_CATEGORIES,
  MERCHANT_TYPICAL,
  MERCHANT_WEIGHTS,
  RETAIL_CATEGORIES,
  RETAIL_CATEGORY_BASKET,
  RETAIL_CATEGORY_WEIGHTS,
  RETAIL_CHANNEL_WEIGHTS,
  RETAIL_CHANNELS,
  RISING_TICKET_CATEGORY,
  SURVEY_CHANNEL_WEIGHTS,
  SURVEY_CHANNELS,
  TICKET_CATEGORIES,
  TICKET_CHANNEL_WEIGHTS,
  TICKET_CHANNELS,
  TICKET_WEIGHTS,
} from '../data/misc.js';
import { DayTable, hourMinute, PAD2, timeOfDay } from '../dates.js';
import { activityIds } from '../identifiers.js';
import { cumulative, type Rng } from '../prng.js';
import type { CsvSink } from '../sink.js';
import type { ActivityName } from './specs.js';

/** An account a person holds in a silo; activity before `opened` never uses it. */
export interface Account {
  key: string;
  opened: number;
}

/** What the activity files need to know about one person (built just before, then dropped). */
export interface ActivityPerson {
  retail: Account[];
  card: Account[];
  callCentre: Account[];
  /** E-mails written into the person's clean records (the survey tool knows them). */
  emails: string[];
  /** First day the person is known to any silo. */
  firstOpened: number;
}

export type ActivitySinks = Record<ActivityName, CsvSink>;

/** Per year, for a person of average activity level over a full year in the silo. */
const RATE_PER_YEAR = { orders: 2.4, transactions: 6.2, tickets: 1.2, surveys: 0.45 };

// Monthly seasonality (Jan … Dec): holiday shopping, summer travel, post-holiday support.
const ORDER_SEASON = [0.85, 0.8, 0.9, 0.95, 1.0, 0.95, 0.95, 1.0, 0.95, 1.0, 1.35, 1.6];
const TXN_SEASON = [0.9, 0.85, 0.95, 1.0, 1.0, 1.05, 1.15, 1.1, 0.95, 1.0, 1.15, 1.45];
const TICKET_SEASON = [1.35, 1.1, 1.0, 0.95, 0.9, 0.9, 0.9, 0.9, 0.95, 1.0, 1.05, 1.1];
const FLAT_SEASON = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

/** Days over which the rising ticket category climbs, ending at the period end. */
const RAMP_DAYS = 120;
const NO_ACTIVITY_SHARE = 0.12;
const CHURN_SHARE = 0.12;
/** Churned customers fall silent at least this long before the period ends. */
export const CHURN_SILENCE_DAYS = 183;

function bump(counts: number[], i: number): void {
  counts[i] = (counts[i] ?? 0) + 1;
}

function money(cents: number): string {
  const abs = cents < 0 ? -cents : cents;
  const whole = Math.floor(abs / 100);
  return `${cents < 0 ? '-' : ''}${whole}.${PAD2[abs - whole * 100]}`;
}

/** Account in use on a day: the newest one opened by then (or the oldest, before any). */
function accountOn(accounts: readonly Account[], day: number): string {
  let key = (accounts[0] as Account).key;
  for (const a of accounts) if (a.opened <= day) key = a.key;
  return key;
}

/** Running counts that end up in facts.json. */
export class ActivityFacts {
  rows: Record<ActivityName, number> = { retail_orders: 0, card_transactions: 0, support_tickets: 0, survey_feedback: 0 };
  /** Rows per calendar month of the occurred_at date, index 0 = first month of the period. */
  byMonth: Record<ActivityName, number[]>;
  retailRefunds = 0;
  cardRefunds = 0;
  ticketsOpenAtEnd = 0;
  ticketStatus: Record<string, number> = { open: 0, closed: 0, escalated: 0 };
  ticketCategory: Record<string, number> = Object.fromEntries(TICKET_CATEGORIES.map((c) => [c, 0]));
  /** Ticket counts per month (index as byMonth) and category. */
  ticketMonthCategory: number[][];
  personsWithoutActivity = 0;
  /** Persons with orders/transactions/tickets whose last one is before the churn cutoff. */
  churnedPersons = 0;
  modelledChurners = 0;

  constructor(months: number) {
    const zeros = (): number[] => new Array<number>(months).fill(0);
    this.byMonth = { retail_orders: zeros(), card_transactions: zeros(), support_tickets: zeros(), survey_feedback: zeros() };
    this.ticketMonthCategory = Array.from({ length: months }, () => TICKET_CATEGORIES.map(() => 0));
  }
}

/**
 * Rows are joined by hand with each file's delimiter (see specs.ts): no cell here can hold a
 * delimiter, quote or line break, and this is the hot path (ten rows per person).
 *
 * Writes one person's activity rows right after their customer records, so nothing about
 * the person has to be kept once they are done. Rows of one person are in date order.
 */
export class ActivityWriter {
  private readonly days: DayTable;
  private readonly firstMonth: number;
  readonly facts: ActivityFacts;
  readonly churnCutoff: number;
  private readonly counters = { order: 0, transaction: 0, ticket: 0, survey: 0 };
  private readonly retailCategoryCum = cumulative(RETAIL_CATEGORY_WEIGHTS);
  private readonly retailChannelCum = cumulative(RETAIL_CHANNEL_WEIGHTS);
  private readonly merchantCum = cumulative(MERCHANT_WEIGHTS);
  private readonly ticketChannelCum = cumulative(TICKET_CHANNEL_WEIGHTS);
  private readonly surveyChannelCum = cumulative(SURVEY_CHANNEL_WEIGHTS);
  private readonly risingIndex = TICKET_CATEGORIES.indexOf(RISING_TICKET_CATEGORY);
  private readonly endSecond: number;

  constructor(
    private readonly rng: Rng,
    private readonly sinks: ActivitySinks,
    readonly start: number,
    readonly end: number,
  ) {
    // Tickets can close up to ~60 days after they open; keep those dates in the table too.
    this.days = new DayTable(start, end + 400);
    this.firstMonth = this.days.months[0] as number;
    const months = (this.days.months[end - start] as number) - this.firstMonth + 1;
    this.facts = new ActivityFacts(months);
    this.churnCutoff = end - CHURN_SILENCE_DAYS;
    this.endSecond = end * 86400 + 86399;
  }

  /** Month index of a day inside the period (0 = first month). */
  monthIndex(day: number): number {
    return (this.days.months[day - this.start] as number) - this.firstMonth;
  }

  /** A day in [from, to] drawn with monthly seasonality (rejection sampling). */
  private seasonalDay(from: number, to: number, season: readonly number[]): number {
    const span = to - from + 1;
    for (;;) {
      const day = from + this.rng.int(span);
      if (this.rng.next() * 1.6 < (season[this.days.month(day) - 1] as number)) return day;
    }
  }

  /** Daytime-heavy second of the day. */
  private daySecond(fromHour: number, hours: number): number {
    if (this.rng.chance(0.05)) return this.rng.int(86400);
    return fromHour * 3600 + this.rng.int(hours * 3600);
  }

  write(person: ActivityPerson): void {
    const rng = this.rng;
    // Activity level: many light customers, a few heavy ones (log-normal, mean 1), some none.
    const level = rng.chance(NO_ACTIVITY_SHARE) ? 0 : Math.exp(0.9 * rng.normal() - 0.405);
    const churned = level > 0 && rng.chance(CHURN_SHARE);
    let activeEnd = this.end;
    if (churned) {
      this.facts.modelledChurners++;
      const latest = this.churnCutoff - 7;
      const earliest = Math.min(this.start + 120, latest);
      activeEnd = earliest + rng.int(latest - earliest + 1);
    }
    let lastDay = -Infinity;
    let rows = 0;
    if (level > 0) {
      if (person.retail.length > 0) {
        const last = this.orders(person.retail, level, activeEnd);
        rows += last.rows;
        lastDay = Math.max(lastDay, last.lastDay);
      }
      if (person.card.length > 0) {
        const last = this.transactions(person.card, level, activeEnd);
        rows += last.rows;
        lastDay = Math.max(lastDay, last.lastDay);
      }
      if (person.callCentre.length > 0) {
        const last = this.tickets(person.callCentre, level, activeEnd);
        rows += last.rows;
        lastDay = Math.max(lastDay, last.lastDay);
      }
      if (person.emails.length > 0) rows += this.surveys(person, level, activeEnd);
    }
    if (rows === 0) this.facts.personsWithoutActivity++;
    if (lastDay > -Infinity && lastDay < this.churnCutoff) this.facts.churnedPersons++;
  }

  private window(accounts: readonly Account[], activeEnd: number): [number, number] {
    let opened = Infinity;
    for (const a of accounts) opened = Math.min(opened, a.opened);
    return [Math.max(this.start, opened), activeEnd];
  }

  private count(perYear: number, level: number, from: number, to: number): number {
    if (to < from) return 0;
    return this.rng.poisson((perYear * level * (to - from + 1)) / 365.25);
  }

  private orders(accounts: readonly Account[], level: number, activeEnd: number): { rows: number; lastDay: number } {
    const rng = this.rng;
    const [from, to] = this.window(accounts, activeEnd);
    const n = this.count(RATE_PER_YEAR.orders, level, from, to);
    if (n === 0) return { rows: 0, lastDay: -Infinity };
    const dates: number[] = [];
    for (let i = 0; i < n; i++) dates.push(this.seasonalDay(from, to, ORDER_SEASON));
    dates.sort((a, b) => a - b);
    const homeStore = `S${String(rng.range(1, 480)).padStart(4, '0')}`;
    const sink = this.sinks.retail_orders;
    const d = sink.dialect.delimiter;
    for (const day of dates) {
      const channel = RETAIL_CHANNELS[rng.weighted(this.retailChannelCum)] as string;
      const store = channel !== 'store' ? '' : rng.chance(0.85) ? homeStore : `S${String(rng.range(1, 480)).padStart(4, '0')}`;
      const c = rng.weighted(this.retailCategoryCum);
      let cents = Math.max(99, Math.round((RETAIL_CATEGORY_BASKET[c] as number) * Math.exp(0.6 * rng.normal())));
      if (rng.chance(0.04)) {
        cents = -cents;
        this.facts.retailRefunds++;
      }
      sink.writeLine(
        `${activityIds.order(++this.counters.order)}${d}${accountOn(accounts, day)}${d}${this.days.format(day, 'DD.MM.YYYY')}` +
          `${d}${channel}${d}${store}${d}${RETAIL_CATEGORIES[c] as string}${d}${money(cents)}`,
      );
      bump(this.facts.byMonth.retail_orders, this.monthIndex(day));
    }
    this.facts.rows.retail_orders += n;
    return { rows: n, lastDay: dates[n - 1] as number };
  }

  private transactions(accounts: readonly Account[], level: number, activeEnd: number): { rows: number; lastDay: number } {
    const rng = this.rng;
    const [from, to] = this.window(accounts, activeEnd);
    const n = this.count(RATE_PER_YEAR.transactions, level, from, to);
    if (n === 0) return { rows: 0, lastDay: -Infinity };
    const stamps: number[] = [];
    for (let i = 0; i < n; i++) stamps.push(this.seasonalDay(from, to, TXN_SEASON) * 86400 + this.daySecond(7, 16));
    stamps.sort((a, b) => a - b);
    const sink = this.sinks.card_transactions;
    const d = sink.dialect.delimiter;
    for (const stamp of stamps) {
      const day = Math.floor(stamp / 86400);
      const c = rng.weighted(this.merchantCum);
      let cents = Math.max(50, Math.round((MERCHANT_TYPICAL[c] as number) * Math.exp(0.7 * rng.normal())));
      if (rng.chance(0.02)) {
        cents = -cents;
        this.facts.cardRefunds++;
      }
      sink.writeLine(
        `${activityIds.transaction(++this.counters.transaction)}${d}${accountOn(accounts, day)}${d}` +
          `${this.days.format(day, 'YYYY-MM-DD')} ${timeOfDay(stamp - day * 86400)}${d}${MERCHANT_CATEGORIES[c] as string}` +
          `${d}${money(cents)}${d}USD`,
      );
      bump(this.facts.byMonth.card_transactions, this.monthIndex(day));
    }
    this.facts.rows.card_transactions += n;
    return { rows: n, lastDay: Math.floor((stamps[n - 1] as number) / 86400) };
  }

  /** Category weights for a ticket opened on `day`: the rising one climbs over the last months. */
  private ticketCategory(day: number): number {
    const rampStart = this.end - RAMP_DAYS;
    if (day <= rampStart) return this.rng.weighted(TICKET_CUM);
    const progress = (day - rampStart) / RAMP_DAYS;
    const weights = TICKET_WEIGHTS.map((w, i) => (i === this.risingIndex ? w + 50 * progress : w));
    return this.rng.weighted(cumulative(weights));
  }

  private tickets(accounts: readonly Account[], level: number, activeEnd: number): { rows: number; lastDay: number } {
    const rng = this.rng;
    const [from] = this.window(accounts, activeEnd);
    const n = this.count(RATE_PER_YEAR.tickets, level, from, activeEnd);
    if (n === 0) return { rows: 0, lastDay: -Infinity };
    const stamps: number[] = [];
    for (let i = 0; i < n; i++) stamps.push(this.seasonalDay(from, activeEnd, TICKET_SEASON) * 86400 + this.daySecond(8, 12));
    stamps.sort((a, b) => a - b);
    const sink = this.sinks.support_tickets;
    const d = sink.dialect.delimiter;
    const facts = this.facts;
    for (const opened of stamps) {
      const day = Math.floor(opened / 86400);
      const category = this.ticketCategory(day);
      const channel = TICKET_CHANNELS[rng.weighted(this.ticketChannelCum)] as string;
      // Resolution time: log-normal around six hours, capped at sixty days.
      const duration = Math.min(60 * 86400, Math.round(6 * 3600 * Math.exp(1.6 * rng.normal())));
      const escalated = rng.chance(0.06);
      const stuck = rng.chance(0.015);
      const closed = opened + (escalated ? duration * 3 : duration) + 60;
      let status: string;
      let closedText = '';
      if (stuck || (escalated && rng.chance(0.4)) || closed > this.endSecond) {
        status = escalated ? 'escalated' : 'open';
        facts.ticketsOpenAtEnd++;
      } else {
        status = 'closed';
        const closedDay = Math.floor(closed / 86400);
        closedText = `${this.days.format(closedDay, 'MM/DD/YYYY')} ${hourMinute(closed - closedDay * 86400)}`;
      }
      sink.writeLine(
        `${activityIds.ticket(++this.counters.ticket)}${d}${accountOn(accounts, day)}${d}` +
          `${this.days.format(day, 'MM/DD/YYYY')} ${hourMinute(opened - day * 86400)}${d}${closedText}${d}${channel}` +
          `${d}${TICKET_CATEGORIES[category] as string}${d}${status}`,
      );
      const month = this.monthIndex(day);
      bump(facts.byMonth.support_tickets, month);
      bump(facts.ticketMonthCategory[month] as number[], category);
      facts.ticketStatus[status] = (facts.ticketStatus[status] ?? 0) + 1;
      const name = TICKET_CATEGORIES[category] as string;
      facts.ticketCategory[name] = (facts.ticketCategory[name] ?? 0) + 1;
    }
    facts.rows.support_tickets += n;
    return { rows: n, lastDay: Math.floor((stamps[n - 1] as number) / 86400) };
  }

  private surveys(person: ActivityPerson, level: number, activeEnd: number): number {
    const rng = this.rng;
    const from = Math.max(this.start, person.firstOpened);
    // Survey answers depend less on how much someone buys: damp the level.
    const n = this.count(RATE_PER_YEAR.surveys, Math.sqrt(level), from, activeEnd);
    if (n === 0) return 0;
    const dates: number[] = [];
    for (let i = 0; i < n; i++) dates.push(this.seasonalDay(from, activeEnd, FLAT_SEASON));
    dates.sort((a, b) => a - b);
    const mood = 0.6 * rng.normal();
    const sink = this.sinks.survey_feedback;
    const d = sink.dialect.delimiter;
    for (const day of dates) {
      const csat = Math.min(5, Math.max(1, Math.round(3.9 + mood + 0.8 * rng.normal())));
      const nps = Math.min(10, Math.max(0, Math.round((csat - 1) * 2.3 + 0.6 + 1.2 * rng.normal())));
      const channel = SURVEY_CHANNELS[rng.weighted(this.surveyChannelCum)] as string;
      sink.writeLine(
        `${activityIds.survey(++this.counters.survey)}${d}${rng.pick(person.emails)}${d}${this.days.format(day, 'YYYY-MM-DD')}` +
          `${d}${channel}${d}${csat}${d}${nps}`,
      );
      bump(this.facts.byMonth.survey_feedback, this.monthIndex(day));
    }
    this.facts.rows.survey_feedback += n;
    return n;
  }
}

const TICKET_CUM = cumulative(TICKET_WEIGHTS);
