import { afterAll, describe, expect, it } from 'vitest';
import { planColumns, pickFields } from '../../src/importer/mapping.js';
import { readCsv, type CsvRecord } from '../../src/importer/index.js';
import { reasonKind } from '../../src/importer/rejects.js';
import { sniffCsv } from '../../src/importer/sniff.js';
import { Workspace } from '../helpers/workspace.js';

const ws = new Workspace();
afterAll(() => ws.remove());

async function records(content: string | Buffer, format = { delimiter: ',', quote: '"', encoding: 'utf-8' as const }): Promise<CsvRecord[]> {
  const file = ws.write(`r${Math.random().toString(36).slice(2)}.csv`, content);
  const out: CsvRecord[] = [];
  for await (const r of readCsv(file, format)) out.push(r);
  return out;
}

describe('reading CSV records', () => {
  it('numbers records by the line they start on, across quoted newlines and blank lines', async () => {
    const got = await records('h1,h2\na,"multi\nline"\n\nb,c\n"x\ny\nz",d\ne,f');
    expect(got.map((r) => [r.line, r.fields])).toEqual([
      [1, ['h1', 'h2']],
      [2, ['a', 'multi\nline']],
      [5, ['b', 'c']],
      [6, ['x\ny\nz', 'd']],
      [9, ['e', 'f']],
    ]);
    expect(got[1]!.raw).toBe('a,"multi\nline"');
  });

  it('keeps file order and line numbers when a record cannot be parsed', async () => {
    const got = await records('h1,h2\na,b\nc,d\ne,"never closed\nf,g\n');
    expect(got.map((r) => [r.line, r.error ? 'error' : r.fields.join('|')])).toEqual([
      [1, 'h1|h2'],
      [2, 'a|b'],
      [3, 'c|d'],
      [4, 'error'],
    ]);
    expect(got[3]!.raw).toBe('e,"never closed\nf,g');
  });

  it('reads quotes inside unquoted cells literally but flags a badly closed quoted cell', async () => {
    const got = await records('h1,h2\n5\'11",ok\n"bad"x,ok\n"fine ""quoted""",ok\n');
    expect(got[1]).toMatchObject({ fields: ['5\'11"', 'ok'] });
    expect(got[2]).toMatchObject({ line: 3, error: 'broken quoting in column 1', raw: '"bad"x,ok' });
    expect(got[3]).toMatchObject({ fields: ['fine "quoted"', 'ok'] });
  });

  it('honours another delimiter and quote character', async () => {
    const got = await records("a;b\n'x;y';z\n", { delimiter: ';', quote: "'", encoding: 'utf-8' });
    expect(got[1]!.fields).toEqual(['x;y', 'z']);
  });
});

describe('column mapping', () => {
  it('matches headers exactly or case-insensitively and lists every problem', () => {
    const plan = planColumns(['ID', ' Name ', 'Mail', 'Mail2'], 'id', { name: 'full_name', mail: 'email', Mail2: 'email' });
    expect(plan).toEqual({ keyIndex: 0, width: 4, cells: [{ index: 1, field: 'full_name' }, { index: 2, field: 'email' }, { index: 3, field: 'email' }], extraIndexes: [] });
    expect(planColumns(['ID', ' Ref '], 'id', {}, ['REF'])).toMatchObject({ extraIndexes: [1] });
    const bad = planColumns(['a', 'b'], 'id', { x: 'email', a: 'given_name', b: 'given_name' });
    expect('problems' in bad && bad.problems.map((p) => p.message)).toEqual([
      'key column "id" is not in the header (found: a, b)',
      'column "x" is not in the header (found: a, b)',
      'column "b": field "given_name" is already mapped from another column',
    ]);
  });

  it('groups non-empty trimmed cells by field in header order', () => {
    const plan = planColumns(['id', 'e1', 'e2', 'n'], 'id', { e1: 'email', e2: 'email', n: 'full_name' });
    if ('problems' in plan) throw new Error('unexpected');
    expect(pickFields(['1', ' a@x.com ', 'b@y.com', '  '], plan)).toEqual({ email: ['a@x.com', 'b@y.com'] });
  });
});

describe('reject reasons', () => {
  it('groups reasons by kind for the summary', () => {
    expect(reasonKind('expected 5 columns, found 3')).toBe('expected 5 columns, found 3');
    expect(reasonKind('birth_date: impossible date 31/02/1980 (February has 29 days)')).toBe('birth_date: impossible date …');
    expect(reasonKind('birth_date: impossible date 1980-02-31')).toBe('birth_date: impossible date …');
    expect(reasonKind('missing source key (column "id")')).toBe('missing source key');
  });
});

describe('sniffing', () => {
  it('detects delimiter and encoding', async () => {
    const tab = ws.write('tab.csv', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n');
    expect(await sniffCsv(tab)).toMatchObject({ delimiter: '\t', encoding: 'utf-8', header: ['a', 'b', 'c'] });
    const semi = ws.write('semi.csv', 'name;city\nJosé;Málaga\n', 'windows-1252');
    expect(await sniffCsv(semi)).toMatchObject({ delimiter: ';', encoding: 'windows-1252', rows: [['José', 'Málaga']] });
    const bom = ws.write('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,name\n1,Zoë\n')]));
    expect(await sniffCsv(bom)).toMatchObject({ delimiter: ',', encoding: 'utf-8', bom: true, header: ['id', 'name'] });
  });
});
