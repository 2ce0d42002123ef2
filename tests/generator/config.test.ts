import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { decode, filePath, makeDataSet, readTable, type DataSet } from './helpers.js';

describe('generated golden.config.json and file formats', () => {
  let ds: DataSet;
  let json: unknown;

  beforeAll(async () => {
    ds = await makeDataSet({ persons: 1500, seed: 11 });
    json = JSON.parse(await readFile(path.join(ds.dir, 'golden.config.json'), 'utf8'));
  });
  afterAll(async () => {
    await ds?.cleanup();
  });

  it('is valid against configSchema', () => {
    const result = configSchema.safeParse(json);
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it('declares the four sources and four activities with their business units', () => {
    const { sources, activities } = ds.config;
    expect(Object.keys(sources)).toEqual(['retail_loyalty', 'card_services', 'web_shop', 'call_centre']);
    expect(Object.values(sources).map((s) => s.businessUnit)).toEqual(['Retail', 'Cards', 'Web', 'Contact centre']);
    expect(Object.fromEntries(Object.entries(activities).map(([n, a]) => [n, a.kind]))).toEqual({
      retail_orders: 'order',
      card_transactions: 'transaction',
      support_tickets: 'ticket',
      survey_feedback: 'feedback',
    });
    expect(activities.survey_feedback?.customer).toEqual({ column: 'email', by: 'email' });
    expect(activities.retail_orders?.customer).toEqual({ column: 'member_no', by: 'source_key', source: 'retail_loyalty' });
    expect(ds.config.defaultCountry).toBe('US');
    expect(sources.retail_loyalty?.encoding).toBe('windows-1252');
    expect(sources.card_services?.columns).toMatchObject({ full_name: 'full_name', address: 'address' });
    expect(sources.call_centre?.columns).toMatchObject({ phone: 'phone', alt_phone: 'phone' });
  });

  it('maps every header of every file, in order, and names key and customer columns that exist', async () => {
    const all = { ...ds.config.sources, ...ds.config.activities };
    for (const [name, spec] of Object.entries(all)) {
      const table = await readTable(filePath(ds, spec.files), spec);
      expect(table.header, name).toEqual(Object.keys(spec.columns));
      expect(table.header, name).toContain(spec.key);
      if ('customer' in spec) expect(table.header, name).toContain(spec.customer.column);
    }
  });

  it('writes retail in windows-1252 with real cp1252 bytes for accents', async () => {
    const bytes = await readFile(path.join(ds.dir, 'retail_loyalty.csv'));
    // é is 0xE9 in cp1252; in UTF-8 it would be C3 A9.
    expect(bytes.includes(0xe9)).toBe(true);
    expect(bytes.includes(Buffer.from('é', 'utf8'))).toBe(false);
    const text = decode(bytes, 'windows-1252');
    expect(/[ÁÉÍÓÚáéíóúñÑëöü]/.test(text)).toBe(true);
    expect(text.split('\n')[0]).toBe('member_no;first_name;last_name;email;mobile;street;zip;city;state;birth_date;joined');
  });

  it('writes card services as UTF-8 with a BOM, ASCII names and quoted one-line addresses', async () => {
    const bytes = await readFile(path.join(ds.dir, 'card_services.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('acct_no,full_name,dob,email_address,home_phone,address\n')).toBe(true);
    // The card system is ASCII-only: accents are dropped.
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
    expect(/\n4000-\d{4}-\d{4},"[A-Z' -]+, [A-Za-z]+( [A-Z]\.)?( (Jr\.|Sr\.|II))?",\d{2}\/\d{2}\/\d{4},/.test(text)).toBe(true);
    expect(/,"\d+ [^"]+, [^"]+, [A-Z]{2} \d{5}(-\d{4})?"\n/i.test(text)).toBe(true);
  });

  it('writes the web shop tab-separated UTF-8 without BOM', async () => {
    const bytes = await readFile(path.join(ds.dir, 'web_shop.csv'));
    expect(bytes[0]).not.toBe(0xef);
    const text = bytes.toString('utf8');
    expect(text.split('\n')[0]).toBe(
      'customer_id\tgiven_name\tfamily_name\te_mail\tphone\taddress_line_1\taddress_line_2\tpostcode\ttown\tregion\tdate_of_birth\tcreated_at',
    );
    expect(/\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\n/.test(text)).toBe(true);
    expect(/[áéíóúñë]/.test(text)).toBe(true);
  });

  it('writes the call centre and support tickets with CRLF line endings', async () => {
    for (const name of ['call_centre.csv', 'support_tickets.csv']) {
      const text = await readFile(path.join(ds.dir, name), 'utf8');
      const lines = text.split('\r\n');
      expect(lines.at(-1), name).toBe('');
      expect(lines.every((l) => !l.includes('\n')), name).toBe(true);
    }
    const text = await readFile(path.join(ds.dir, 'call_centre.csv'), 'utf8');
    expect(text.startsWith('caller_id,name,phone,alt_phone,email,postcode,birth date\r\n')).toBe(true);
  });

  it('uses LF only in the other files', async () => {
    for (const name of ['retail_loyalty.csv', 'card_services.csv', 'web_shop.csv', 'retail_orders.csv', 'card_transactions.csv', 'survey_feedback.csv', 'truth.csv', 'dirty.csv']) {
      const text = await readFile(path.join(ds.dir, name), 'latin1');
      expect(text.includes('\r'), name).toBe(false);
    }
  });
});
