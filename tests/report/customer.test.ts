import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import { customerReport } from '../../src/report/customer.js';
import type { Report, Table } from '../../src/report/types.js';
import { linkRecords } from '../../src/resolve/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { activities, crosswalk, dayEnd, generateData, loadData, truth, type Activity, type Generated } from './fixture-service.js';

/**
 * The customer report on 300 generated persons: a person resolve got right (their records per
 * truth.csv are exactly one customer's) is looked up by source key, customer id and e-mail, and
 * the report must list exactly their records and, per unit, as many orders, transactions and
 * tickets as the activity files hold for their keys.
 */

let data: Generated;
beforeAll(async () => {
  data = await generateData();
});
afterAll(async () => {
  await data?.remove();
});

function table(report: Report, title: string): Table {
  const found = report.sections.flatMap((s) => s.tables).find((t) => t.title === title);
  if (!found) throw new Error(`no table "${title}"`);
  return found;
}

async function userError(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

interface Person {
  id: string;
  refs: string[];
  customer: number;
  activity: Activity[];
}

describeEachDatabase('customer report', (db) => {
  let people: Person[];
  let person: Person;
  let end: string;
  let allRows: Activity[];

  beforeAll(async () => {
    await loadData(db(), data);
    end = data.facts.options.endDate;
    const truthMap = await truth(data);
    const cross = await crosswalk(db());
    const all = await activities(data, db());
    allRows = all;
    const refsOf = new Map<string, string[]>();
    for (const [ref, p] of truthMap) refsOf.set(p, [...(refsOf.get(p) ?? []), ref]);
    const refsOfCustomer = new Map<number, string[]>();
    for (const [ref, c] of cross) refsOfCustomer.set(c, [...(refsOfCustomer.get(c) ?? []), ref]);
    // Persons resolve got right: their records are one customer's, and that customer holds no other.
    people = [...refsOf]
      .map(([id, refs]) => ({ id, refs: refs.sort(), customer: cross.get(refs[0]!)! }))
      .filter((p) => p.refs.every((r) => cross.get(r) === p.customer) && refsOfCustomer.get(p.customer)!.length === p.refs.length)
      .map((p) => ({ ...p, activity: all.filter((a) => a.customer === p.customer) }));
    const has = (p: Person, kind: Activity['kind']) => p.activity.some((a) => a.kind === kind);
    person = people.find(
      (p) =>
        new Set(p.refs.map((r) => r.split(':')[0])).size >= 3 &&
        p.refs.some((r) => r.startsWith('retail_loyalty:')) &&
        has(p, 'order') &&
        has(p, 'ticket') &&
        has(p, 'transaction') &&
        has(p, 'feedback'),
    )!;
    expect(person).toBeDefined();
  });

  it('lists exactly the records truth.csv gives the person, found by any of their source keys', async () => {
    for (const ref of person.refs) {
      const report = await customerReport(db(), ref, { asOf: end });
      expect(report.kind).toBe('customer');
      const records = table(report, 'Source records').rows.map((r) => `${r.source}:${r.key}`);
      expect(records).toEqual(person.refs);
      expect(report.sections[0]!.summary[0]).toContain(`customer ${person.customer}`);
    }
  });

  it('counts per unit the orders, transactions and tickets the activity files hold for the person’s keys', async () => {
    const report = await customerReport(db(), person.refs[0]!, { asOf: end });
    // Rows of each file whose customer column holds one of the person's keys (source:key).
    const keys = new Set(person.refs);
    const fileRows = (file: string) => allRows.filter((a) => a.name === file && keys.has(a.ref)).length;
    const orders = fileRows('retail_orders');
    const transactions = fileRows('card_transactions');
    const tickets = fileRows('support_tickets');
    const feedback = person.activity.filter((a) => a.kind === 'feedback').length;
    expect(orders).toBeGreaterThan(0);

    const totals = new Map(table(report, 'Totals by business unit').rows.map((r) => [String(r.unit), r]));
    expect(totals.get('Retail')?.orders).toBe(orders);
    expect(totals.get('Cards')?.transactions ?? 0).toBe(transactions);
    expect(totals.get('Contact centre')?.tickets ?? 0).toBe(tickets);
    expect(totals.get('Marketing')?.feedback ?? 0).toBe(feedback);
    expect(totals.get('All')).toMatchObject({ orders, transactions, tickets, feedback, activities: orders + transactions + tickets + feedback });
    const open = person.activity.filter((a) => a.kind === 'ticket' && a.closedAt === null).length;
    expect(totals.get('All')?.open_tickets).toBe(open);

    const timeline = table(report, 'Activities').rows;
    expect(timeline.length).toBe(person.activity.length);
    expect(timeline.filter((r) => r.kind === 'order').length).toBe(orders);
    // One timeline across units, oldest first.
    const at = timeline.map((r) => String(r.at));
    expect(at).toEqual([...at].sort());
    expect(new Set(timeline.map((r) => r.unit)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(timeline.map((r) => r.key))).toEqual(new Set(person.activity.map((a) => a.key)));
  });

  it('shows tickets with status, closing time and resolution hours, and feedback with CSAT and NPS', async () => {
    const report = await customerReport(db(), String(person.customer), { asOf: end });
    const rows = new Map(table(report, 'Activities').rows.map((r) => [String(r.key), r]));
    for (const a of person.activity) {
      const row = rows.get(a.key)!;
      if (a.kind === 'ticket') {
        expect(row.status).toBe(a.status);
        if (a.closedAt === null) expect(row.closed).toBeNull();
        else {
          expect(row.closed).toBe(new Date(a.closedAt * 1000).toISOString().slice(0, 16).replace('T', ' '));
          expect(Math.abs(Number(row.hours) - (a.closedAt - a.at) / 3600)).toBeLessThanOrEqual(0.005);
        }
      }
      if (a.kind === 'feedback') expect([row.csat, row.nps]).toEqual([a.csat, a.nps]);
    }
  });

  it('finds the customer by e-mail, in any case and with spaces around it', async () => {
    const withEmail = people.find((p) => p.refs.length > 1)!;
    const [golden] = await db().query<{ email: string }>('SELECT email FROM customers WHERE id = $1', [withEmail.customer]);
    const holders = await db().query("SELECT DISTINCT customer_id FROM customer_identifiers WHERE kind = 'email' AND value = $1", [golden!.email]);
    expect(holders.length).toBe(1);
    const report = await customerReport(db(), `  ${golden!.email.toUpperCase()} `, { asOf: end });
    expect(table(report, 'Source records').rows.map((r) => `${r.source}:${r.key}`)).toEqual(withEmail.refs);
    const goldenRows = new Map(table(report, 'Golden record').rows.map((r) => [String(r.field), r]));
    expect(goldenRows.get('E-mail')?.value).toBe(golden!.email);
    expect(withEmail.refs.map((r) => r.split(':')[0])).toContain(goldenRows.get('E-mail')?.source);
  });

  it('leaves out activities after asOf and shows a ticket closed after asOf as open', async () => {
    const ticketHolder = people.find((p) => p.activity.some((a) => a.kind === 'ticket' && a.closedAt !== null && a.closedAt - a.at > 86400))!;
    const ticket = ticketHolder.activity.find((a) => a.kind === 'ticket' && a.closedAt !== null && a.closedAt - a.at > 86400)!;
    const asOf = new Date(ticket.at * 1000).toISOString().slice(0, 10);
    const report = await customerReport(db(), String(ticketHolder.customer), { asOf });
    const rows = table(report, 'Activities').rows;
    expect(rows.length).toBe(ticketHolder.activity.filter((a) => a.at < dayEnd(asOf)).length);
    const row = rows.find((r) => r.key === ticket.key)!;
    expect(row).toMatchObject({ status: 'open', closed: null, hours: null });
  });

  it('refuses an unknown reference with a usage error naming it', async () => {
    for (const ref of ['999999', 'retail_loyalty:R9999999', 'nobody@nowhere.example.org', 'nonsense', '']) {
      const error = await userError(customerReport(db(), ref, { asOf: end }));
      expect(error.exitCode).toBe(ExitCode.usage);
      if (ref !== '') expect(error.message).toContain(ref);
    }
  });

  it('follows a customer id merged away to the customer holding its records now', async () => {
    const [a, b] = people.filter((p) => p.refs.length === 1).slice(0, 2);
    await db().transaction((tx) => linkRecords(tx, data.config, a!.refs[0]!, b!.refs[0]!));
    const survivor = Math.min(a!.customer, b!.customer);
    const loser = Math.max(a!.customer, b!.customer);
    const report = await customerReport(db(), String(loser), { asOf: end });
    expect(report.title).toContain(`Customer ${survivor}`);
    expect(report.sections[0]!.summary[0]).toContain(`followed to ${survivor}`);
    expect(table(report, 'Source records').rows.map((r) => `${r.source}:${r.key}`)).toEqual([...a!.refs, ...b!.refs].sort());
  });
});
