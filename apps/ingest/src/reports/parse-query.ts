/**
 * Validates a report query (POST /api/v1/query) into a {@link QueryPlan} of whitelisted metrics,
 * dimensions and filters. Every name a user sends is checked against the lists here; values (filter
 * values, event types, dates, the time zone) travel to SQL only as bound parameters.
 */

export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
  constructor(
    /** The field at fault, e.g. `metrics[2]` or `filters[0][1]`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Dimensions that map to one column of a session (or of its visitor, for first_*). */
export const DIMENSIONS = [
  'channel',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'referrer_domain',
  'landing_page',
  'first_channel',
  'first_source',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const TIME_DIMENSIONS = ['time:hour', 'time:day', 'time:week', 'time:month'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];

export const SIMPLE_METRICS = [
  'visitors',
  'sessions',
  'page_views',
  'views_per_session',
  'bounce_rate',
] as const;
export const EVENT_METRIC_KINDS = ['events', 'conversions', 'conversion_rate'] as const;
export type SimpleMetric = (typeof SIMPLE_METRICS)[number];
export type EventMetricKind = (typeof EVENT_METRIC_KINDS)[number];

export type Metric =
  | { name: string; kind: SimpleMetric }
  | { name: string; kind: EventMetricKind; eventType: string };

export const DATE_RANGES = ['today', 'yesterday', '7d', '30d', 'month', 'year', 'all'] as const;
export type NamedRange = (typeof DATE_RANGES)[number];

export const FILTER_OPERATORS = ['is', 'is_not', 'contains'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface Filter {
  operator: FilterOperator;
  dimension: Dimension;
  values: string[];
}

export interface QueryPlan {
  dateRange: NamedRange | { from: string; to: string };
  /** IANA time zone; `null` = the account's. */
  timezone: string | null;
  metrics: Metric[];
  dimensions: Array<Dimension | TimeDimension>;
  filters: Filter[];
  compare: boolean;
  orderBy: Array<{ key: string; direction: 'asc' | 'desc' }>;
  limit: number;
  offset: number;
}

export const MAX_LIMIT = 10_000;
const DEFAULT_LIMIT = 100;
const MAX_METRICS = 20;
const MAX_FILTERS = 20;
const MAX_FILTER_VALUES = 100;
const MAX_VALUE_LENGTH = 1000;
const EVENT_TYPE = /^.{1,100}$/su;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = [
  'date_range',
  'timezone',
  'metrics',
  'dimensions',
  'filters',
  'compare',
  'order_by',
  'limit',
  'offset',
];

const list = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A calendar date that exists (2026-02-30 does not). */
export function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** An IANA time zone name that this Node knows (Postgres knows the same database of names). */
export function isTimeZone(name: string): boolean {
  if (name.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a query body and returns its plan, or throws {@link InvalidQueryError} naming the field and what
 * is allowed.
 *
 * @example
 * parseQuery({ date_range: '30d', metrics: ['visitors'], dimensions: ['channel'] })
 */
export function parseQuery(body: unknown): QueryPlan {
  if (!isObject(body)) throw new InvalidQueryError('body', 'must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key))
      throw new InvalidQueryError(key.slice(0, 50), `unknown field; allowed: ${list(FIELDS)}`);
  }

  const metrics = parseMetrics(body.metrics);
  const dimensions = parseDimensions(body.dimensions);
  const dateRange = parseDateRange(body.date_range ?? '30d');
  let timezone: string | null = null;
  if (body.timezone !== undefined && body.timezone !== null) {
    if (typeof body.timezone !== 'string' || !isTimeZone(body.timezone)) {
      throw new InvalidQueryError(
        'timezone',
        'must be an IANA time zone name such as "Europe/Berlin" or "UTC"',
      );
    }
    timezone = body.timezone;
  }
  const filters = parseFilters(body.filters);

  let compare = false;
  if (body.compare !== undefined && body.compare !== null && body.compare !== false) {
    if (body.compare !== 'previous_period')
      throw new InvalidQueryError('compare', 'must be "previous_period" or omitted');
    if (dateRange === 'all') throw new InvalidQueryError('compare', 'is not available with date_range "all"');
    compare = true;
  }

  const limit = parseInteger(body.limit, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const offset = parseInteger(body.offset, 'offset', 0, 0, 1_000_000);
  const orderBy = parseOrderBy(body.order_by, metrics, dimensions);
  return { dateRange, timezone, metrics, dimensions, filters, compare, orderBy, limit, offset };
}

function parseMetrics(value: unknown): Metric[] {
  if (value === undefined) return [{ name: 'visitors', kind: 'visitors' }];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_METRICS) {
    throw new InvalidQueryError('metrics', `must be an array of 1–${MAX_METRICS} metric names`);
  }
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const field = `metrics[${i}]`;
    if (typeof raw !== 'string') throw new InvalidQueryError(field, 'must be a string');
    if (seen.has(raw)) throw new InvalidQueryError(field, `"${raw.slice(0, 120)}" is asked twice`);
    seen.add(raw);
    if ((SIMPLE_METRICS as readonly string[]).includes(raw)) return { name: raw, kind: raw as SimpleMetric };
    const colon = raw.indexOf(':');
    const kind = colon === -1 ? '' : raw.slice(0, colon);
    const eventType = raw.slice(colon + 1);
    if (colon !== -1 && (EVENT_METRIC_KINDS as readonly string[]).includes(kind)) {
      if (!EVENT_TYPE.test(eventType) || eventType.includes('\u0000')) {
        throw new InvalidQueryError(field, 'the event type after ":" must be 1–100 characters');
      }
      return { name: raw, kind: kind as EventMetricKind, eventType };
    }
    throw new InvalidQueryError(
      field,
      `unknown metric "${raw.slice(0, 120)}"; allowed: ${list(SIMPLE_METRICS)}, "events:<type>", "conversions:<type>", "conversion_rate:<type>"`,
    );
  });
}

function parseDimensions(value: unknown): Array<Dimension | TimeDimension> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 3) {
    throw new InvalidQueryError('dimensions', 'must be an array of at most 3 dimension names');
  }
  const out: Array<Dimension | TimeDimension> = [];
  value.forEach((raw, i) => {
    const field = `dimensions[${i}]`;
    const known = [...DIMENSIONS, ...TIME_DIMENSIONS] as readonly string[];
    if (typeof raw !== 'string' || !known.includes(raw)) {
      throw new InvalidQueryError(field, `unknown dimension; allowed: ${list(known)}`);
    }
    if (out.includes(raw as Dimension)) throw new InvalidQueryError(field, `"${raw}" is asked twice`);
    if (raw.startsWith('time:') && out.some((d) => d.startsWith('time:'))) {
      throw new InvalidQueryError(field, 'at most one time dimension');
    }
    out.push(raw as Dimension | TimeDimension);
  });
  return out;
}

function parseDateRange(value: unknown): QueryPlan['dateRange'] {
  if (typeof value === 'string' && (DATE_RANGES as readonly string[]).includes(value))
    return value as NamedRange;
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((d) => typeof d === 'string' && isCalendarDate(d))
  ) {
    const [from, to] = value as [string, string];
    if (from > to) throw new InvalidQueryError('date_range', 'the first date must not be after the second');
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (days > 3660) throw new InvalidQueryError('date_range', 'spans at most 3660 days');
    return { from, to };
  }
  throw new InvalidQueryError(
    'date_range',
    `must be one of ${list(DATE_RANGES)} or ["YYYY-MM-DD", "YYYY-MM-DD"] (inclusive days in the time zone)`,
  );
}

function parseFilters(value: unknown): Filter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_FILTERS) {
    throw new InvalidQueryError('filters', `must be an array of at most ${MAX_FILTERS} filters`);
  }
  return value.map((raw, i) => {
    const field = `filters[${i}]`;
    if (!Array.isArray(raw) || raw.length !== 3) {
      throw new InvalidQueryError(
        field,
        'must be [operator, dimension, [values…]], e.g. ["is", "channel", ["Email"]]',
      );
    }
    const [operator, dimension, values] = raw as [unknown, unknown, unknown];
    if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      throw new InvalidQueryError(`${field}[0]`, `unknown operator; allowed: ${list(FILTER_OPERATORS)}`);
    }
    if (typeof dimension !== 'string' || !(DIMENSIONS as readonly string[]).includes(dimension)) {
      throw new InvalidQueryError(`${field}[1]`, `unknown dimension; allowed: ${list(DIMENSIONS)}`);
    }
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.length > MAX_FILTER_VALUES ||
      !values.every((v) => typeof v === 'string' && v.length <= MAX_VALUE_LENGTH && !v.includes('\u0000'))
    ) {
      throw new InvalidQueryError(
        `${field}[2]`,
        `must be an array of 1–${MAX_FILTER_VALUES} strings of at most ${MAX_VALUE_LENGTH} characters`,
      );
    }
    return {
      operator: operator as FilterOperator,
      dimension: dimension as Dimension,
      values: values as string[],
    };
  });
}

function parseInteger(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidQueryError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function parseOrderBy(
  value: unknown,
  metrics: Metric[],
  dimensions: Array<Dimension | TimeDimension>,
): QueryPlan['orderBy'] {
  if (value === undefined || value === null) return [];
  const keys = [...metrics.map((m) => m.name), ...dimensions];
  if (!Array.isArray(value) || value.length > 5) {
    throw new InvalidQueryError('order_by', 'must be an array of at most 5 [name, "asc"|"desc"] pairs');
  }
  return value.map((raw, i) => {
    const field = `order_by[${i}]`;
    if (!Array.isArray(raw) || raw.length !== 2 || (raw[1] !== 'asc' && raw[1] !== 'desc')) {
      throw new InvalidQueryError(field, 'must be [name, "asc"|"desc"]');
    }
    if (typeof raw[0] !== 'string' || !keys.includes(raw[0])) {
      throw new InvalidQueryError(
        `${field}[0]`,
        `must be one of the query's metrics or dimensions: ${list(keys)}`,
      );
    }
    return { key: raw[0], direction: raw[1] };
  });
}
