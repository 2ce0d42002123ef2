import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { migrate, migrationStatus } from '../../db/index.js';
import { withDatabase, type GlobalOptions } from '../context.js';
import { printData, printJson } from '../output.js';

export async function dbMigrate(options: GlobalOptions): Promise<ExitCodeValue> {
  return withDatabase(
    options,
    'db migrate',
    async (db) => {
      const applied = await migrate(db);
      if (options.json) printJson({ database: db.label, applied });
      else printData(applied.length ? `${db.label}: applied ${applied.join(', ')}` : `${db.label}: schema is up to date`);
      return ExitCode.ok;
    },
    false,
  );
}

export async function dbStatus(options: GlobalOptions): Promise<ExitCodeValue> {
  return withDatabase(
    options,
    'db status',
    async (db) => {
      const [{ version }] = (await db.query<{ version: string }>("SELECT current_setting('server_version') AS version")) as [{ version: string }];
      const { applied, pending } = await migrationStatus(db);
      const counts =
        pending.length === 0
          ? (
              await db.query<{ batches: number; staged: number; activities: number; customers: number }>(
                `SELECT (SELECT count(*) FROM import_batches WHERE status = 'loaded')::int AS batches,
                        (SELECT count(*) FROM staging_records)::int AS staged,
                        (SELECT count(*) FROM activities)::int AS activities,
                        (SELECT count(*) FROM customers)::int AS customers`,
              )
            )[0]
          : undefined;
      const status = { database: db.label, engine: db.engine, serverVersion: version, applied, pending, counts };
      if (options.json) {
        printJson(status);
      } else {
        printData(
          [
            `database:   ${db.label} (PostgreSQL ${version})`,
            `migrations: ${applied.length} applied${pending.length ? `, ${pending.length} pending: ${pending.join(', ')} (run \`golden db migrate\`)` : ', none pending'}`,
            ...(counts
              ? [`contents:   ${counts.batches} loaded files, ${counts.staged} staged records, ${counts.activities} activities, ${counts.customers} customers`]
              : []),
          ].join('\n'),
        );
      }
      return ExitCode.ok;
    },
    false,
  );
}
