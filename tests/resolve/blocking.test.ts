import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockingRule } from '../../src/config/index.js';
import { parseConfig } from '../../src/config/index.js';
import { DEFAULT_BLOCKING } from '../../src/config/schema.js';
import { blockingKeysSql } from '../../src/resolve/blocking.js';
import { pairsFromKeys } from '../../src/resolve/stages.js';
import { describeEachDatabase } from '../helpers/databases.js';

/** Blocking keys: the SQL's shape, then the keys it makes on a tiny table on each engine. */

const count = (text: string, part: string) => text.split(part).length - 1;

describe('blockingKeysSql text', () => {
  it('reads the table once for rules without e-mails or phones', () => {
    const rules: BlockingRule[] = [
      { name: 'postcode_name', on: ['postcode', 'family_phonetic', 'given_name_formal:1'] },
      { name: 'name_birth', on: ['family_phonetic', 'birth_date'] },
    ];
    const sql = blockingKeysSql(rules, 'some_table', 'true');
    expect(count(sql, 'unnest(ARRAY[')).toBe(1);
    expect(count(sql, 'FROM some_table t')).toBe(1);
    expect(sql).not.toContain('UNION ALL');
    expect(sql).not.toContain('rs_blocked');
    expect(sql).toContain("'postcode_name|'");
    expect(sql).toContain("'name_birth|'");
  });

  it('adds one branch per rule using e-mails or phones, for the other values', () => {
    const sql = blockingKeysSql(DEFAULT_BLOCKING, 'rs_delta', "t.change <> 'same'");
    expect(count(sql, 'unnest(ARRAY[')).toBe(1);
    expect(count(sql, 'UNION ALL')).toBe(2);
    expect(count(sql, 'unnest(t.other_emails)')).toBe(1);
    expect(count(sql, 'unnest(t.other_phones)')).toBe(1);
    // Every branch keeps the caller's filter.
    expect(count(sql, "t.change <> 'same'")).toBe(3);

    const emailOnly = blockingKeysSql([{ name: 'postcode', on: ['postcode'] }, { name: 'email', on: ['emails'] }], 'x', 'true');
    expect(count(emailOnly, 'UNION ALL')).toBe(1);
    expect(emailOnly).toContain('unnest(t.other_emails)');
    expect(emailOnly).not.toContain('other_phones');
  });
});

interface Row {
  id: number;
  email_match?: string | null;
  other_emails?: string[] | null;
  phone?: string | null;
  other_phones?: string[] | null;
  postcode?: string | null;
  family_phonetic?: string | null;
  given_name_formal?: string | null;
  given_name_match?: string | null;
  family_name_match?: string | null;
  birth_date?: string | null;
  birth_year?: number | null;
  street_match?: string | null;
  house_number?: string | null;
  city?: string | null;
  region?: string | null;
}

const COLUMNS = [
  'id', 'email_match', 'other_emails', 'phone', 'other_phones', 'postcode', 'family_phonetic', 'given_name_formal', 'given_name_match',
  'family_name_match', 'birth_date', 'birth_year', 'street_match', 'house_number', 'city', 'region',
] as const;

const ROWS: Row[] = [
  {
    id: 1, email_match: 'ann@example.com', phone: '+15550001', postcode: '12345', family_phonetic: 'SM0', given_name_formal: 'anne',
    given_name_match: 'ann', family_name_match: 'smith', birth_date: '1980-01-02', birth_year: 1980, street_match: 'main st', house_number: '1',
  },
  {
    // Ann's address among its other e-mails, in another case; name written the other way round.
    id: 2, email_match: 'bob@example.com', other_emails: ['ANN@Example.COM'], postcode: '12345', family_phonetic: 'SM0',
    given_name_formal: 'andrew', given_name_match: 'smith', family_name_match: 'ann', birth_year: 1975,
  },
  {
    // A blocklisted e-mail and phone; Ann's phone among its other phones; no postcode.
    id: 3, email_match: 'info@example.com', other_emails: ['Info@Example.com'], phone: '+15550009', other_phones: ['+15550001', '+15550009'],
    given_name_formal: 'anne', family_phonetic: 'SM0', birth_date: '1980-01-02', birth_year: 1980,
  },
  {
    // Empty strings are as good as missing.
    id: 4, email_match: '', phone: '', postcode: '', family_phonetic: 'SM0', given_name_formal: 'amy', birth_date: '1980-01-02', birth_year: 1980,
  },
  {
    // Same postcode and surname sound as Ann, another initial.
    id: 5, email_match: 'bo@example.com', postcode: '12345', family_phonetic: 'SM0', given_name_formal: 'bob', given_name_match: 'bob',
    family_name_match: 'smith',
  },
  {
    // The blocklisted address as its only one, in capitals.
    id: 6, other_emails: ['INFO@example.com'], given_name_formal: 'anne',
  },
];

const RULES: BlockingRule[] = [
  { name: 'email', on: ['emails'] },
  { name: 'phone', on: ['phones'] },
  { name: 'postcode_name', on: ['postcode', 'family_phonetic', 'given_name_formal:1'] },
  { name: 'given_birth', on: ['given_name_formal', 'birth_date'] },
  { name: 'name_pair', on: ['name_pair'] },
  { name: 'year_area', on: ['birth_year', 'postcode:3'] },
];
const rule = (name: string) => RULES.findIndex((r) => r.name === name);

interface Key {
  key: string;
  record_id: number;
  rule: number;
}

describeEachDatabase('blocking keys', (db) => {
  beforeAll(async () => {
    await db().exec(`CREATE TABLE bk_records (id bigint PRIMARY KEY, email_match text, other_emails text[], phone text, other_phones text[],
      postcode text, family_phonetic text, given_name_formal text, given_name_match text, family_name_match text, birth_date date,
      birth_year integer, street_match text, house_number text, city text, region text)`);
    await db().exec('CREATE TABLE rs_blocked (value text PRIMARY KEY)');
    await db().exec("INSERT INTO rs_blocked VALUES ('info@example.com'), ('+15550009')");
    for (const row of ROWS) {
      await db().query(
        `INSERT INTO bk_records (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        COLUMNS.map((c) => row[c] ?? null),
      );
    }
  });

  async function keys(rules: readonly BlockingRule[] = RULES, where = 'true'): Promise<Key[]> {
    const rows = await db().query<Key>(
      `SELECT key::text AS key, record_id::int AS record_id, rule::int AS rule FROM (${blockingKeysSql(rules, 'bk_records', where)}) k`,
    );
    return rows.map((r) => ({ key: String(r.key), record_id: Number(r.record_id), rule: Number(r.rule) }));
  }

  const of = (all: Key[], ruleIndex: number, id: number) => [...new Set(all.filter((k) => k.rule === ruleIndex && k.record_id === id).map((k) => k.key))];

  async function hash(text: string): Promise<string> {
    const [row] = await db().query<{ h: string }>('SELECT hashtextextended($1, 0)::text AS h', [text]);
    return String(row!.h);
  }

  it('gives two records with the same e-mail one key, other e-mails lower-cased', async () => {
    const all = await keys();
    const email = rule('email');
    const ann = await hash('email|ann@example.com');
    expect(of(all, email, 1)).toEqual([ann]);
    expect(of(all, email, 2).sort()).toEqual([ann, await hash('email|bob@example.com')].sort());
    // Phones: the primary of one record and an other phone of another.
    expect(of(all, rule('phone'), 3)).toEqual(of(all, rule('phone'), 1));
    expect(of(all, rule('phone'), 1)).toEqual([await hash('phone|+15550001')]);
  });

  it('makes no key from a blocklisted e-mail or phone, primary or other', async () => {
    const all = await keys();
    // Record 3: its e-mail (both forms) and own phone are blocklisted; only Ann's phone is left.
    expect(of(all, rule('email'), 3)).toEqual([]);
    expect(of(all, rule('phone'), 3)).toHaveLength(1);
    expect(of(all, rule('email'), 6)).toEqual([]);
    const blocked = [await hash('email|info@example.com'), await hash('phone|+15550009')];
    expect(all.filter((k) => blocked.includes(k.key))).toEqual([]);
    // Non-e-mail rules of record 3 are not affected.
    expect(of(all, rule('given_birth'), 3)).toHaveLength(1);
  });

  it('gives a record missing a part (null or empty) no key for that rule', async () => {
    const all = await keys();
    // No postcode: no postcode_name or year_area key, other rules still keyed.
    expect(of(all, rule('postcode_name'), 3)).toEqual([]);
    expect(of(all, rule('year_area'), 3)).toEqual([]);
    // Empty e-mail, phone and postcode.
    for (const name of ['email', 'phone', 'postcode_name', 'year_area', 'name_pair']) expect(of(all, rule(name), 4), name).toEqual([]);
    expect(of(all, rule('given_birth'), 4)).toHaveLength(1);
    // No birth date.
    expect(of(all, rule('given_birth'), 2)).toEqual([]);
    expect(of(all, rule('given_birth'), 5)).toEqual([]);
    // No names at all.
    expect(of(all, rule('name_pair'), 6)).toEqual([]);
    // Nothing but keys: never a null.
    expect(all.every((k) => k.key !== 'null' && k.key !== '' && k.key !== 'undefined')).toBe(true);
    // Record 6 has nothing but a blocklisted e-mail and a given name: no key at all.
    expect(all.filter((k) => k.record_id === 6)).toEqual([]);
  });

  it('cuts "field:N" to its first N characters ("given_name_formal:1" is the initial)', async () => {
    const all = await keys();
    const postcodeName = rule('postcode_name');
    const initialA = await hash('postcode_name|12345|SM0|a');
    expect(of(all, postcodeName, 1)).toEqual([initialA]); // anne
    expect(of(all, postcodeName, 2)).toEqual([initialA]); // andrew
    expect(of(all, postcodeName, 5)).toEqual([await hash('postcode_name|12345|SM0|b')]); // bob
    // birth_year is text, postcode cut to three characters.
    expect(of(all, rule('year_area'), 1)).toEqual([await hash('year_area|1980|123')]);
    expect(of(all, rule('year_area'), 2)).toEqual([await hash('year_area|1975|123')]);
    // Full-length fields: Ann and record 3 share given name and birth date.
    expect(of(all, rule('given_birth'), 1)).toEqual([await hash('given_birth|anne|1980-01-02')]);
    expect(of(all, rule('given_birth'), 3)).toEqual(of(all, rule('given_birth'), 1));
  });

  it('keys a name pair in either order', async () => {
    const all = await keys();
    const pair = rule('name_pair');
    expect(of(all, pair, 1)).toHaveLength(1);
    expect(of(all, pair, 2)).toEqual(of(all, pair, 1));
    expect(of(all, pair, 5)).not.toEqual(of(all, pair, 1));
  });

  it('keys only the records the filter selects, in every branch', async () => {
    const all = await keys(RULES, 't.id <> 2');
    expect(all.some((k) => k.record_id === 2)).toBe(false);
    expect(all.some((k) => k.record_id === 1)).toBe(true);
    expect(all.some((k) => k.record_id === 3 && k.rule === rule('phone'))).toBe(true);
  });

  it('numbers rules by their position in the list', async () => {
    const reversed = [...RULES].reverse();
    const all = await keys(reversed);
    const forward = await keys();
    const byName = (list: Key[], rules: readonly BlockingRule[]) => list.map((k) => `${rules[k.rule]!.name} ${k.record_id} ${k.key}`).sort();
    expect(byName(all, reversed)).toEqual(byName(forward, RULES));
  });

  it('makes no email_local key from a blocklisted e-mail', async () => {
    const local: BlockingRule[] = [{ name: 'local', on: ['email_local'] }];
    const all = await keys(local);
    expect(of(all, 0, 1)).toEqual([await hash('local|ann')]);
    // info@example.com is blocklisted: its local part is no evidence either.
    expect(of(all, 0, 3)).toEqual([]);
  });

  it('refuses a rule on both e-mails and phones in the config, naming the rule', () => {
    const config = JSON.stringify({
      sources: { crm: { businessUnit: 'CRM', files: 'crm.csv', key: 'id', columns: { id: null } } },
      resolve: { blocking: [{ name: 'email_phone', on: ['emails', 'phones'] }] },
    });
    expect(() => parseConfig(config, 'golden.config.json')).toThrow('resolve.blocking[0].on: expected at most one of "emails" and "phones" in one rule');
  });
});

/** One key of a hand-made rs_keys: its block, record, rule and whether the record changed. */
interface KeyRow {
  key: number;
  record_id: number;
  rule: number;
  is_delta: boolean;
}

/** Blocks of every size from 1 to past the limit, with repeated records and unchanged members. */
function keyRows(maxBlockSize: number): KeyRow[] {
  // mulberry32: the same blocks on every run.
  let seed = 7;
  const next = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const rows: KeyRow[] = [];
  for (let key = 1; key <= 400; key++) {
    const size = 1 + (key % (maxBlockSize + 2));
    const rule = key % 5;
    for (let i = 0; i < size; i++) {
      // Ids from a small range so that blocks share pairs (across rules too) and repeat a record.
      rows.push({ key, record_id: 1 + next(150), rule, is_delta: key % 4 === 0 ? next(3) === 0 : next(5) > 0 });
    }
  }
  return rows;
}

/** The pairs by their definition: two different records of one block, one of them changed. */
function expectedPairs(rows: readonly KeyRow[], maxBlockSize: number): Map<string, number> {
  const blocks = new Map<number, KeyRow[]>();
  for (const r of rows) blocks.set(r.key, [...(blocks.get(r.key) ?? []), r]);
  const pairs = new Map<string, number>();
  for (const members of blocks.values()) {
    if (members.length < 2 || members.length > maxBlockSize) continue;
    for (const a of members) {
      for (const b of members) {
        if (a.record_id >= b.record_id || !(a.is_delta || b.is_delta)) continue;
        const code = `${a.record_id}:${b.record_id}`;
        pairs.set(code, (pairs.get(code) ?? 0) | (1 << a.rule));
      }
    }
  }
  return pairs;
}

describeEachDatabase('candidate pairs from blocking keys', (db) => {
  it('are every two different records of a block of 2 … maxBlockSize, one of them changed, with the rules that paired them', async () => {
    const maxBlockSize = 6;
    const rows = keyRows(maxBlockSize);
    const got = await db().transaction(async (tx) => {
      await tx.exec('CREATE TEMP TABLE rs_keys (key bigint, record_id bigint, rule smallint, is_delta boolean)');
      await tx.query('INSERT INTO rs_keys SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::boolean[])', [
        rows.map((r) => r.key),
        rows.map((r) => r.record_id),
        rows.map((r) => r.rule),
        rows.map((r) => r.is_delta),
      ]);
      await pairsFromKeys(tx, maxBlockSize);
      const pairs = await tx.query<{ l: number; r: number; rules: number }>('SELECT code >> 31 AS l, code & 2147483647 AS r, rules FROM rs_pairs');
      await tx.exec('DROP TABLE rs_keys, rs_blocks, rs_members, rs_pairs');
      return new Map(pairs.map((p) => [`${Number(p.l)}:${Number(p.r)}`, Number(p.rules)]));
    });
    const expected = expectedPairs(rows, maxBlockSize);
    expect(expected.size).toBeGreaterThan(500);
    expect(got).toEqual(expected);
  });
});
