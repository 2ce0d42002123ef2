import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, expect, it } from 'vitest';
import type { GoldenConfig } from '../../src/config/index.js';
import { importAll, type ImportOptions } from '../../src/importer/index.js';
import { settleActivities } from '../../src/resolve/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { Workspace } from '../helpers/workspace.js';

describeEachDatabase('import: activity files', (db) => {
  const ws = new Workspace();
  afterAll(() => ws.remove());
  const config = (): GoldenConfig =>
    ws.config({
      sources: {
        crm: { businessUnit: 'CRM', files: 'crm.csv', key: 'id', columns: { name: 'full_name', email: 'email' } },
      },
      activities: {
        orders: {
          kind: 'order',
          businessUnit: 'Retail',
          files: 'orders*.csv',
          key: 'order_id',
          dateFormats: ['YYYY-MM-DD HH:mm:ss', 'YYYY-MM-DD'],
          customer: { column: 'customer_id', source: 'crm' },
          columns: { order_date: 'occurred_at', amount: 'amount', channel: 'channel' },
        },
        tickets: {
          kind: 'ticket',
          businessUnit: 'Contact centre',
          files: 'tickets*.csv',
          key: 'ticket_id',
          dateFormats: ['ISO'],
          customer: { column: 'caller', source: 'crm' },
          columns: { opened: 'occurred_at', closed: 'closed_at', status: 'status', category: 'category' },
        },
        survey: {
          kind: 'feedback',
          businessUnit: 'Web',
          files: 'survey*.csv',
          key: 'response_id',
          dateFormats: ['YYYY-MM-DD'],
          customer: { column: 'email', by: 'email' },
          columns: { answered: 'occurred_at', csat: 'csat', nps: 'nps' },
        },
      },
    });

  /** Imports, then moves the staged rows into activities as resolve does. */
  const load = async (options: ImportOptions) => {
    const summary = await importAll(db(), config(), options);
    const staged = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM staging_activities');
    expect(Number(staged[0]!.n)).toBe(summary.rowsLoaded);
    return { summary, settled: await settleActivities(db()) };
  };

  const activities = (source: string) =>
    db().query<{ source_key: string; kind: string; customer_ref_by: string; customer_ref_source: string | null; customer_ref: string; amount: string | null; status: string | null; csat: number | null; nps: number | null; business_unit: string }>(
      'SELECT source_key, kind, customer_ref_by, customer_ref_source, customer_ref, amount, status, csat, nps, business_unit FROM activities WHERE source = $1 ORDER BY source_key, line_no',
      [source],
    );

  it('loads orders keyed by a source key, refunds negative, order lines with a repeated key kept', async () => {
    ws.write('orders_1.csv', 'order_id,customer_id,order_date,amount,channel\nO1,C1,2025-01-05 10:00:00,19.99,Store\nO2,C2,2025-01-06,(5.00),WEB\nO2,C2,2025-01-06,7.50,WEB\nO3,,2025-01-07,1.00,web\n');
    const { summary, settled } = await load({ source: 'orders' });
    expect(settled).toMatchObject({ batches: 1, rows: 3, unattached: 3, replaced: 0, bulk: false });
    const [file] = summary.files;
    expect(file).toMatchObject({ status: 'loaded', rowsRead: 4, rowsLoaded: 3, rowsRejected: 1, duplicateKeys: 2 });
    const rejected = parse(readFileSync(file!.rejectsFile!), { columns: true }) as { reason: string }[];
    expect(rejected[0]!.reason).toBe('missing customer reference (column "customer_id")');
    const rows = await activities('orders');
    expect(rows.map((r) => [r.source_key, r.customer_ref, r.amount])).toEqual([
      ['O1', 'C1', '19.99'],
      ['O2', 'C2', '-5.00'],
      ['O2', 'C2', '7.50'],
    ]);
    expect(rows[0]).toMatchObject({ kind: 'order', customer_ref_by: 'source_key', customer_ref_source: 'crm', business_unit: 'Retail' });
  });

  it('replaces a ticket exported again by its newer version', async () => {
    ws.write('tickets_1.csv', 'ticket_id,caller,opened,closed,status,category\nT1,C1,2025-02-01T09:00:00,,open,billing\nT2,C2,2025-02-02T09:00:00,2025-02-02T10:00:00,closed,card\n');
    await load({ source: 'tickets' });
    ws.write('tickets_2.csv', 'ticket_id,caller,opened,closed,status,category\nT1,C1,2025-02-01T09:00:00,2025-02-03T12:00:00,closed,billing\n');
    const { summary, settled } = await load({ source: 'tickets' });
    const second = summary.files.find((f) => f.file.endsWith('tickets_2.csv'))!;
    expect(second).toMatchObject({ status: 'loaded', rowsLoaded: 1 });
    expect(settled).toMatchObject({ batches: 1, rows: 1, replaced: 1 });
    expect((await activities('tickets')).map((r) => [r.source_key, r.status])).toEqual([
      ['T1', 'closed'],
      ['T2', 'closed'],
    ]);
  });

  it('finds feedback customers by normalised e-mail and rejects scores out of range', async () => {
    ws.write('survey_1.csv', 'response_id,email,answered,csat,nps\nS1, Ann.Lee@Mail.COM ,2025-03-01,5,10\nS2,not-an-email,2025-03-01,4,9\nS3,bob@mail.com,2025-03-02,7,9\n');
    const { summary } = await load({ source: 'survey' });
    const [file] = summary.files;
    expect(file).toMatchObject({ rowsRead: 3, rowsLoaded: 1, rowsRejected: 2 });
    const reasons = (parse(readFileSync(file!.rejectsFile!), { columns: true }) as { line: string; reason: string }[]).map((r) => [r.line, r.reason]);
    expect(reasons[0]![0]).toBe('3');
    expect(reasons[0]![1]).toMatch(/^customer e-mail: invalid/);
    expect(reasons[1]![0]).toBe('4');
    expect(reasons[1]![1]).toMatch(/csat/);
    expect(await activities('survey')).toMatchObject([{ source_key: 'S1', customer_ref_by: 'email', customer_ref: 'ann.lee@mail.com', csat: 5, nps: 10 }]);
  });

  it('keeps the newest export of a key when two files of it are staged together, and replaces the older rows already in', async () => {
    ws.write('tickets_3.csv', 'ticket_id,caller,opened,closed,status,category\nT2,C2,2025-02-02T09:00:00,,reopened,card\nT3,C1,2025-02-05T09:00:00,,open,billing\n');
    ws.write('tickets_4.csv', 'ticket_id,caller,opened,closed,status,category\nT3,C1,2025-02-05T09:00:00,2025-02-06T09:00:00,closed,billing\n');
    const summary = await importAll(db(), config(), { source: 'tickets' });
    expect(summary.files.filter((f) => f.status === 'loaded').map((f) => f.file.slice(-13))).toEqual(['tickets_3.csv', 'tickets_4.csv']);
    const settled = await settleActivities(db());
    // T2 replaces the earlier T2 in activities; T3 of tickets_3 gives way to tickets_4's.
    expect(settled).toMatchObject({ batches: 2, rows: 2, replaced: 2 });
    expect((await activities('tickets')).map((r) => [r.source_key, r.status])).toEqual([
      ['T1', 'closed'],
      ['T2', 'reopened'],
      ['T3', 'closed'],
    ]);
    expect(await settleActivities(db())).toMatchObject({ batches: 0, rows: 0 });
  });
});
