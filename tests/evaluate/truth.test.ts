import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import { readTruth, type Truth } from '../../src/evaluate/truth.js';
import { Workspace } from '../helpers/workspace.js';

/** The truth as "source:key" → entity name, for readable assertions. */
function labels(truth: Truth): Record<string, string> {
  return Object.fromEntries([...truth.rows].map(([key, row]) => [key.replace('\u0000', ':'), truth.entities[truth.entityOf[row]!]!]));
}

async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('readTruth', () => {
  const ws = new Workspace();
  afterAll(() => ws.remove());

  it('reads source, source_key and entity_id, storing each entity name once', async () => {
    const file = ws.write('t1.csv', '\uFEFFsource,source_key,entity_id\ncrm,1,A\ncrm,2,A\nweb, x ,B\n\n');
    const truth = await readTruth(file);
    expect(labels(truth)).toEqual({ 'crm:1': 'A', 'crm:2': 'A', 'web:x': 'B' });
    expect(truth.entities).toEqual(['A', 'B']);
  });

  it('takes the first entity column present, in the order entity_id, entity, person_id, cluster', async () => {
    const file = ws.write('t2.csv', 'cluster,person_id,source,source_key\nc1,p1,crm,1\n');
    expect(labels(await readTruth(file))).toEqual({ 'crm:1': 'p1' });
    expect(labels(await readTruth(file, { entityColumn: 'cluster' }))).toEqual({ 'crm:1': 'c1' });
  });

  it('reads a FEBRL-style file with --key-column and --source', async () => {
    const file = ws.write('febrl.csv', 'rec_id, given_name, person_id\nrec-0-org, ana, 0\nrec-0-dup-0, anna, 0\nrec-1-org, bo, 1\n');
    const truth = await readTruth(file, { keyColumn: 'rec_id', source: 'febrl' });
    expect(labels(truth)).toEqual({ 'febrl:rec-0-org': '0', 'febrl:rec-0-dup-0': '0', 'febrl:rec-1-org': '1' });
  });

  it('without a source column and without --source, fails with exit 2 naming the columns found', async () => {
    const file = ws.write('nosource.csv', 'rec_id,person_id\nr1,1\n');
    const error = await userError(readTruth(file, { keyColumn: 'rec_id' }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(`${file}: no "source" column (columns found: rec_id, person_id); give the source of every row with --source`);
  });

  it('names the missing key or entity column', async () => {
    const file = ws.write('nokey.csv', 'source,id,entity\ncrm,1,A\n');
    expect((await userError(readTruth(file))).message).toContain('no key column "source_key" (columns found: source, id, entity; name it with --key-column)');
    const other = ws.write('noentity.csv', 'source,source_key,label\ncrm,1,A\n');
    expect((await userError(readTruth(other))).message).toContain('no entity column entity_id, entity, person_id, cluster');
    expect((await userError(readTruth(other, { entityColumn: 'group' }))).message).toContain('no entity column "group"');
  });

  it('with a source column, --source keeps only that source', async () => {
    const file = ws.write('two.csv', 'source,source_key,entity\ncrm,1,A\nweb,1,A\n');
    expect(labels(await readTruth(file, { source: 'web' }))).toEqual({ 'web:1': 'A' });
  });

  it('accepts a repeated row but rejects a record labelled with two entities', async () => {
    const same = ws.write('dup.csv', 'source,source_key,entity\ncrm,1,A\ncrm,1,A\n');
    expect(labels(await readTruth(same))).toEqual({ 'crm:1': 'A' });
    const clash = ws.write('clash.csv', 'source,source_key,entity\ncrm,1,A\ncrm,1,B\n');
    expect((await userError(readTruth(clash))).message).toBe(`${clash}: record 3: crm:1 is labelled both A and B`);
  });

  it('skips rows without a key, rejects a blank source, and reports a missing file as a user error', async () => {
    const blank = ws.write('blank.csv', 'source,source_key,entity\ncrm,,A\ncrm,2,\ncrm,3,B\n');
    const read = await readTruth(blank);
    expect(labels(read)).toEqual({ 'crm:3': 'B' });
    expect(read.skipped).toBe(2);
    const noSource = ws.write('nosource.csv', 'source,source_key,entity\n,1,A\n');
    expect((await userError(readTruth(noSource))).message).toBe(`${noSource}: record 2: blank source`);
    expect((await userError(readTruth(ws.path('nope.csv')))).message).toBe(`${ws.path('nope.csv')}: cannot read (ENOENT)`);
    expect((await userError(readTruth(ws.write('empty.csv', '')))).message).toContain('empty truth file');
  });
});
