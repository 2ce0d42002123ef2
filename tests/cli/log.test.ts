import { describe, expect, it } from 'vitest';
import { createRunLog, redact } from '../../src/cli/log.js';
import type { RunEvent } from '../../src/pipeline/log.js';

const capture = (format: 'text' | 'json', pii: boolean, events: RunEvent[]): string[] => {
  const lines: string[] = [];
  const log = createRunLog(format, pii, (line) => lines.push(line));
  for (const e of events) log(e);
  return lines;
};

describe('run log', () => {
  it('redacts e-mails, phone numbers and quoted key values, and leaves dates, paths and counts alone', () => {
    expect(redact('duplicate key value violates unique constraint: Key (email)=(ann@example.com) already exists')).toBe(
      'duplicate key value violates unique constraint: Key (email)=(<redacted>) already exists',
    );
    expect(redact('write to john.smith@example.co.uk or call +44 20 7946 0958, (212) 555-0199, 5550134')).toBe(
      'write to <e-mail> or call <phone>, <phone>, <phone>',
    );
    const harmless = 'batch 12 on 2026-11-24T01:37:50.608Z: 10,000,000 rows from /srv/exports/2026-11-24/web_shop.csv in 12.5 s';
    expect(redact(harmless)).toBe(harmless);
  });

  it('writes one JSON object per line with time, level, stage, message and the fields, redacted unless pii is allowed', () => {
    const event: RunEvent = { level: 'error', stage: 'import', message: 'bad value ann@example.com', fields: { file: 'a.csv', rowsRead: 3, note: 'call 020 7946 0958' } };
    const [line] = capture('json', false, [event]);
    expect(line!.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(line!) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 'error', stage: 'import', message: 'bad value <e-mail>', file: 'a.csv', rowsRead: 3, note: 'call <phone>' });
    expect(new Date(String(parsed.time)).toISOString()).toBe(parsed.time);
    const [open] = capture('json', true, [event]);
    expect(JSON.parse(open!)).toMatchObject({ message: 'bad value ann@example.com', note: 'call 020 7946 0958' });
  });

  it('writes text lines for people: time, level, stage, message, then key=value', () => {
    const [line] = capture('text', false, [{ level: 'info', stage: 'resolve', message: 'resolved', fields: { merges: 52, stages: { training: 0.5 } } }]);
    expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z info  resolve resolved  merges=52 stages=\{"training":0\.5\}\n$/);
  });
});
