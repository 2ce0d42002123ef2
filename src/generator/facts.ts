import { ACTIVITIES, type ActivityName } from './activities/specs.js';
import type { ActivityFacts } from './activities/writer.js';
import { RISING_TICKET_CATEGORY, TICKET_CATEGORIES } from './data/misc.js';
import { isoDay } from './dates.js';
import { DIRTY_KINDS, type DirtyKind } from './dirty.js';
import { GROUP_KINDS, type GroupKind } from './person.js';
import { SILOS, type SourceName } from './silos/index.js';

/** Counts per customer source. Dirty rows are extra rows; `clean` + `dirty` = `rows`. */
export interface SourceFacts {
  rows: number;
  clean: number;
  dirty: number;
  /** Persons with at least one clean record in the source. */
  persons: number;
  /** Persons with two clean records (an old and a new account) in the source. */
  personsWithTwoRecords: number;
}

/** facts.json: numbers a report test can check against the files independently. */
export interface Facts {
  options: { persons: number; seed: number; startDate: string; endDate: string; dirtyRate: number };
  persons: number;
  records: Record<SourceName, SourceFacts>;
  /** Persons by how many sources hold a clean record of them ("1" … "4"). */
  personsBySourceCount: Record<string, number>;
  groups: Record<GroupKind, { groups: number; persons: number }>;
  dirtyRows: { total: number; byKind: Record<DirtyKind, number> };
  activities: Record<ActivityName, { rows: number; byMonth: Record<string, number> }>;
  refunds: { retail_orders: number; card_transactions: number };
  tickets: {
    /** Tickets with a blank closed_at (status open or escalated) at the end of the period. */
    openAtEnd: number;
    byStatus: Record<string, number>;
    byCategory: Record<string, number>;
    /** The category whose share rises over the last months. */
    risingCategory: string;
    /** Ticket counts by opened month and category for the last six months. */
    lastSixMonths: Record<string, Record<string, number>>;
  };
  churn: { cutoff: string; definition: string; persons: number };
  /** Persons with no row in any activity file. */
  personsWithoutActivity: number;
}

export class CustomerFacts {
  readonly records = Object.fromEntries(
    SILOS.map((s) => [s.source, { rows: 0, clean: 0, dirty: 0, persons: 0, personsWithTwoRecords: 0 }]),
  ) as Record<SourceName, SourceFacts>;
  readonly bySourceCount: number[] = [0, 0, 0, 0, 0];
  readonly groups = Object.fromEntries(GROUP_KINDS.map((k) => [k, { groups: 0, persons: 0 }])) as Record<
    GroupKind,
    { groups: number; persons: number }
  >;
  readonly dirty = Object.fromEntries(DIRTY_KINDS.map((k) => [k, 0])) as Record<DirtyKind, number>;
  dirtyTotal = 0;
}

function monthLabel(firstDay: number, index: number): string {
  const [y, m] = isoDay(firstDay).split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + index;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function buildFacts(
  options: Facts['options'],
  startDay: number,
  customers: CustomerFacts,
  activity: ActivityFacts,
  churnCutoff: number,
): Facts {
  const months = activity.byMonth.retail_orders.length;
  const activities = {} as Facts['activities'];
  for (const a of ACTIVITIES) {
    const byMonth: Record<string, number> = {};
    activity.byMonth[a.name].forEach((n, i) => {
      byMonth[monthLabel(startDay, i)] = n;
    });
    activities[a.name] = { rows: activity.rows[a.name], byMonth };
  }
  const lastSixMonths: Record<string, Record<string, number>> = {};
  for (let i = Math.max(0, months - 6); i < months; i++) {
    const counts = activity.ticketMonthCategory[i] as number[];
    lastSixMonths[monthLabel(startDay, i)] = Object.fromEntries(TICKET_CATEGORIES.map((c, j) => [c, counts[j] as number]));
  }
  const personsBySourceCount: Record<string, number> = {};
  for (let n = 1; n <= 4; n++) personsBySourceCount[String(n)] = customers.bySourceCount[n] as number;
  return {
    options,
    persons: options.persons,
    records: customers.records,
    personsBySourceCount,
    groups: customers.groups,
    dirtyRows: { total: customers.dirtyTotal, byKind: customers.dirty },
    activities,
    refunds: { retail_orders: activity.retailRefunds, card_transactions: activity.cardRefunds },
    tickets: {
      openAtEnd: activity.ticketsOpenAtEnd,
      byStatus: activity.ticketStatus,
      byCategory: activity.ticketCategory,
      risingCategory: RISING_TICKET_CATEGORY,
      lastSixMonths,
    },
    churn: {
      cutoff: isoDay(churnCutoff),
      definition:
        'persons with at least one row in retail_orders, card_transactions or support_tickets (linked through truth.csv), whose latest such row is dated before cutoff',
      persons: activity.churnedPersons,
    },
    personsWithoutActivity: activity.personsWithoutActivity,
  };
}
