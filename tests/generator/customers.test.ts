import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import type { Facts } from '../../src/generator/facts.js';
import {
  filePath,
  makeDataSet,
  parseWithFormats,
  readPlainCsv,
  readTable,
  type DataSet,
  type Loaded as SharedLoaded,
} from './helpers.js';

const PERSONS = 2000;

type Loaded = SharedLoaded<SourceConfig>;

describe('customer silos, truth and dirty rows', () => {
  let ds: DataSet;
  let facts: Facts;
  let truth: Record<string, string>[];
  let dirty: Record<string, string>[];
  const silos: Record<string, Loaded> = {};

  beforeAll(async () => {
    ds = await makeDataSet({ persons: PERSONS, seed: 2024, dirtyRate: 0.01 });
    facts = JSON.parse(await readFile(path.join(ds.dir, 'facts.json'), 'utf8')) as Facts;
    truth = await readPlainCsv(path.join(ds.dir, 'truth.csv'));
    dirty = await readPlainCsv(path.join(ds.dir, 'dirty.csv'));
    for (const [name, spec] of Object.entries(ds.config.sources)) {
      const table = await readTable(filePath(ds, spec.files), spec);
      silos[name] = { spec, table, cell: (row, column) => row.cells[table.header.indexOf(column)] ?? '' };
    }
  });
  afterAll(async () => {
    await ds?.cleanup();
  });

  const dirtyLines = (file: string, kinds?: string[]): number[] =>
    dirty
      .filter((d) => d.file === file && (!kinds || kinds.includes(d.kind as string)))
      .map((d) => Number(d.line_no))
      .sort((a, b) => a - b);

  it('plants every kind of dirty row, one row per dirty.csv entry', () => {
    expect(dirty.length).toBe(facts.dirtyRows.total);
    expect(dirty.length).toBeGreaterThan(20);
    expect(new Set(dirty.map((d) => d.kind))).toEqual(
      new Set(['missing_column', 'extra_column', 'broken_quote', 'blank_key', 'impossible_date']),
    );
  });

  it('a strict parser rejects exactly the ragged and broken-quote rows', () => {
    for (const { spec, table } of Object.values(silos)) {
      const file = spec.files as string;
      expect(table.skipped, file).toEqual(dirtyLines(file, ['missing_column', 'extra_column', 'broken_quote']));
      // Everything else parsed, with the header's column count.
      for (const row of table.rows) expect(row.cells.length, `${file}:${row.line}`).toBe(table.header.length);
    }
  });

  it('blank keys and impossible dates are exactly where dirty.csv says', () => {
    for (const { spec, table, cell } of Object.values(silos)) {
      const file = spec.files as string;
      const blank = table.rows.filter((r) => cell(r, spec.key) === '').map((r) => r.line);
      expect(blank, file).toEqual(dirtyLines(file, ['blank_key']));
      const birthColumn = Object.keys(spec.columns).find((c) => spec.columns[c] === 'birth_date') as string;
      const badDates = table.rows
        .filter((r) => cell(r, birthColumn) !== '' && parseWithFormats(cell(r, birthColumn), spec.dateFormats) === null)
        .map((r) => r.line);
      expect(badDates, file).toEqual(dirtyLines(file, ['impossible_date']));
    }
  });

  it('clean rows have parseable dates in the declared formats', () => {
    for (const { spec, table, cell } of Object.values(silos)) {
      const dateColumns = Object.keys(spec.columns).filter((c) => ['birth_date', 'customer_since'].includes(spec.columns[c] ?? ''));
      const bad = new Set(dirtyLines(spec.files as string));
      for (const row of table.rows) {
        if (bad.has(row.line)) continue;
        for (const c of dateColumns) {
          const v = cell(row, c);
          if (v !== '') expect(parseWithFormats(v, spec.dateFormats), `${spec.files}:${row.line} ${c}=${v}`).not.toBeNull();
        }
      }
    }
  });

  it('every phone is a valid US number for libphonenumber-js', () => {
    let checked = 0;
    const styles = new Set<string>();
    for (const { spec, table, cell } of Object.values(silos)) {
      const phoneColumns = Object.keys(spec.columns).filter((c) => spec.columns[c] === 'phone');
      for (const row of table.rows) {
        for (const c of phoneColumns) {
          const v = cell(row, c);
          if (v === '') continue;
          expect(isValidPhoneNumber(v, 'US'), `${spec.files}:${row.line} ${v}`).toBe(true);
          styles.add(v.replace(/\d/g, '9'));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
    for (const style of ['(999) 999-9999', '999.999.9999', '+9 999 999 9999', '9999999999', '999-999-9999']) {
      expect(styles).toContain(style);
    }
  });

  it('truth.csv has one row per written record, pointing at its line and key', () => {
    const records = Object.values(silos).reduce((n, s) => n + s.table.rows.length + s.table.skipped.length, 0);
    expect(truth.length).toBe(records);
    expect(truth.length).toBe(ds.summary.customerRecords);
    for (const [name, { table, spec, cell }] of Object.entries(silos)) {
      const byLine = new Map(truth.filter((t) => t.source === name).map((t) => [Number(t.line_no), t]));
      expect(byLine.size).toBe(table.rows.length + table.skipped.length);
      for (const row of table.rows) {
        const t = byLine.get(row.line);
        expect(t, `${name}:${row.line}`).toBeDefined();
        expect(t?.source_key).toBe(cell(row, spec.key));
      }
    }
  });

  it('record counts agree between files, truth.csv and facts.json', () => {
    expect(facts.persons).toBe(PERSONS);
    const dirtyKeys = new Set(dirty.map((d) => `${d.file}:${d.line_no}`));
    const personSources = new Map<string, Set<string>>();
    for (const [name, { spec, table }] of Object.entries(silos)) {
      const f = facts.records[name as keyof Facts['records']];
      const rows = truth.filter((t) => t.source === name);
      const clean = rows.filter((t) => !dirtyKeys.has(`${spec.files}:${t.line_no}`));
      expect(f.rows).toBe(table.rows.length + table.skipped.length);
      expect(f.rows).toBe(rows.length);
      expect(f.clean).toBe(clean.length);
      expect(f.dirty).toBe(rows.length - clean.length);
      const perPerson = new Map<string, number>();
      for (const t of clean) perPerson.set(t.person_id as string, (perPerson.get(t.person_id as string) ?? 0) + 1);
      expect(f.persons).toBe(perPerson.size);
      expect(f.personsWithTwoRecords).toBe([...perPerson.values()].filter((n) => n === 2).length);
      expect(Math.max(...perPerson.values())).toBeLessThanOrEqual(2);
      for (const id of perPerson.keys()) {
        if (!personSources.has(id)) personSources.set(id, new Set());
        personSources.get(id)?.add(name);
      }
    }
    // Every person is in at least one silo (counting clean records only).
    expect(personSources.size).toBe(PERSONS);
    const bySourceCount: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0 };
    for (const s of personSources.values()) bySourceCount[String(s.size)]!++;
    expect(facts.personsBySourceCount).toEqual(bySourceCount);
    // Roughly the intended membership shares.
    expect(facts.records.retail_loyalty.persons / PERSONS).toBeGreaterThan(0.55);
    expect(facts.records.card_services.persons / PERSONS).toBeGreaterThan(0.3);
    expect(facts.records.web_shop.persons / PERSONS).toBeGreaterThan(0.45);
    expect(facts.records.call_centre.persons / PERSONS).toBeGreaterThan(0.2);
  });

  it('keys are unique per silo and in each silo’s own format', () => {
    const formats: Record<string, RegExp> = {
      retail_loyalty: /^R\d{7}$/,
      card_services: /^4000-\d{4}-\d{4}$/,
      web_shop: /^W\d{8}$/,
      call_centre: /^C\d{7}$/,
    };
    for (const [name, { spec, table, cell }] of Object.entries(silos)) {
      const keys = table.rows.map((r) => cell(r, spec.key)).filter((k) => k !== '');
      expect(new Set(keys).size, name).toBe(keys.length);
      for (const k of keys) expect(k).toMatch(formats[name] as RegExp);
    }
  });

  it('plants all four kinds of hard negatives for 5–10 % of persons', () => {
    const groups = new Map<string, { kind: string; persons: Set<string> }>();
    for (const t of truth) {
      if (t.group_kind === '') {
        expect(t.group_id).toBe('');
        continue;
      }
      const g = groups.get(t.group_id as string) ?? { kind: t.group_kind as string, persons: new Set<string>() };
      expect(g.kind).toBe(t.group_kind);
      g.persons.add(t.person_id as string);
      groups.set(t.group_id as string, g);
    }
    const byKind: Record<string, number[]> = {};
    for (const g of groups.values()) (byKind[g.kind] ??= []).push(g.persons.size);
    expect(Object.keys(byKind).sort()).toEqual(['common_name', 'father_son', 'spouse', 'twin']);
    for (const kind of ['twin', 'father_son', 'spouse']) expect(byKind[kind]?.every((n) => n === 2), kind).toBe(true);
    expect(byKind.common_name?.every((n) => n >= 3 && n <= 5)).toBe(true);
    const inGroups = [...groups.values()].reduce((n, g) => n + g.persons.size, 0);
    expect(inGroups / PERSONS).toBeGreaterThan(0.05);
    expect(inGroups / PERSONS).toBeLessThan(0.1);
    for (const [kind, sizes] of Object.entries(byKind)) {
      expect(facts.groups[kind as keyof Facts['groups']]).toEqual({ groups: sizes.length, persons: sizes.reduce((a, b) => a + b, 0) });
    }
  });

  it('hard negatives look alike but differ where it matters', () => {
    // Birth dates of group members are always written exactly, so they can be compared.
    const births = new Map<string, Set<string>>();
    const zips = new Map<string, Set<string>>();
    const groupOf = new Map<string, { kind: string; id: string }>();
    const byLine = new Map(truth.map((t) => [`${t.source}:${t.line_no}`, t]));
    const badLines = new Set(dirty.map((d) => `${d.file}:${d.line_no}`));
    for (const [name, { spec, table, cell }] of Object.entries(silos)) {
      const birthColumn = Object.keys(spec.columns).find((c) => spec.columns[c] === 'birth_date') as string;
      const zipColumn = Object.keys(spec.columns).find((c) => spec.columns[c] === 'postcode');
      for (const row of table.rows) {
        if (badLines.has(`${spec.files}:${row.line}`)) continue;
        const t = byLine.get(`${name}:${row.line}`);
        if (!t || t.group_kind === '') continue;
        const id = t.person_id as string;
        groupOf.set(id, { kind: t.group_kind as string, id: t.group_id as string });
        const dt = parseWithFormats(cell(row, birthColumn), spec.dateFormats);
        expect(dt, `${name}:${row.line} has a birth date`).not.toBeNull();
        if (dt) (births.get(id) ?? births.set(id, new Set()).get(id))?.add(`${dt.y}-${dt.m}-${dt.d}`);
        if (zipColumn) (zips.get(id) ?? zips.set(id, new Set()).get(id))?.add(cell(row, zipColumn).padStart(5, '0').slice(0, 5));
      }
    }
    const members = new Map<string, string[]>();
    for (const [person, g] of groupOf) (members.get(g.id) ?? members.set(g.id, []).get(g.id))?.push(person);
    const year = (id: string): number => Number([...(births.get(id) ?? [])][0]?.split('-')[0]);
    let checkedPairs = 0;
    for (const [groupId, ids] of members) {
      const kind = groupOf.get(ids[0] as string)?.kind;
      for (const id of ids) expect(births.get(id)?.size, `person ${id} has one birth date`).toBe(1);
      if (ids.length < 2) continue;
      const [a, b] = ids as [string, string];
      checkedPairs++;
      if (kind === 'twin') expect(births.get(a)).toEqual(births.get(b));
      if (kind === 'father_son') {
        const gap = Math.abs(year(a) - year(b));
        expect(gap, `group ${groupId}`).toBeGreaterThanOrEqual(24);
        expect(gap, `group ${groupId}`).toBeLessThanOrEqual(37);
      }
      if (kind === 'common_name') expect(new Set(ids.map(year)).size).toBe(ids.length);
      if (kind === 'twin' || kind === 'father_son' || kind === 'spouse') {
        const shared = [...(zips.get(a) ?? [])].some((z) => zips.get(b)?.has(z));
        if ((zips.get(a)?.size ?? 0) > 0 && (zips.get(b)?.size ?? 0) > 0) expect(shared, `group ${groupId} shares a postcode`).toBe(true);
      }
    }
    expect(checkedPairs).toBeGreaterThan(20);
  });

  it('applies silo-specific noise: nicknames, case, swapped names, accents kept or dropped', () => {
    const retail = silos.retail_loyalty as Loaded;
    const web = silos.web_shop as Loaded;
    const call = silos.call_centre as Loaded;
    const card = silos.card_services as Loaded;
    const given = (l: Loaded, c: string): string[] => l.table.rows.map((r) => l.cell(r, c));
    expect(given(retail, 'first_name').some((g) => /^[A-Z]+$/.test(g) && g.length > 2)).toBe(true);
    expect(given(web, 'given_name').some((g) => /^[a-z]+$/.test(g))).toBe(true);
    const nick = /^(Bill|Bob|Liz|Mike|Jim|Tom|Joe|Kate|Beth|Chris|Dan|Matt|Tony|Steve|Jen|Sue)\b/;
    expect(given(retail, 'first_name').some((g) => nick.test(g))).toBe(true);
    expect(given(call, 'name').some((g) => nick.test(g))).toBe(true);
    expect(given(call, 'name').some((g) => / [A-Z]\. /.test(g))).toBe(true);
    expect(card.table.rows.some((r) => / Jr\.$/.test(card.cell(r, 'full_name')))).toBe(true);
    expect(/[áéíóúñ]/.test(retail.table.text)).toBe(true);
    expect(/[^\x00-\x7f]/.test(card.table.text.replace(/^\uFEFF/, ''))).toBe(false);
    expect(web.table.rows.some((r) => web.cell(r, 'e_mail').includes('+'))).toBe(true);
    // Empty cells are present (missing fields).
    expect(retail.table.rows.some((r) => retail.cell(r, 'email') === '')).toBe(true);
    expect(call.table.rows.some((r) => call.cell(r, 'birth date') === '')).toBe(true);
  });
});
