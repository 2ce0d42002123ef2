import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityConfig } from '../../src/config/schema.js';
import type { Facts } from '../../src/generator/facts.js';
import {
  epochSeconds,
  filePath,
  makeDataSet,
  parseWithFormats,
  readPlainCsv,
  readTable,
  type DataSet,
  type Loaded as SharedLoaded,
} from './helpers.js';

const PERSONS = 2000;

type Loaded = SharedLoaded<ActivityConfig>;

describe('activity files', () => {
  let ds: DataSet;
  let facts: Facts;
  let truth: Record<string, string>[];
  const acts: Record<string, Loaded> = {};
  /** source → key → person_id, clean records only. */
  const keyOwner: Record<string, Map<string, string>> = {};
  /** lower-case e-mails written in clean silo records → persons who used them. */
  const emailOwners = new Map<string, Set<string>>();

  beforeAll(async () => {
    ds = await makeDataSet({ persons: PERSONS, seed: 99, dirtyRate: 0.005 });
    facts = JSON.parse(await readFile(path.join(ds.dir, 'facts.json'), 'utf8')) as Facts;
    truth = await readPlainCsv(path.join(ds.dir, 'truth.csv'));
    const dirty = new Set((await readPlainCsv(path.join(ds.dir, 'dirty.csv'))).map((d) => `${d.file}:${d.line_no}`));
    const byLine = new Map(truth.map((t) => [`${t.source}:${t.line_no}`, t]));
    for (const [name, spec] of Object.entries(ds.config.sources)) {
      keyOwner[name] = new Map();
      const table = await readTable(filePath(ds, spec.files), spec);
      const emailColumns = Object.keys(spec.columns)
        .filter((c) => spec.columns[c] === 'email')
        .map((c) => table.header.indexOf(c));
      for (const row of table.rows) {
        if (dirty.has(`${spec.files}:${row.line}`)) continue;
        const t = byLine.get(`${name}:${row.line}`);
        if (!t) throw new Error(`no truth for ${name}:${row.line}`);
        keyOwner[name]?.set(t.source_key as string, t.person_id as string);
        for (const i of emailColumns) {
          const e = (row.cells[i] ?? '').toLowerCase();
          if (e !== '') (emailOwners.get(e) ?? emailOwners.set(e, new Set()).get(e))?.add(t.person_id as string);
        }
      }
    }
    for (const [name, spec] of Object.entries(ds.config.activities)) {
      const table = await readTable(filePath(ds, spec.files), spec);
      acts[name] = { spec, table, cell: (row, column) => row.cells[table.header.indexOf(column)] ?? '' };
    }
  });
  afterAll(async () => {
    await ds?.cleanup();
  });

  const column = (l: Loaded, field: string): string =>
    Object.keys(l.spec.columns).find((c) => l.spec.columns[c] === field) as string;

  it('parse cleanly with the declared formats; row counts match facts.json', () => {
    let total = 0;
    for (const [name, l] of Object.entries(acts)) {
      expect(l.table.skipped, name).toEqual([]);
      expect(l.table.rows.length, name).toBe(facts.activities[name as keyof Facts['activities']].rows);
      expect(Object.values(facts.activities[name as keyof Facts['activities']].byMonth).reduce((a, b) => a + b, 0)).toBe(
        l.table.rows.length,
      );
      const keys = l.table.rows.map((r) => l.cell(r, l.spec.key));
      expect(new Set(keys).size, `${name} keys unique`).toBe(keys.length);
      for (const field of ['occurred_at', 'closed_at']) {
        const c = column(l, field);
        if (!c) continue;
        for (const row of l.table.rows) {
          const v = l.cell(row, c);
          if (field === 'closed_at' && v === '') continue;
          expect(parseWithFormats(v, l.spec.dateFormats), `${name}:${row.line} ${v}`).not.toBeNull();
        }
      }
      total += l.table.rows.length;
    }
    expect(total).toBe(ds.summary.activityRows);
    // About ten activity rows per person on average.
    expect(total / PERSONS).toBeGreaterThan(7);
    expect(total / PERSONS).toBeLessThan(13);
  });

  it('rows stay inside the period', () => {
    const start = Date.UTC(2023, 0, 1) / 1000;
    const end = Date.UTC(2026, 0, 1) / 1000;
    for (const [name, l] of Object.entries(acts)) {
      for (const row of l.table.rows) {
        const t = epochSeconds(parseWithFormats(l.cell(row, column(l, 'occurred_at')), l.spec.dateFormats)!);
        expect(t >= start && t < end, `${name}:${row.line}`).toBe(true);
      }
    }
  });

  it('reference customers the way each silo does: by key of the right source, or by e-mail', () => {
    for (const [name, l] of Object.entries(acts)) {
      const ref = l.spec.customer;
      for (const row of l.table.rows) {
        const v = l.cell(row, ref.column);
        if (ref.by === 'source_key') expect(keyOwner[ref.source as string]?.has(v), `${name}:${row.line} ${v}`).toBe(true);
        else expect(emailOwners.has(v.toLowerCase()), `${name}:${row.line} ${v}`).toBe(true);
      }
    }
  });

  it('amounts, refunds, scores and ticket states are well-formed and counted in facts', () => {
    const orders = acts.retail_orders as Loaded;
    const txns = acts.card_transactions as Loaded;
    const negatives = (l: Loaded): number =>
      l.table.rows.filter((r) => {
        const a = l.cell(r, 'amount');
        expect(a).toMatch(/^-?\d+\.\d{2}$/);
        return a.startsWith('-');
      }).length;
    expect(negatives(orders)).toBe(facts.refunds.retail_orders);
    expect(negatives(txns)).toBe(facts.refunds.card_transactions);
    expect(facts.refunds.retail_orders).toBeGreaterThan(0);

    const survey = acts.survey_feedback as Loaded;
    for (const r of survey.table.rows) {
      expect(Number(survey.cell(r, 'csat'))).toBeGreaterThanOrEqual(1);
      expect(Number(survey.cell(r, 'csat'))).toBeLessThanOrEqual(5);
      expect(Number(survey.cell(r, 'nps'))).toBeGreaterThanOrEqual(0);
      expect(Number(survey.cell(r, 'nps'))).toBeLessThanOrEqual(10);
    }

    const tickets = acts.support_tickets as Loaded;
    const status: Record<string, number> = { open: 0, closed: 0, escalated: 0 };
    let open = 0;
    for (const r of tickets.table.rows) {
      const s = tickets.cell(r, 'status');
      status[s] = (status[s] ?? 0) + 1;
      const closed = tickets.cell(r, 'closed_at');
      expect(closed === '', `${r.line}`).toBe(s !== 'closed');
      if (closed === '') open++;
      else {
        const o = epochSeconds(parseWithFormats(tickets.cell(r, 'opened_at'), tickets.spec.dateFormats)!);
        expect(epochSeconds(parseWithFormats(closed, tickets.spec.dateFormats)!)).toBeGreaterThanOrEqual(o);
      }
      expect(['phone', 'email', 'chat']).toContain(tickets.cell(r, 'channel'));
    }
    expect(open).toBe(facts.tickets.openAtEnd);
    expect(status).toEqual(facts.tickets.byStatus);
    expect(open).toBeGreaterThan(0);
  });

  it('the rising ticket category climbs over the last months', () => {
    const tickets = acts.support_tickets as Loaded;
    const rising = facts.tickets.risingCategory;
    let early = 0;
    let earlyRising = 0;
    let late = 0;
    let lateRising = 0;
    const lastSix: Record<string, Record<string, number>> = {};
    for (const r of tickets.table.rows) {
      const dt = parseWithFormats(tickets.cell(r, 'opened_at'), tickets.spec.dateFormats)!;
      const month = `${dt.y}-${String(dt.m).padStart(2, '0')}`;
      const category = tickets.cell(r, 'category');
      if (month >= '2025-07') {
        lastSix[month] ??= {};
        lastSix[month][category] = (lastSix[month][category] ?? 0) + 1;
      }
      if (month >= '2025-10') {
        late++;
        if (category === rising) lateRising++;
      } else if (month < '2025-01') {
        early++;
        if (category === rising) earlyRising++;
      }
    }
    expect(lateRising / late).toBeGreaterThan((1.5 * earlyRising) / early);
    for (const [month, counts] of Object.entries(facts.tickets.lastSixMonths)) {
      for (const [category, n] of Object.entries(counts)) expect(lastSix[month]?.[category] ?? 0, `${month} ${category}`).toBe(n);
    }
  });

  it('shows seasonality, heavy and silent customers, and the churn count of facts.json', () => {
    const orders = facts.activities.retail_orders.byMonth;
    const mean = Object.values(orders).reduce((a, b) => a + b, 0) / Object.keys(orders).length;
    expect(orders['2024-12']).toBeGreaterThan(1.25 * mean);

    // Per person: rows and last day over orders, transactions and tickets.
    const rows = new Map<string, number>();
    const last = new Map<string, number>();
    for (const [name, l] of Object.entries(acts)) {
      const ref = l.spec.customer;
      for (const row of l.table.rows) {
        const v = l.cell(row, ref.column);
        const person =
          ref.by === 'source_key' ? keyOwner[ref.source as string]?.get(v) : [...(emailOwners.get(v.toLowerCase()) ?? [])][0];
        if (!person) continue;
        rows.set(person, (rows.get(person) ?? 0) + 1);
        if (name === 'survey_feedback') continue;
        const t = epochSeconds(parseWithFormats(l.cell(row, column(l, 'occurred_at')), l.spec.dateFormats)!);
        last.set(person, Math.max(last.get(person) ?? -Infinity, t));
      }
    }
    const counts = [...rows.values()];
    const average = counts.reduce((a, b) => a + b, 0) / PERSONS;
    expect(Math.max(...counts)).toBeGreaterThan(6 * average);
    expect(PERSONS - rows.size).toBeGreaterThan(0.05 * PERSONS);

    const cutoff = Date.parse(`${facts.churn.cutoff}T00:00:00Z`) / 1000;
    const churned = [...last.values()].filter((t) => t < cutoff).length;
    expect(churned).toBe(facts.churn.persons);
    expect(churned).toBeGreaterThan(0.05 * PERSONS);
  });

  it('survey answers use e-mails of the person in some silo (spouses may share one)', () => {
    const survey = acts.survey_feedback as Loaded;
    const shared = survey.table.rows.filter((r) => (emailOwners.get(survey.cell(r, 'email').toLowerCase())?.size ?? 0) > 1);
    // Only family addresses of spouses are shared.
    for (const r of shared) expect(survey.cell(r, 'email')).toMatch(/^(the[a-z]+s|[a-z]+family)\d+@/);
  });
});
