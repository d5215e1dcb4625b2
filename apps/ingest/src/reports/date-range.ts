import type { NamedRange, QueryPlan } from './parse-query.js';

/** Inclusive calendar days in a time zone. */
export interface DayRange {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant in a time zone. */
export function dateInZone(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** Calendar arithmetic on `YYYY-MM-DD` (no time zone involved). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/**
 * The days a query covers, in its time zone. `Nd` ends today and has N days; `month` and `year` run from
 * their first day to today; `all` from the day of the first session (`firstDay`, or today without data).
 *
 * @example
 * resolveDateRange('30d', { today: '2026-12-02' }) // { from: '2026-11-03', to: '2026-12-02' }
 */
export function resolveDateRange(
  range: QueryPlan['dateRange'],
  options: { today: string; firstDay?: string | null },
): DayRange {
  if (typeof range !== 'string') return range;
  const today = options.today;
  const named: Record<NamedRange, () => DayRange> = {
    today: () => ({ from: today, to: today }),
    yesterday: () => ({ from: addDays(today, -1), to: addDays(today, -1) }),
    '7d': () => ({ from: addDays(today, -6), to: today }),
    '30d': () => ({ from: addDays(today, -29), to: today }),
    month: () => ({ from: `${today.slice(0, 8)}01`, to: today }),
    year: () => ({ from: `${today.slice(0, 5)}01-01`, to: today }),
    all: () => {
      // A first session dated after today (a clock ahead) still gives a range that ends today.
      const first = options.firstDay ?? today;
      return { from: [first, today].sort()[0] as string, to: today };
    },
  };
  return named[range]();
}

/** The period of the same length just before `range`. */
export function previousPeriod(range: DayRange): DayRange {
  const days = daysBetween(range.from, range.to);
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}
