import { readFileSync, existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeEach, expect, it } from 'vitest';
import type { GoldenConfig, GoldenConfigInput } from '../../src/config/index.js';
import { parseConfig } from '../../src/config/index.js';
import { UserError } from '../../src/errors.js';
import { importAll, type ImportSummary } from '../../src/importer/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { Workspace } from '../helpers/workspace.js';

const HEADER = 'id,name,email,dob,phone';

function crmConfig(overrides: Partial<GoldenConfigInput['sources'][string]> = {}): GoldenConfigInput {
  return {
    defaultCountry: 'US',
    sources: {
      crm: {
        businessUnit: 'CRM',
        files: 'crm*.csv',
        key: 'id',
        dateFormats: ['DD/MM/YYYY'],
        columns: { name: 'full_name', email: 'email', dob: 'birth_date', phone: 'phone' },
        ...overrides,
      },
    },
  };
}

function rejects(file: string): { line: string; reason: string; original: string }[] {
  return parse(readFileSync(file), { columns: true }) as { line: string; reason: string; original: string }[];
}

function only(summary: ImportSummary) {
  expect(summary.files).toHaveLength(1);
  const file = summary.files[0]!;
  expect(file.rowsRead).toBe(file.rowsLoaded + file.rowsRejected);
  return file;
}

describeEachDatabase('import: bad input', (db) => {
  const ws = new Workspace();
  let config: GoldenConfig;
  let n = 0;
  /** Each test writes a file of its own name, so earlier imports do not interfere. */
  const file = (content: string | Buffer, encoding?: 'utf-8' | 'windows-1252') => ws.write(`crm_${++n}.csv`, content, encoding);
  const staged = (batchId: number | undefined) =>
    db().query<{ source_key: string; line_no: number; given_name: string | null; family_name: string | null; duplicate_key: boolean; birth_date: string | null }>(
      'SELECT source_key, line_no, given_name, family_name, duplicate_key, birth_date FROM staging_records WHERE batch_id = $1 ORDER BY line_no',
      [batchId],
    );

  beforeEach(() => {
    config = ws.config(crmConfig());
  });
  afterAll(() => ws.remove());

  it('rejects broken quoting with the original text and line, and loads the rows around it', async () => {
    const f = file(`${HEADER}\n1,Ann Lee,ann@example.com,01/02/1980,\n2,"Bob "Bobby" Ray",bob@example.com,,\n3,"Cy, Dee",cy@example.com,,\n4,"Open quote,x@example.com,,\n`);
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rowsRead).toBe(4);
    expect(result.rowsLoaded).toBe(2);
    expect(result.rowsRejected).toBe(2);
    const rows = rejects(result.rejectsFile!);
    expect(rows.map((r) => r.line)).toEqual(['3', '5']);
    expect(rows[0]!.reason).toMatch(/broken quoting/);
    expect(rows[0]!.original).toBe('2,"Bob "Bobby" Ray",bob@example.com,,');
    expect(rows[1]!.original).toBe('4,"Open quote,x@example.com,,');
    expect((await staged(result.batchId)).map((r) => r.source_key)).toEqual(['1', '3']);
  });

  it('writes rejects into rejectsDir when the config names one, creating it', async () => {
    config = ws.config({ ...crmConfig(), rejectsDir: 'out/rejects' });
    const f = file(`${HEADER}\n1,Ann Lee\n`);
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rejectsFile).toBe(ws.path(`out/rejects/crm_${n}.rejects.csv`));
    expect(rejects(result.rejectsFile!)[0]!.original).toBe('1,Ann Lee');
  });

  it('rejects ragged rows, naming the expected and found column counts', async () => {
    const f = file(`${HEADER}\n1,Ann Lee,ann@example.com,,\n2,Bob Ray,bob@example.com\n3,Cy Dee,cy@example.com,,,extra\n`);
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rowsLoaded).toBe(1);
    const rows = rejects(result.rejectsFile!);
    expect(rows.map((r) => [r.line, r.reason])).toEqual([
      ['3', 'expected 5 columns, found 3'],
      ['4', 'expected 5 columns, found 6'],
    ]);
  });

  it('imports an empty file and a header-only file as zero rows', async () => {
    for (const content of ['', `${HEADER}\n`]) {
      const result = only(await importAll(db(), config, { files: [file(content)] }));
      expect(result.status).toBe('loaded');
      expect(result.rowsRead).toBe(0);
      expect(result.rejectsFile).toBeUndefined();
    }
  });

  it('stops before loading anything when a mapped column is missing, naming file and column', async () => {
    const good = file(`${HEADER}\n1,Ann Lee,ann@example.com,,\n`);
    const bad = file('id,name,email,phone\n1,Ann Lee,ann@example.com,\n');
    const before = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM import_batches');
    const error = await importAll(db(), config, { files: [good, bad] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(bad);
    expect((error as Error).message).toContain('column "dob" is not in the header');
    expect((error as Error).message).toContain('found: id, name, email, phone');
    const after = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM import_batches');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('reads a UTF-8 byte-order mark as no part of the first header', async () => {
    const f = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER}\n1,Zoë Müller,z@example.com,,\n`)]));
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rowsLoaded).toBe(1);
    expect((await staged(result.batchId))[0]).toMatchObject({ source_key: '1', given_name: 'Zoë', family_name: 'Müller' });
  });

  it('decodes windows-1252 when declared, and rejects such bytes in a UTF-8 file with a hint', async () => {
    config = ws.config(crmConfig({ encoding: 'windows-1252' }));
    const cp = file(`${HEADER}\n1,José Núñez,j@example.com,,\n`, 'windows-1252');
    const result = only(await importAll(db(), config, { files: [cp] }));
    expect((await staged(result.batchId))[0]).toMatchObject({ given_name: 'José', family_name: 'Núñez' });

    config = ws.config(crmConfig());
    const wrong = file(`${HEADER}\n1,José Núñez,j@example.com,,\n2,Ann Lee,a@example.com,,\n`, 'windows-1252');
    const bad = only(await importAll(db(), config, { files: [wrong] }));
    expect(bad.rowsLoaded).toBe(1);
    expect(rejects(bad.rejectsFile!)[0]!.reason).toMatch(/invalid UTF-8.*windows-1252/);
  });

  it('warns when a file declared windows-1252 reads as UTF-8, and still loads it as declared', async () => {
    config = ws.config(crmConfig({ encoding: 'windows-1252' }));
    const f = file(`${HEADER}\n1,José Núñez,j@mail.com,,\n`);
    const summary = await importAll(db(), config, { files: [f] });
    expect(summary.warnings).toEqual([`${f}: declared "windows-1252" but reads as UTF-8; if names load as "JosÃ©", set "encoding": "utf-8"`]);
    expect(only(summary).rowsLoaded).toBe(1);
    const plain = await importAll(db(), config, { files: [file(`${HEADER}\n1,Jose Nunez,j@mail.com,,\n`, 'windows-1252')] });
    expect(plain.warnings).toEqual([]);
  });

  it('reads CRLF line endings without stray carriage returns and with the right line numbers', async () => {
    const f = file(`${HEADER}\r\n1,Ann Lee,ann@example.com,01/02/1980,\r\n2,"Bob\r\nRay",bob@example.com,,\r\n3,Cy Dee,cy@example.com,,\r\n`);
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rowsLoaded).toBe(3);
    const rows = await staged(result.batchId);
    expect(rows.map((r) => r.line_no)).toEqual([2, 3, 5]);
    expect(rows[0]!.birth_date).toBe('1980-02-01');
    expect(rows[2]!.family_name).toBe('Dee');
  });

  it('keeps rows whose key repeats within a file, and flags them', async () => {
    const f = file(`${HEADER}\n1,Ann Lee,ann@example.com,,\n2,Bob Ray,bob@example.com,,\n1,Ann Lee,ann.lee@example.com,,\n`);
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rowsLoaded).toBe(3);
    expect(result.duplicateKeys).toBe(2);
    expect((await staged(result.batchId)).map((r) => [r.source_key, r.duplicate_key])).toEqual([
      ['1', true],
      ['2', false],
      ['1', true],
    ]);
  });

  it('rejects a missing key and an impossible date, with reasons', async () => {
    const f = file(`${HEADER}\n,Ann Lee,ann@example.com,,\n2,Bob Ray,bob@example.com,31/02/1980,\n3,Cy Dee,cy@example.com,29/02/1980,\n`);
    const result = only(await importAll(db(), config, { files: [f] }));
    expect(result.rowsLoaded).toBe(1);
    const rows = rejects(result.rejectsFile!);
    expect(rows[0]!.reason).toMatch(/missing source key/);
    expect(rows[1]!.reason).toMatch(/^birth_date: .*31\/02\/1980/);
  });

  it('names an unreadable path and loads nothing', async () => {
    const dir = ws.path('crm_dir.csv');
    mkdirSync(dir, { recursive: true });
    for (const missing of [ws.path('crm_missing.csv'), dir]) {
      const error = await importAll(db(), config, { files: [missing] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain(missing);
    }
  });

  it('imports a file given twice, or the same bytes under two names, once', async () => {
    const content = `${HEADER}\n1,Ann Lee,ann@example.com,,\n`;
    const a = file(content);
    const b = file(content);
    const summary = await importAll(db(), config, { files: [a, a, b] });
    expect(summary.warnings.join('\n')).toContain('given more than once');
    expect(summary.files.map((f) => f.status)).toEqual(['loaded', 'skipped']);
    expect(summary.files[1]!.note).toContain('same content as');
    expect(summary.rowsLoaded).toBe(1);
  });

  it('tells onFile of each file as it ends, loaded and skipped alike, before the import returns', async () => {
    const content = `${HEADER}\n1,Ivy Tan,ivy@example.com,,\n`; // content no other test imports
    const a = file(content);
    const b = file(content);
    const big = file(`${HEADER}\n${Array.from({ length: 2000 }, (_, i) => `${i},Kit Orr,kit${i}@example.com,,`).join('\n')}\n`);
    const told: string[] = [];
    let returned = false;
    const summary = await importAll(db(), config, {
      files: [a, b, big],
      onFile: (f) => {
        expect(returned).toBe(false);
        told.push(`${f.file} ${f.status}`);
      },
    });
    returned = true;
    expect([...told].sort()).toEqual(summary.files.map((f) => `${f.file} ${f.status}`).sort());
    expect(summary.files.map((f) => f.status)).toEqual(['loaded', 'skipped', 'loaded']);
    // the skipped copy has its result at once, before either load ends
    expect(told[0]).toBe(`${b} skipped`);
  });

  it('skips a file imported before; --force reloads it without duplicating rows', async () => {
    const f = file(`${HEADER}\n1,Ann Lee,ann@example.com,,\n2,Bob Ray,bob@example.com,,\n`);
    const first = only(await importAll(db(), config, { files: [f] }));
    const again = only(await importAll(db(), config, { files: [f] }));
    expect(again.status).toBe('skipped');
    expect(again.note).toContain(`already imported as batch ${first.batchId}`);
    const forced = only(await importAll(db(), config, { files: [f], force: true }));
    expect(forced.status).toBe('loaded');
    const rows = await db().query<{ batch_id: number; status: string }>(
      'SELECT b.id AS batch_id, b.status FROM import_batches b WHERE b.id IN ($1, $2) ORDER BY b.id',
      [first.batchId, forced.batchId],
    );
    expect(rows.map((r) => r.status)).toEqual(['superseded', 'loaded']);
    expect(await staged(first.batchId)).toHaveLength(0);
    expect(await staged(forced.batchId)).toHaveLength(2);
  });

  it('loads a file rewritten in place with its size and modification time put back', async () => {
    // A loaded batch keeps its file's identity, so an unchanged file is not read again; a
    // rewrite changes the change time, which no one can put back, so it is read and loaded.
    const f = file(`${HEADER}\n7,Kim Orr,kim@example.com,,\n`);
    // a whole second, so the old modification time can be put back exactly
    const when = 1_700_000_000;
    utimesSync(f, when, when);
    const first = only(await importAll(db(), config, { files: [f] }));
    expect(first.status).toBe('loaded');
    const [kept] = await db().query<{ identity: string | null }>('SELECT file_identity AS identity FROM import_batches WHERE id = $1', [first.batchId]);
    expect(kept!.identity).toMatch(/^\d+:\d+:\d+:\d+:\d+$/);
    expect(only(await importAll(db(), config, { files: [f] })).status).toBe('skipped');
    const { ino, size } = statSync(f);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(f, `${HEADER}\n7,Kit Orr,kit@example.com,,\n`);
    utimesSync(f, when, when);
    expect(statSync(f, { bigint: true }).mtimeNs).toBe(BigInt(when) * 1_000_000_000n);
    expect(statSync(f)).toMatchObject({ ino, size });
    const rewritten = only(await importAll(db(), config, { files: [f] }));
    expect(rewritten.status).toBe('loaded');
    expect(rewritten.rowsLoaded).toBe(1);
  });

  it('aborts a file past --max-rejects and leaves nothing of it loaded', async () => {
    const f = file(`${HEADER}\n1,Ann Lee,ann@example.com,,\n2,x\n3,y\n4,Cy Dee,cy@example.com,,\n`);
    const result = only(await importAll(db(), config, { files: [f], maxRejects: 1 }));
    expect(result.status).toBe('failed');
    expect(result.note).toMatch(/more than 1 rejected/);
    expect(result.rowsLoaded).toBe(0);
    const batches = await db().query<{ id: number; status: string }>(`SELECT id, status FROM import_batches WHERE file_path = $1`, [f]);
    expect(batches.map((b) => b.status)).toEqual(['failed']);
    const rows = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM staging_records WHERE batch_id = $1', [batches[0]!.id]);
    expect(rows[0]!.n).toBe(0);
    expect(existsSync(result.rejectsFile!)).toBe(true);
    // A later run without the limit loads it: a failed batch does not count as imported.
    const retry = only(await importAll(db(), config, { files: [f] }));
    expect(retry.status).toBe('loaded');
    expect(retry.rowsLoaded).toBe(2);
  });
});

it('names the config key and suggests the fix for a typo', () => {
  const input = crmConfig() as unknown as { sources: { crm: Record<string, unknown> } };
  input.sources.crm.delimeter = ';';
  input.sources.crm.encoding = 'utf8';
  const error = (() => {
    try {
      parseConfig(JSON.stringify(input), '/x/golden.config.json');
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(UserError);
  expect(error!.message).toContain('2 problems');
  expect(error!.message).toContain('sources.crm.delimeter: unknown key (did you mean "delimiter"?)');
  expect(error!.message).toMatch(/sources\.crm\.encoding: expected one of "utf-8", "windows-1252", "latin1", got "utf8" \(did you mean "utf-8"\?\)/);
});
