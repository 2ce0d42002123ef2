import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/index.js';
import { ExitCode } from '../../src/errors.js';
import { generate } from '../../src/generator/generate.js';
import { GOLDEN, golden } from '../helpers/cli.js';
import { engines } from '../helpers/databases.js';

/** Everything an import leaves behind, in a form two databases can be compared by. */
async function canonicalDump(db: Database) {
  const batches = await db.query(
    `SELECT kind, source, file_name, rows_read, rows_loaded, rows_rejected, duplicate_keys FROM import_batches WHERE status = 'loaded' ORDER BY kind, source, file_name`,
  );
  const staged = await db.query(
    `SELECT source, count(*)::int AS n,
            md5(string_agg(concat_ws('|', source_key, line_no, duplicate_key, given_name, family_name, email, phone, street, postcode, birth_date), ',' ORDER BY line_no)) AS digest
     FROM staging_records GROUP BY source ORDER BY source`,
  );
  const activities = await db.query(
    `SELECT source, count(*)::int AS n,
            md5(string_agg(concat_ws('|', source_key, line_no, customer_ref, occurred_at, amount, status, csat, nps), ',' ORDER BY line_no)) AS digest
     FROM activities GROUP BY source ORDER BY source`,
  );
  return { batches, staged, activities };
}

function killAfter(args: string[], ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GOLDEN, ...args], { stdio: 'ignore', env: { ...process.env, DATABASE_URL: '' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('a crash half way through an import', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'golden-crash-'));
  const config = path.join(dataDir, 'golden.config.json');
  beforeAll(async () => {
    await generate({ persons: 3000, seed: 11, outDir: dataDir, dirtyRate: 0.002 });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  for (const engine of engines) {
    it(`converges on rerun to exactly what an uninterrupted import loads [${engine.name}]`, async () => {
      const flagsFor = async (name: string) => {
        if (engine.name === 'pglite') {
          const dir = path.join(dataDir, `${name}-db`);
          return { flags: ['--db', dir], options: { dbDir: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
        }
        const created = await engine.create();
        return { flags: ['--database-url', created.options.databaseUrl!], options: created.options, drop: created.drop };
      };
      const clean = await flagsFor('clean');
      const clean1 = await golden(['import', '--config', config, ...clean.flags]);
      expect(clean1.code).toBe(ExitCode.rejects);
      const cleanDb = await openDatabase(clean.options);
      const expected = await canonicalDump(cleanDb);
      await cleanDb.close();
      await clean.drop();
      expect(expected.staged.length).toBe(4);

      // Kill at several points: start-up, first files, later files.
      for (const delay of [300, 900, 1800]) {
        const crashed = await flagsFor(`crash-${delay}`);
        try {
          const killed = await killAfter(['import', '--config', config, ...crashed.flags], delay);
          expect(killed).not.toBe(0); // it really was killed before finishing
          const rerun = await golden(['import', '--config', config, ...crashed.flags]);
          // Rejected rows make it 3 when a file with bad rows was still to do.
          expect([ExitCode.ok, ExitCode.rejects], rerun.stderr).toContain(rerun.code);
          const again = await golden(['import', '--config', config, ...crashed.flags]);
          expect(again.code).toBe(ExitCode.ok); // nothing left to do, nothing doubled
          const db = await openDatabase(crashed.options);
          try {
            expect(await canonicalDump(db)).toEqual(expected);
          } finally {
            await db.close();
          }
        } finally {
          await crashed.drop();
        }
      }
    }, 180_000);
  }
});
