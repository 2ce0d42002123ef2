import type { RunEvent, RunLog } from '../pipeline/log.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

// What personal data looks like when it slips into a message (a database error quoting a
// value, a parser quoting a line): e-mail addresses, phone numbers, and the values PostgreSQL
// quotes in "Key (column)=(value)".
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi;
// 7–15 digits with the usual separators; not a date or timestamp (2026-11-24), not a count with thousands commas
const PHONE = /(?<![\w-])(?!\d{4}-\d{2}-\d{2})\+?\(?\d(?:[ ().-]{0,2}\d){6,14}(?![\w-])/g;
const KEY_VALUE = /(Key \([^)]*\)=\()[^)]*(\))/g;

/** A message without e-mails, phone numbers or quoted key values. */
export function redact(text: string): string {
  return text.replace(KEY_VALUE, '$1<redacted>$2').replace(EMAIL, '<e-mail>').replace(PHONE, '<phone>');
}

function redactFields(fields: RunEvent['fields']): RunEvent['fields'] {
  if (fields === undefined) return undefined;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]));
}

const plain = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/**
 * The run's log on a stream (stderr): `text` is one line per event for people
 * (`time level stage message key=value …`), `json` one JSON object per line for machines
 * (time, level, stage, message and the event's counts and durations). Personal data is
 * redacted unless `pii` is set.
 */
export function createRunLog(format: LogFormat, pii: boolean, write: (line: string) => void = (l) => process.stderr.write(l)): RunLog {
  return (event) => {
    const message = pii ? event.message : redact(event.message);
    const fields = pii ? event.fields : redactFields(event.fields);
    const time = new Date().toISOString();
    if (format === 'json') {
      write(`${JSON.stringify({ time, level: event.level, stage: event.stage, message, ...fields })}\n`);
    } else {
      const extra = Object.entries(fields ?? {})
        .map(([k, v]) => `${k}=${plain(v)}`)
        .join(' ');
      write(`${time} ${event.level.padEnd(5)} ${event.stage.padEnd(7)} ${message}${extra ? `  ${extra}` : ''}\n`);
    }
  };
}
