/** The view state in the query string: range, from/to, env, f (filters), tab, touch, conv. */
import { accountTimeZone, type Filter, type QueryBody } from './api.js';
import { lastDays } from './days.js';
import { navigate } from './router.js';

export const RANGES = ['today', '7d', '30d', 'month', 'custom'] as const;
export type Range = (typeof RANGES)[number];
export const RANGE_LABELS: Record<Range, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  custom: 'Custom range',
};

export const OPERATORS = ['is', 'is_not', 'contains'] as const;
export type Operator = (typeof OPERATORS)[number];
const OPERATOR_LABELS: Record<Operator, string> = { is: 'is', is_not: 'is not', contains: 'contains' };

export const DIMENSION_LABELS: Record<string, string> = {
  channel: 'Channel',
  source: 'Source',
  utm_source: 'UTM source',
  utm_medium: 'Medium',
  utm_campaign: 'Campaign',
  utm_content: 'Content',
  utm_term: 'Term',
  referrer_domain: 'Referrer',
  landing_page: 'Landing page',
  first_channel: 'First channel',
  first_source: 'First source',
};

export interface ViewFilter {
  dimension: string;
  op: Operator;
  value: string;
}

export interface View {
  range: Range;
  from: string | null;
  to: string | null;
  env: 'live' | 'test';
  filters: ViewFilter[];
  tab: string | null;
  touch: 'first' | null;
  conv: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseView(search: URLSearchParams): View {
  const rawRange = search.get('range');
  const range: Range = (RANGES as readonly string[]).includes(rawRange ?? '') ? (rawRange as Range) : '30d';
  const from = search.get('from');
  const to = search.get('to');
  const filters: ViewFilter[] = [];
  for (const raw of search.getAll('f')) {
    const first = raw.indexOf(':');
    const second = raw.indexOf(':', first + 1);
    if (first < 1 || second < 0) continue;
    const dimension = raw.slice(0, first);
    const op = raw.slice(first + 1, second);
    if (!(dimension in DIMENSION_LABELS) || !(OPERATORS as readonly string[]).includes(op)) continue;
    filters.push({ dimension, op: op as Operator, value: raw.slice(second + 1) });
  }
  return {
    range,
    from: from && DAY.test(from) ? from : null,
    to: to && DAY.test(to) ? to : null,
    env: search.get('env') === 'test' ? 'test' : 'live',
    filters,
    tab: search.get('tab'),
    touch: search.get('touch') === 'first' ? 'first' : null,
    conv: search.get('conv') || null,
  };
}

export interface ViewPatch {
  range?: Range;
  from?: string | null;
  to?: string | null;
  env?: 'live' | 'test';
  filters?: ViewFilter[];
  tab?: string | null;
  touch?: 'first' | null;
  conv?: string | null;
}

/** The query string of a view: only what differs from the defaults, in a stable order. */
export function serializeView(view: View): string {
  const params: Array<[string, string]> = [];
  if (view.range !== '30d') params.push(['range', view.range]);
  if (view.range === 'custom') {
    if (view.from) params.push(['from', view.from]);
    if (view.to) params.push(['to', view.to]);
  }
  if (view.env === 'test') params.push(['env', 'test']);
  for (const f of view.filters) params.push(['f', `${f.dimension}:${f.op}:${f.value}`]);
  if (view.tab) params.push(['tab', view.tab]);
  if (view.touch) params.push(['touch', view.touch]);
  if (view.conv) params.push(['conv', view.conv]);
  // Readable links: ":" and "/" may stay as they are in a query string, a space is %20.
  const encode = (v: string) => encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
  const text = params.map(([k, v]) => `${k}=${encode(v)}`).join('&');
  return text ? `?${text}` : '';
}

export function updateView(
  path: string,
  view: View,
  patch: ViewPatch,
  options: { replace?: boolean } = {},
): void {
  navigate(path + serializeView({ ...view, ...patch }), options);
}

export function filterLabel(f: ViewFilter): string {
  return `${DIMENSION_LABELS[f.dimension] ?? f.dimension} ${OPERATOR_LABELS[f.op]} ${f.value}`;
}

/** Adds `dimension is value`, replacing an `is` filter on the same dimension (as Plausible does). */
export function withFilter(filters: ViewFilter[], dimension: string, value: string): ViewFilter[] {
  return [
    ...filters.filter((f) => !(f.dimension === dimension && f.op === 'is')),
    { dimension, op: 'is', value },
  ];
}

/**
 * The custom range's days, put in order; without days in the URL the last 30 days, counted in the
 * account's time zone as the server counts `30d` (not in the browser's).
 */
export function customDays(view: View, timeZone: string = accountTimeZone()): [string, string] {
  const [lastFrom, today] = lastDays(30, timeZone);
  let from = view.from ?? lastFrom;
  let to = view.to ?? today;
  if (from > to) [from, to] = [to, from];
  return [from, to];
}

/** The parts of a report query that every panel shares: range, filters, environment. */
export function baseQuery(view: View): Pick<QueryBody, 'date_range' | 'filters' | 'environment'> {
  const base: Pick<QueryBody, 'date_range' | 'filters' | 'environment'> = {
    date_range: view.range === 'custom' ? customDays(view) : view.range,
    filters: view.filters.map((f): Filter => [f.op, f.dimension, [f.value]]),
  };
  if (view.env === 'test') base.environment = 'test';
  return base;
}
