import type { PlannedSession } from './seed-plan.js';

// The true figures of a plan, computed here from what the tests sent, by the definitions of docs/api.md
// ("POST /api/v1/query"): a session belongs to the day it started in the account's time zone (UTC when it
// has none; the dashboard sends none, so the API uses the account's), visitors are distinct visitors of those sessions, bounce rate is the
// share of sessions with one page view among those with at least one, a conversion is a session with at
// least one event of the type.

const DAY = 86_400_000;

/** Inclusive days, `YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

/** `YYYY-MM-DD` of an instant in a time zone (UTC by default). */
export const dayOf = (instant: Date, timeZone = 'UTC'): string =>
  // en-CA formats as YYYY-MM-DD.
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );

export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The dashboard's named ranges, as the API resolves them (`Nd` ends today and has N days). */
export function namedRange(
  range: 'today' | '7d' | '30d' | 'month',
  options: { now?: Date; timeZone?: string } = {},
): DayRange {
  const today = dayOf(options.now ?? new Date(), options.timeZone);
  switch (range) {
    case 'today':
      return { from: today, to: today };
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

/** The period of the same length just before `range` (the comparison). */
export function previousPeriod(range: DayRange): DayRange {
  const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY) + 1;
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}

/** The dimensions the tests filter and group by, as the API names them. */
export type Dimension =
  | 'channel'
  | 'source'
  | 'utm_campaign'
  | 'utm_medium'
  | 'utm_content'
  | 'utm_term'
  | 'referrer_domain'
  | 'landing_page'
  | 'first_channel'
  | 'first_source';

/** The value of a dimension for a session of `plan` (a missing value is `(none)`). */
export function dimensionOf(session: PlannedSession, dimension: Dimension, plan: PlannedSession[]): string {
  const { touch } = session;
  switch (dimension) {
    case 'channel':
      return touch.channel;
    case 'source':
      return touch.source;
    case 'utm_campaign':
    case 'utm_medium':
    case 'utm_content':
    case 'utm_term':
      return touch.utm?.[dimension] ?? '(none)';
    case 'referrer_domain':
      return touch.referrerDomain ?? '(none)';
    case 'landing_page':
      return session.landingPath;
    case 'first_channel':
    case 'first_source': {
      // The visitor's first session ever (of this plan: one account and environment).
      const first = plan
        .filter((s) => s.visitorId === session.visitorId)
        .sort((a, b) => a.start.getTime() - b.start.getTime())[0];
      if (!first) return '(none)';
      return dimension === 'first_channel' ? first.touch.channel : first.touch.source;
    }
  }
}

/** A filter `is` one value, as a chip or `f=<dimension>:is:<value>` sets it. */
export interface IsFilter {
  dimension: Dimension;
  value: string;
}

export interface Metrics {
  visitors: number;
  sessions: number;
  page_views: number;
  views_per_session: number;
  bounce_rate: number;
  conversions: number;
}

/** A row of a Sources table: the Overview's metrics but views per session, and the conversion rate. */
export interface BreakdownRow {
  visitors: number;
  sessions: number;
  page_views: number;
  bounce_rate: number;
  conversions: number;
  conversion_rate: number;
}

// The API's rounding: numeric round() in SQL, half away from zero (every value here is positive).
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const rate = (part: number, whole: number, digits: number) =>
  whole === 0 ? 0 : Math.round((100 * part * 10 ** digits) / whole) / 10 ** digits;

/** What a report is asked for besides its range. */
export interface TruthOptions {
  filters?: IsFilter[];
  /** Default `signup`. */
  conversionEvent?: string;
  /** The account's time zone (default UTC). */
  timeZone?: string;
}

/** The sessions of `plan` that started in `range` (days in `timeZone`) and pass every filter. */
export function sessionsIn(
  plan: PlannedSession[],
  range: DayRange,
  filters: IsFilter[] = [],
  timeZone = 'UTC',
): PlannedSession[] {
  return plan.filter((session) => {
    const day = dayOf(session.start, timeZone);
    if (day < range.from || day > range.to) return false;
    return filters.every((filter) => dimensionOf(session, filter.dimension, plan) === filter.value);
  });
}

function measure(sessions: PlannedSession[], conversionEvent: string): Metrics & BreakdownRow {
  const visitors = new Set(sessions.map((s) => s.visitorId)).size;
  const pageViews = sessions.reduce((sum, s) => sum + s.pageViews, 0);
  const withViews = sessions.filter((s) => s.pageViews >= 1).length;
  const bounces = sessions.filter((s) => s.pageViews === 1).length;
  const conversions = sessions.filter((s) => s.customEvents.includes(conversionEvent)).length;
  return {
    visitors,
    sessions: sessions.length,
    page_views: pageViews,
    views_per_session: sessions.length === 0 ? 0 : round(pageViews / sessions.length, 2),
    bounce_rate: rate(bounces, withViews, 1),
    conversions,
    conversion_rate: rate(conversions, sessions.length, 2),
  };
}

/** The Overview's numbers. */
export function overviewTruth(plan: PlannedSession[], range: DayRange, options: TruthOptions = {}): Metrics {
  const all = measure(
    sessionsIn(plan, range, options.filters, options.timeZone),
    options.conversionEvent ?? 'signup',
  );
  return {
    visitors: all.visitors,
    sessions: all.sessions,
    page_views: all.page_views,
    views_per_session: all.views_per_session,
    bounce_rate: all.bounce_rate,
    conversions: all.conversions,
  };
}

/** Percent change as the API computes it from the two periods' values: one decimal, null from 0. */
export function percentChange(before: number, after: number): number | null {
  if (before === 0) return null;
  return Math.round(((after - before) / before) * 1000) / 10;
}

/** The change of each Overview metric against the previous period. */
export function overviewChange(
  plan: PlannedSession[],
  range: DayRange,
  options: TruthOptions = {},
): Record<keyof Metrics, number | null> {
  const now = overviewTruth(plan, range, options);
  const before = overviewTruth(plan, previousPeriod(range), options);
  const change = {} as Record<keyof Metrics, number | null>;
  for (const key of Object.keys(now) as Array<keyof Metrics>)
    change[key] = percentChange(before[key], now[key]);
  return change;
}

/** A Sources table: one row per value of `dimension`, keyed by that value. */
export function breakdownTruth(
  plan: PlannedSession[],
  range: DayRange,
  dimension: Dimension,
  options: TruthOptions = {},
): Map<string, BreakdownRow> {
  const groups = new Map<string, PlannedSession[]>();
  for (const session of sessionsIn(plan, range, options.filters, options.timeZone)) {
    const value = dimensionOf(session, dimension, plan);
    groups.set(value, [...(groups.get(value) ?? []), session]);
  }
  const rows = new Map<string, BreakdownRow>();
  for (const [value, sessions] of groups) {
    const m = measure(sessions, options.conversionEvent ?? 'signup');
    rows.set(value, {
      visitors: m.visitors,
      sessions: m.sessions,
      page_views: m.page_views,
      bounce_rate: m.bounce_rate,
      conversions: m.conversions,
      conversion_rate: m.conversion_rate,
    });
  }
  return rows;
}

/** The instant a day begins in a time zone (its local midnight). */
export function startOfDay(day: string, timeZone: string): Date {
  const wallClock = (instant: number) => {
    const parts: Record<string, string> = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
        .formatToParts(instant)
        .map((part) => [part.type, part.value]),
    );
    const n = (type: string) => Number(parts[type]);
    return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  };
  const target = Date.parse(`${day}T00:00:00Z`);
  // Two steps settle the offset, also on the day clocks change.
  let instant = target - (wallClock(target) - target);
  instant = target - (wallClock(instant) - instant);
  return new Date(instant);
}

/** The days of a range, in order. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * Visitors per day of `range` (`unit: 'day'`), or per hour of its one day (`'hour'`, labels `HH:00`), in
 * UTC: what the Overview's chart draws.
 */
export function visitorsOverTime(
  plan: PlannedSession[],
  range: DayRange,
  unit: 'day' | 'hour',
): Array<{ label: string; visitors: number }> {
  const sessions = sessionsIn(plan, range);
  const bucketOf = (session: PlannedSession) =>
    unit === 'day' ? dayOf(session.start) : `${session.start.toISOString().slice(11, 13)}:00`;
  const labels =
    unit === 'day' ? daysOf(range) : Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
  return labels.map((label) => ({
    label,
    visitors: new Set(sessions.filter((s) => bucketOf(s) === label).map((s) => s.visitorId)).size,
  }));
}
