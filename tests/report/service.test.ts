import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceReport, type ServiceSettings } from '../../src/report/service.js';
import type { Report, Table } from '../../src/report/types.js';
import { UserError } from '../../src/errors.js';
import { describeEachDatabase } from '../helpers/databases.js';
import {
  activities,
  crosswalk,
  dayEnd,
  dayStart,
  generateData,
  loadData,
  mean,
  near,
  percentileCont,
  resolutionErrors,
  truth,
  type Activity,
  type Generated,
} from './fixture-service.js';

/**
 * The service report on 300 generated persons, against figures computed here from the CSV
 * files (support_tickets.csv, survey_feedback.csv, the order and transaction files) and from
 * facts.json, which the generator counted while writing them.
 */

let data: Generated;
beforeAll(async () => {
  data = await generateData();
});
afterAll(async () => {
  await data?.remove();
});

const SETTINGS: ServiceSettings = {
  standards: [
    { name: 'fast', resolutionHours: 24 },
    { name: 'standard', resolutionHours: 72 },
  ],
  repeatContactDays: 7,
  churnDays: 180,
  lowCsat: 2,
};

function table(report: Report, title: string): Table {
  const found = report.sections.flatMap((s) => s.tables).find((t) => t.title === title);
  if (!found) throw new Error(`no table "${title}"`);
  return found;
}

const byKey = (t: Table, key: string) => new Map(t.rows.map((r) => [String(r[key]), r]));
const hoursOf = (t: Activity) => (t.closedAt! - t.at) / 3600;

describeEachDatabase('service report', (db) => {
  let all: Activity[];
  let tickets: Activity[];
  let end: string;

  beforeAll(async () => {
    await loadData(db(), data);
    all = await activities(data, db());
    tickets = all.filter((a) => a.kind === 'ticket');
    end = data.facts.options.endDate;
  });

  it('reads the generated files as the generator counted them', () => {
    expect(tickets.length).toBe(data.facts.activities.support_tickets.rows);
  });

  it('counts tickets by category, status and channel as of the last day', async () => {
    const report = await serviceReport(db(), { asOf: end }, SETTINGS);
    const cats = byKey(table(report, 'Tickets by category'), 'category');
    const expected = Object.entries(data.facts.tickets.byCategory).filter(([, n]) => n > 0);
    expect(cats.size).toBe(expected.length);
    for (const [category, n] of expected) expect(cats.get(category)?.volume, category).toBe(n);

    const [unit] = table(report, 'Tickets by business unit').rows;
    expect(unit).toMatchObject({
      business_unit: 'Contact centre',
      volume: data.facts.activities.support_tickets.rows,
      resolved: data.facts.tickets.byStatus.closed,
      open: data.facts.tickets.byStatus.open,
      escalated: data.facts.tickets.byStatus.escalated,
    });
    expect(Number(unit!.open) + Number(unit!.escalated)).toBe(data.facts.tickets.openAtEnd);

    const channels = byKey(table(report, 'Tickets by channel'), 'channel');
    const perChannel = new Map<string, number>();
    for (const t of tickets) perChannel.set(t.channel, (perChannel.get(t.channel) ?? 0) + 1);
    expect(new Map([...channels].map(([c, r]) => [c, r.volume]))).toEqual(perChannel);

    const chart = report.sections[0]!.charts.find((c) => c.title === 'Ticket volume by category')!;
    expect(Object.fromEntries(chart.x.map((x, i) => [x, chart.series[0]!.values[i]]))).toEqual(Object.fromEntries(expected));
  });

  it('gives median and p90 resolution hours and the share within each standard as computed from support_tickets.csv', async () => {
    const report = await serviceReport(db(), { asOf: end }, SETTINGS);
    const hours = tickets.filter((t) => t.closedAt !== null).map(hoursOf);
    expect(hours.length).toBe(data.facts.tickets.byStatus.closed);
    const [unit] = table(report, 'Tickets by business unit').rows;
    expect(near(unit!.medianHours, percentileCont(hours, 0.5), 2), `median ${unit!.medianHours}`).toBe(true);
    expect(near(unit!.p90Hours, percentileCont(hours, 0.9), 2), `p90 ${unit!.p90Hours}`).toBe(true);
    SETTINGS.standards.forEach((s, i) => {
      const within = (100 * hours.filter((h) => h <= s.resolutionHours).length) / hours.length;
      expect(near(unit![`within${i}`], within, 1), `${s.name}: ${unit![`within${i}`]} vs ${within}`).toBe(true);
    });

    // Per category too.
    const cats = byKey(table(report, 'Tickets by category'), 'category');
    for (const [category, row] of cats) {
      const h = tickets.filter((t) => t.category === category && t.closedAt !== null).map(hoursOf);
      expect(near(row.medianHours, percentileCont(h, 0.5), 2), category).toBe(true);
    }

    // The monthly line: median by month closed.
    const chart = report.sections[0]!.charts.find((c) => c.kind === 'line')!;
    const byMonth = new Map<string, number[]>();
    for (const t of tickets.filter((t) => t.closedAt !== null)) {
      const month = new Date(t.closedAt! * 1000).toISOString().slice(0, 7);
      byMonth.set(month, [...(byMonth.get(month) ?? []), hoursOf(t)]);
    }
    const months = [...byMonth.keys()].sort();
    expect(chart.x[0]).toBe(months[0]);
    expect(chart.x.at(-1)).toBe(months.at(-1));
    chart.x.forEach((month, i) => {
      expect(near(chart.series[0]!.values[i], percentileCont(byMonth.get(month) ?? [], 0.5), 2), month).toBe(true);
    });

    const bars = report.sections[0]!.charts.find((c) => c.title.startsWith('Share resolved'))!;
    expect(bars.target?.value).toBe(90);
    expect(bars.series.map((s) => s.values[0])).toEqual(SETTINGS.standards.map((_, i) => unit![`within${i}`]));
  });

  it('counts a ticket closed after asOf as open, with its age on that day; closed on asOf counts as closed', async () => {
    // A ticket closed on a later day than it opened: the day it closed, and the day before.
    const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
    const sample = tickets.find((t) => t.closedAt !== null && day(t.closedAt) > day(t.at) && day(t.at).startsWith('2024'))!;
    const closedDay = day(sample.closedAt!);
    const dayBefore = day(dayStart(closedDay) - 86400);
    for (const asOf of [dayBefore, closedDay]) {
      const cut = dayEnd(asOf);
      const report = await serviceReport(db(), { asOf }, SETTINGS);
      const seen = tickets.filter((t) => t.at < cut);
      const backlog = seen.filter((t) => t.closedAt === null || t.closedAt >= cut);
      expect(backlog.includes(sample)).toBe(asOf === dayBefore);
      const [unit] = table(report, 'Tickets by business unit').rows;
      expect(unit!.volume).toBe(seen.length);
      expect(Number(unit!.open) + Number(unit!.escalated), asOf).toBe(backlog.length);
      expect(unit!.escalated).toBe(backlog.filter((t) => t.status === 'escalated').length);
      const ages = backlog.map((t) => (cut - t.at) / 86400);
      expect(near(unit!.backlogMedianAge, percentileCont(ages, 0.5), 2)).toBe(true);
      expect(near(unit!.backlogMaxAge, Math.max(...ages), 2)).toBe(true);
      const closed = seen.filter((t) => t.closedAt !== null && t.closedAt < cut).map(hoursOf);
      expect(unit!.resolved).toBe(closed.length);
      expect(near(unit!.medianHours, percentileCont(closed, 0.5), 2)).toBe(true);
    }
  });

  it('keeps a ticket that was never closed open however late asOf is', async () => {
    const report = await serviceReport(db(), { asOf: '2031-01-01' }, SETTINGS);
    const [unit] = table(report, 'Tickets by business unit').rows;
    const never = tickets.filter((t) => t.closedAt === null);
    expect(never.length).toBe(data.facts.tickets.openAtEnd);
    expect(Number(unit!.open) + Number(unit!.escalated)).toBe(never.length);
    expect(unit!.resolved).toBe(tickets.length - never.length);
  });

  it('counts tickets opened inside the from/to window (the last six months of facts.json)', async () => {
    for (const [month, counts] of Object.entries(data.facts.tickets.lastSixMonths).slice(-2)) {
      const from = `${month}-01`;
      const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
      const report = await serviceReport(db(), { asOf: end, from, to: last }, SETTINGS);
      const cats = byKey(table(report, 'Tickets by category'), 'category');
      for (const [category, n] of Object.entries(counts)) expect(cats.get(category)?.volume ?? 0, `${month} ${category}`).toBe(n);
      expect(report.filters).toMatchObject({ from, to: last });
    }
  });

  it('counts repeat contacts: a ticket of the same customer within 7 days after another', async () => {
    const report = await serviceReport(db(), { asOf: end }, SETTINGS);
    const byCustomer = new Map<number | string, Activity[]>();
    for (const t of tickets) {
      const who = t.customer ?? t.ref;
      byCustomer.set(who, [...(byCustomer.get(who) ?? []), t]);
    }
    let repeats = 0;
    for (const list of byCustomer.values()) {
      list.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
      for (let i = 1; i < list.length; i++) if (list[i]!.at - list[i - 1]!.at <= 7 * 86400) repeats++;
    }
    const [unit] = table(report, 'Tickets by business unit').rows;
    expect(unit!.repeats).toBe(repeats);
    expect(near(unit!.repeatPct, (100 * repeats) / tickets.length, 1)).toBe(true);
  });

  it('gives mean CSAT and NPS per channel as survey_feedback.csv does', async () => {
    const report = await serviceReport(db(), { asOf: end }, SETTINGS);
    const rows = byKey(table(report, 'Feedback by channel'), 'channel');
    const answers = all.filter((a) => a.kind === 'feedback');
    expect(answers.length).toBe(data.facts.activities.survey_feedback.rows);
    const channels = [...new Set(answers.map((a) => a.channel))];
    expect([...rows.keys()].sort()).toEqual(channels.sort());
    for (const channel of channels) {
      const these = answers.filter((a) => a.channel === channel);
      const row = rows.get(channel)!;
      expect(row.answers).toBe(these.length);
      expect(near(row.meanCsat, mean(these.map((a) => a.csat!)), 3), `${channel} csat`).toBe(true);
      expect(near(row.meanNps, mean(these.map((a) => a.nps!)), 3), `${channel} nps`).toBe(true);
      const nps = (100 * (these.filter((a) => a.nps! >= 9).length - these.filter((a) => a.nps! <= 6).length)) / these.length;
      expect(near(row.nps, nps, 1), `${channel} NPS`).toBe(true);
      expect(row.lowCsat).toBe(these.filter((a) => a.csat! <= 2).length);
    }
  });

  it('relates churn to unresolved tickets and low CSAT as the activity files do', async () => {
    for (const churnDays of [180, 184]) {
      const asOf = end;
      const report = await serviceReport(db(), { asOf }, { ...SETTINGS, churnDays });
      const cut = dayEnd(asOf);
      const windowStart = cut - churnDays * 86400;
      const first = new Map<number, number>();
      const last = new Map<number, number>();
      const unresolved = new Set<number>();
      const low = new Set<number>();
      for (const a of all) {
        if (a.customer === null || a.at >= cut) continue;
        if (a.kind !== 'feedback') {
          first.set(a.customer, Math.min(a.at, first.get(a.customer) ?? Infinity));
          last.set(a.customer, Math.max(a.at, last.get(a.customer) ?? -Infinity));
        }
        if (a.kind === 'ticket' && (a.closedAt === null || a.closedAt >= cut)) unresolved.add(a.customer);
        if (a.kind === 'feedback' && a.csat !== null && a.csat <= 2) low.add(a.customer);
      }
      const population = [...first].filter(([, at]) => at < windowStart).map(([c]) => c);
      const churned = (c: number) => last.get(c)! < windowStart;
      const group = (pick: (c: number) => boolean) => {
        const members = population.filter(pick);
        const gone = members.filter(churned).length;
        return { customers: members.length, churned: gone, rate: members.length === 0 ? null : (100 * gone) / members.length };
      };
      const rows = table(report, 'Churn by service experience').rows;
      const expected = [
        group((c) => unresolved.has(c)),
        group((c) => low.has(c)),
        group((c) => unresolved.has(c) || low.has(c)),
        group((c) => !(unresolved.has(c) || low.has(c))),
        group(() => true),
      ];
      expect(rows.map(({ customers, churned }) => ({ customers, churned }))).toEqual(expected.map(({ customers, churned }) => ({ customers, churned })));
      rows.forEach((row, i) => expect(near(row.churnRate, expected[i]!.rate, 1), `${row.group}: ${row.churnRate}`).toBe(true));
      expect(expected[2]!.customers).toBeGreaterThan(0);
      if (churnDays === 184) {
        // The generator's churn: persons whose last order/transaction/ticket is 183+ days before
        // the end. One customer per person when resolve got every person right.
        const errors = resolutionErrors(await truth(data), await crosswalk(db()));
        expect(Math.abs(Number(rows.at(-1)!.churned) - data.facts.churn.persons)).toBeLessThanOrEqual(errors);
      }
    }
  });

  it('narrows tickets to one business unit', async () => {
    const report = await serviceReport(db(), { asOf: end, businessUnit: 'Retail' }, SETTINGS);
    expect(table(report, 'Tickets by category').rows).toEqual([]);
    expect(report.sections[0]!.summary).toEqual(['No tickets in the selection.']);
    expect(report.filters).toEqual({ 'business unit': 'Retail' });
  });

  it('gives zeros when asOf is before all data', async () => {
    const report = await serviceReport(db(), { asOf: '2020-01-01' }, SETTINGS);
    expect(dayStart('2020-01-01')).toBeLessThan(Math.min(...all.map((a) => a.at)));
    for (const title of ['Tickets by business unit', 'Tickets by channel', 'Tickets by category', 'Feedback by channel']) {
      expect(table(report, title).rows, title).toEqual([]);
    }
    expect(table(report, 'Churn by service experience').rows.every((r) => r.customers === 0 && r.churned === 0 && r.churnRate === null)).toBe(true);
    expect(report.sections[0]!.charts.every((c) => c.x.length === 0)).toBe(true);
    expect(report.sections[0]!.summary).toEqual(['No tickets in the selection.']);
  });

  it('refuses a bad day or bad settings with a usage error', async () => {
    await expect(serviceReport(db(), { asOf: '2025-02-30' }, SETTINGS)).rejects.toThrow(UserError);
    await expect(serviceReport(db(), { asOf: end, from: '2025-06-01', to: '2025-01-01' }, SETTINGS)).rejects.toThrow(/after/);
    await expect(serviceReport(db(), { asOf: end }, { ...SETTINGS, standards: [] })).rejects.toThrow(UserError);
  });
});
