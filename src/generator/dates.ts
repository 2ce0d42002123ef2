/**
 * Dates as whole days since 1970-01-01 (UTC, no time zones involved) and fast formatting.
 * Date objects are avoided in the hot path: ten million activity rows each format a date.
 */

export interface Ymd {
  y: number;
  m: number; // 1–12
  d: number; // 1–31
}

/** Days since 1970-01-01 for a civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): Ymd {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

/** Parses "YYYY-MM-DD" strictly; throws on anything else (options come from users). */
export function parseIsoDay(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`expected a date as YYYY-MM-DD, got "${text}"`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const days = daysFromCivil(y, m, d);
  const back = civilFromDays(days);
  if (back.y !== y || back.m !== m || back.d !== d) throw new Error(`not a calendar date: "${text}"`);
  return days;
}

/** "00" … "99": two-digit fields without padStart in the hot path. */
export const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

export function pad2(n: number): string {
  return PAD2[n] as string;
}

export function isoDay(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** "YYYY-MM" of a day, for monthly counts. */
export function monthKey(days: number): string {
  const { y, m } = civilFromDays(days);
  return `${y}-${pad2(m)}`;
}

/** "HH:mm:ss" for a second of the day. */
export function timeOfDay(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const rest = seconds - h * 3600;
  const mi = Math.floor(rest / 60);
  return `${pad2(h)}:${pad2(mi)}:${pad2(rest - mi * 60)}`;
}

/** "HH:mm" for a second of the day. */
export function hourMinute(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  return `${pad2(h)}:${pad2(Math.floor((seconds - h * 3600) / 60))}`;
}

/**
 * Civil dates for a contiguous range of days, computed once: activity rows only ever use
 * days inside the generation period (plus a margin for tickets closed after it).
 */
export class DayTable {
  private readonly ys: string[] = [];
  private readonly ms: string[] = [];
  private readonly ds: string[] = [];
  readonly months: number[] = []; // month index (y * 12 + m - 1) per day

  constructor(
    readonly first: number,
    readonly last: number,
  ) {
    for (let day = first; day <= last; day++) {
      const { y, m, d } = civilFromDays(day);
      this.ys.push(String(y));
      this.ms.push(pad2(m));
      this.ds.push(pad2(d));
      this.months.push(y * 12 + m - 1);
    }
  }

  private parts(day: number): [string, string, string] {
    const i = day - this.first;
    if (i < 0 || day > this.last) {
      const { y, m, d } = civilFromDays(day);
      return [String(y), pad2(m), pad2(d)];
    }
    return [this.ys[i] as string, this.ms[i] as string, this.ds[i] as string];
  }

  /** Month (1–12) of a day inside the table. */
  month(day: number): number {
    return ((this.months[day - this.first] as number) % 12) + 1;
  }

  /** Renders a day in one of the generator's date formats. */
  format(day: number, format: DateFormat): string {
    const [y, m, d] = this.parts(day);
    switch (format) {
      case 'YYYY-MM-DD':
        return `${y}-${m}-${d}`;
      case 'DD.MM.YYYY':
        return `${d}.${m}.${y}`;
      case 'MM/DD/YYYY':
        return `${m}/${d}/${y}`;
      case 'YYYY/MM/DD':
        return `${y}/${m}/${d}`;
    }
  }
}

/** The day formats the silos use (each is declared in golden.config.json). */
export type DateFormat = 'YYYY-MM-DD' | 'DD.MM.YYYY' | 'MM/DD/YYYY' | 'YYYY/MM/DD';

/** Formats a day outside any table (birth dates, join dates). */
export function formatDay(days: number, format: DateFormat): string {
  const { y, m, d } = civilFromDays(days);
  return formatParts(y, m, d, format);
}

/** Formats explicit parts, which may be impossible (31.02.) on purpose for dirty rows. */
export function formatParts(y: number, m: number, d: number, format: DateFormat): string {
  const yy = String(y);
  const mm = pad2(m);
  const dd = pad2(d);
  switch (format) {
    case 'YYYY-MM-DD':
      return `${yy}-${mm}-${dd}`;
    case 'DD.MM.YYYY':
      return `${dd}.${mm}.${yy}`;
    case 'MM/DD/YYYY':
      return `${mm}/${dd}/${yy}`;
    case 'YYYY/MM/DD':
      return `${yy}/${mm}/${dd}`;
  }
}
