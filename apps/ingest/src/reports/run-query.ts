import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';

/** The report statements' transaction (see REPORT_SETTINGS). */
type Tx = TransactionSql;

import { addDays, type DayRange, dateInZone, previousPeriod, resolveDateRange } from './date-range.js';
import type { Dimension, Filter, Metric, QueryPlan, TimeDimension } from './parse-query.js';
import {
  EMPTY_SKETCH,
  rollupCoverage,
  SKETCH_PARAMETERS,
  sketchesAvailable,
  TOUCH_ROLLUPS,
  type TouchRollups,
  VISITOR_SKETCH,
} from './rollups.js';

/** Whose data a query reads: one account, its test or its live data. */
export interface QueryScope {
  accountId: string;
  isTest: boolean;
  /** The account's time zone (settings.timezone), used when the query names none. */
  accountTimeZone: string | null;
}

export interface ResultRow {
  dimensions: string[];
  metrics: number[];
  comparison?: { metrics: number[]; change: Array<number | null> };
}

export interface QueryAnswer {
  results: ResultRow[];
  meta: {
    date_range: [string, string];
    timezone: string;
    total_rows: number;
    metrics: string[];
    dimensions: string[];
    comparison_date_range?: [string, string];
  };
}

/** The value a missing dimension value groups under. */
export const NONE = '(none)';

type Fragment = PendingQuery<Row[]>;

// Each dimension is one SQL expression, in this one place. `first_*` read the session's visitor.
const DIMENSION_SQL: Record<Dimension, (sql: Tx) => Fragment> = {
  channel: (sql) => sql`s.channel`,
  source: (sql) => sql`s.source`,
  utm_source: (sql) => sql`s.utm_source`,
  utm_medium: (sql) => sql`s.utm_medium`,
  utm_campaign: (sql) => sql`s.utm_campaign`,
  utm_content: (sql) => sql`s.utm_content`,
  utm_term: (sql) => sql`s.utm_term`,
  referrer_domain: (sql) => sql`s.referrer_domain`,
  landing_page: (sql) => sql`s.landing_path`,
  first_channel: (sql) => sql`v.first_channel`,
  first_source: (sql) => sql`v.first_source`,
};
const VISITOR_DIMENSIONS = new Set<Dimension>(['first_channel', 'first_source']);

const TIME_UNIT: Record<TimeDimension, { unit: string; step: string; label: string }> = {
  'time:hour': { unit: 'hour', step: '1 hour', label: 'YYYY-MM-DD HH24:00' },
  'time:day': { unit: 'day', step: '1 day', label: 'YYYY-MM-DD' },
  'time:week': { unit: 'week', step: '1 week', label: 'YYYY-MM-DD' },
  'time:month': { unit: 'month', step: '1 month', label: 'YYYY-MM' },
};

const isTime = (d: string): d is TimeDimension => d.startsWith('time:');

/**
 * Runs a validated query for one account. Sessions are the unit: a session belongs to the day (hour,
 * week, month) it started in the query's time zone. Every statement filters `account_id` and `is_test`
 * first and binds every value; only names from the whitelists of `parse-query.ts` shape the SQL.
 */
export async function runQuery(
  sql: Sql,
  scope: QueryScope,
  plan: QueryPlan,
  now = new Date(),
): Promise<QueryAnswer> {
  const timeZone = plan.timezone ?? scope.accountTimeZone ?? 'UTC';
  const today = dateInZone(now, timeZone);
  let firstDay: string | null = null;
  if (plan.dateRange === 'all') {
    const [row] = await sql<{ first: Date | null }[]>`
      SELECT min(started_at) AS first FROM sessions WHERE account_id = ${scope.accountId} AND is_test = ${scope.isTest}`;
    firstDay = row?.first ? dateInZone(row.first, timeZone) : null;
  }
  const range = resolveDateRange(plan.dateRange, { today, firstDay });
  const previous = plan.compare ? previousPeriod(range) : null;

  const [current, before] = await Promise.all([
    aggregate(sql, scope, plan, timeZone, range),
    previous ? aggregate(sql, scope, plan, timeZone, previous) : Promise.resolve(null),
  ]);

  const ordered = orderRows(current, plan);
  const page = ordered.slice(plan.offset, plan.offset + plan.limit);
  let results: ResultRow[] = page.map((row) => ({ dimensions: row.dimensions, metrics: row.metrics }));
  if (before) {
    const timeAt = plan.dimensions.findIndex(isTime);
    // Time buckets are matched by position (the 3rd day with the 3rd day before), others by value.
    const keyOf = (row: AggregateRow) =>
      JSON.stringify(row.dimensions.map((d, i) => (i === timeAt ? row.bucketIndex : d)));
    const earlier = new Map(before.map((row) => [keyOf(row), row.metrics]));
    results = page.map((row) => {
      const old = earlier.get(keyOf(row)) ?? plan.metrics.map(() => 0);
      return {
        dimensions: row.dimensions,
        metrics: row.metrics,
        comparison: {
          metrics: old,
          change: row.metrics.map((value, i) => percentChange(old[i] as number, value)),
        },
      };
    });
  }
  return {
    results,
    meta: {
      date_range: [range.from, range.to],
      timezone: timeZone,
      total_rows: current.length,
      metrics: plan.metrics.map((m) => m.name),
      dimensions: [...plan.dimensions],
      ...(previous ? { comparison_date_range: [previous.from, previous.to] as [string, string] } : {}),
    },
  };
}

/** Percent change from `before` to `after`, one decimal; null when `before` is 0. */
export function percentChange(before: number, after: number): number | null {
  if (before === 0) return null;
  return Math.round(((after - before) / before) * 1000) / 10;
}

interface AggregateRow {
  dimensions: string[];
  metrics: number[];
  /** Position of the time bucket in the period (time dimensions only). */
  bucketIndex: number;
}

/**
 * Report statements run in a transaction of their own with settings for one large read: memory for the
 * distinct-visitor sort and the grouping (instead of spilling to disk at the default 4 MB), and no JIT
 * (compiling costs 15–100 ms, more than it saves on a scan of a few hundred thousand index tuples).
 */
const REPORT_SETTINGS = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off";

/**
 * Where a period's sessions are read from. `sessions`: the table, exact. `rollups`: the daily rollup rows
 * of one dimension ('' for all sessions) for the days they cover, plus the sessions of the other days of
 * the period (`rawRanges`: today, and days changed since their rollup was built), merged; distinct
 * visitors then come from HyperLogLog sketches (exact up to 1,280, else within ~1 %).
 */
type Source =
  | { kind: 'sessions' }
  | {
      kind: 'rollups';
      /** One dimension's rows (`dimension`, '' for all sessions), or a set of touch rows (`touch`). */
      rows: { dimension: string } | { touch: TouchRollups };
      days: DayRange;
      staleDays: string[];
      rawRanges: DayRange[];
    };

/** Every group of the period: one SQL statement, grouped and (for time) filled with empty buckets. */
async function aggregate(pool: Sql, scope: QueryScope, plan: QueryPlan, timeZone: string, range: DayRange) {
  // Asked before the transaction, which holds a connection of the pool (a second one could wait forever).
  const sketches = await sketchesAvailable(pool);
  // One snapshot for the rollup coverage and the statement that reads it.
  return (await pool.begin('isolation level repeatable read read only', async (tx) => {
    await tx.unsafe(REPORT_SETTINGS).simple();
    const source = sketches
      ? await chooseSource(tx, scope, plan, timeZone, range)
      : { kind: 'sessions' as const };
    return aggregateIn(tx, scope, plan, timeZone, range, source);
  })) as AggregateRow[];
}

/**
 * The dimension whose rollup rows can answer the query, or null: rollups are per day and per single
 * dimension, so a query qualifies with at most one dimension besides time (day, week or month, not hour),
 * and filters on that dimension only (or, without one, filters on a single dimension).
 */
export function rollupDimension(plan: QueryPlan): string | null {
  if (plan.dimensions.includes('time:hour')) return null;
  const others = plan.dimensions.filter((d) => !isTime(d));
  const filtered = new Set(plan.filters.map((f) => f.dimension as string));
  if (others.length > 1 || filtered.size > 1) return null;
  const [dimension] = others;
  const [filter] = filtered;
  if (dimension !== undefined) return filter === undefined || filter === dimension ? dimension : null;
  return filter ?? '';
}

/**
 * The touch rollups that can answer the query (when one dimension's rollups cannot), or null: days, weeks
 * or months, and the smallest set whose rows have a column for every dimension and filter it names.
 */
export function touchRollupsFor(plan: QueryPlan): TouchRollups | null {
  if (plan.dimensions.includes('time:hour')) return null;
  const named = [...plan.dimensions.filter((d) => !isTime(d)), ...plan.filters.map((f) => f.dimension)];
  return TOUCH_ROLLUPS.find((set) => named.every((d) => set.dimensions.includes(d))) ?? null;
}

async function chooseSource(
  tx: Tx,
  scope: QueryScope,
  plan: QueryPlan,
  timeZone: string,
  range: DayRange,
): Promise<Source> {
  const sessions = { kind: 'sessions' } as const;
  const dimension = rollupDimension(plan);
  const touch = dimension === null ? touchRollupsFor(plan) : null;
  const rows = dimension !== null ? { dimension } : touch !== null ? { touch } : null;
  if (rows === null) return sessions;
  const coverage = await rollupCoverage(tx, scope.accountId, timeZone, range.from);
  if (!coverage || coverage.rolledThrough < range.from) return sessions;
  const rawRanges: DayRange[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) {
    if (day <= coverage.rolledThrough && !coverage.staleDays.has(day)) continue;
    const last = rawRanges.at(-1);
    if (last && addDays(last.to, 1) === day) last.to = day;
    else rawRanges.push({ from: day, to: day });
  }
  const [to] = [coverage.rolledThrough, range.to].sort() as [string];
  return {
    kind: 'rollups',
    rows,
    days: { from: range.from, to },
    staleDays: [...coverage.staleDays],
    rawRanges,
  };
}

async function aggregateIn(
  sql: Tx,
  scope: QueryScope,
  plan: QueryPlan,
  timeZone: string,
  range: DayRange,
  source: Source,
): Promise<AggregateRow[]> {
  const dayStart = (day: string) => sql`(${day}::date::timestamp AT TIME ZONE ${timeZone}::text)`;
  const dayEnd = (day: string) => sql`((${day}::date + 1)::timestamp AT TIME ZONE ${timeZone}::text)`;
  const start = dayStart(range.from);
  const end = dayEnd(range.to);
  const needsVisitor =
    plan.dimensions.some((d) => !isTime(d) && VISITOR_DIMENSIONS.has(d)) ||
    plan.filters.some((f) => VISITOR_DIMENSIONS.has(f.dimension));

  const groupDims = plan.dimensions.map((d, i) => {
    const alias = sql(`d${i}`);
    if (isTime(d)) {
      const t = TIME_UNIT[d];
      return sql`date_trunc(${t.unit}, s.started_at AT TIME ZONE ${timeZone}::text) AS ${alias}`;
    }
    return sql`COALESCE(${DIMENSION_SQL[d](sql)}, ${NONE}) AS ${alias}`;
  });
  const dimAliases = plan.dimensions.map((_d, i) => sql`${sql(`d${i}`)}`);
  const groupBy = dimAliases.length > 0 ? sql`GROUP BY ${join(sql, dimAliases, sql`, `)}` : sql``;
  // The visitor of a session that started in the range was seen in the range: a redundant condition
  // that lets the join leave out visitors who were not (most of them, for a short range).
  const visitorJoin = needsVisitor
    ? sql`JOIN visitors v ON v.account_id = s.account_id AND v.visitor_id = s.visitor_id
        AND v.last_seen_at >= ${start} AND v.first_seen_at < ${end}`
    : sql``;
  // The sessions read from the table: the period's, or (from rollups) those of the days they do not cover.
  const rawRanges = source.kind === 'sessions' ? [range] : source.rawRanges;
  const rawStart = rawRanges[0] ? dayStart(rawRanges[0].from) : start;
  const startedIn = join(
    sql,
    rawRanges.map((r) => sql`(s.started_at >= ${dayStart(r.from)} AND s.started_at < ${dayEnd(r.to)})`),
    sql` OR `,
  );
  const sessionWhere = sql`
    s.account_id = ${scope.accountId} AND s.is_test = ${scope.isTest}
    AND (${startedIn})
    ${join(
      sql,
      plan.filters.map((f) => sql` AND ${filterSql(sql, f, DIMENSION_SQL[f.dimension](sql))}`),
      sql``,
    )}`;
  // Rollup rows (table alias `r`) of the covered days: one dimension's rows, whose `value` is that
  // dimension's, or touch rows, with a column per dimension.
  const byDimension = source.kind === 'rollups' && 'dimension' in source.rows ? source.rows.dimension : null;
  const touchSet = source.kind === 'rollups' && 'touch' in source.rows ? source.rows.touch : null;
  const rollupValue = (r: Fragment, d: Dimension) =>
    byDimension !== null ? sql`${r}.value` : sql`${r}.${sql(d)}`;
  const rollupWhere = (r: Fragment) =>
    source.kind === 'rollups'
      ? sql`${r}.account_id = ${scope.accountId} AND ${r}.is_test = ${scope.isTest}
        ${byDimension !== null ? sql`AND ${r}.dimension = ${byDimension}` : sql``}
        AND ${r}.day >= ${source.days.from}::date AND ${r}.day <= ${source.days.to}::date
        AND NOT (${r}.day = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(source.staleDays)}::text::jsonb)::date)))
        ${join(
          sql,
          plan.filters.map((f) => sql` AND ${filterSql(sql, f, rollupValue(r, f.dimension))}`),
          sql``,
        )}`
      : sql`false`;
  const rollupDims = (r: Fragment) =>
    plan.dimensions.map((d, i) =>
      isTime(d)
        ? sql`date_trunc(${TIME_UNIT[d].unit}, ${r}.day::timestamp) AS ${sql(`d${i}`)}`
        : sql`${rollupValue(r, d)} AS ${sql(`d${i}`)}`,
    );
  const eventRollupTable = touchSet ? sql(touchSet.eventTable) : sql`report_event_rollups`;

  // Session metrics come from one scan of the covering index (`main`). Event metrics of a type other than
  // page_view start from that type's events instead (`convN`): usually a few percent of the sessions,
  // whose dimensions are read by primary key — so the large scan never needs a column outside the index.
  const eventTypes = [
    ...new Set(
      plan.metrics.flatMap((m) => ('eventType' in m && m.eventType !== 'page_view' ? [m.eventType] : [])),
    ),
  ];
  const conv = (i: number) => sql(`conv${i}`);
  const rawConv = (type: string) => sql`
      SELECT ${join(sql, [...groupDims, sql`count(*)::int AS c`, sql`sum(e.n)::bigint AS n`], sql`, `)}
      FROM (
        SELECT session_id, count(*)::int AS n FROM events
        WHERE account_id = ${scope.accountId} AND is_test = ${scope.isTest} AND event_type = ${type}
          AND occurred_at >= ${rawStart} AND session_id IS NOT NULL
        GROUP BY session_id
      ) e
      JOIN sessions s ON s.account_id = ${scope.accountId} AND s.session_id = e.session_id
      ${visitorJoin}
      WHERE ${sessionWhere}
      ${groupBy}`;
  const convCtes = eventTypes.map((type, i) => {
    if (source.kind === 'sessions') return sql`, ${conv(i)} AS (${rawConv(type)})`;
    const er = sql`er`;
    return sql`, ${conv(i)} AS (
      SELECT ${join(sql, [...dimAliases, sql`sum(p.c)::int AS c`, sql`sum(p.n)::bigint AS n`], sql`, `)}
      FROM (
        SELECT ${join(sql, [...rollupDims(er), sql`er.sessions AS c`, sql`er.events AS n`], sql`, `)}
        FROM ${eventRollupTable} er WHERE ${rollupWhere(er)} AND er.event_type = ${type}
        ${rawRanges.length > 0 ? sql`UNION ALL ${rawConv(type)}` : sql``}
      ) p
      ${groupBy})`;
  });
  const convJoins = eventTypes.map((_t, i) =>
    dimAliases.length === 0
      ? sql` CROSS JOIN ${conv(i)}`
      : sql` LEFT JOIN ${conv(i)} ON ${join(
          sql,
          plan.dimensions.map((_d, k) => sql`${conv(i)}.${sql(`d${k}`)} = main.${sql(`d${k}`)}`),
          sql` AND `,
        )}`,
  );
  const mainMetrics = [
    sql`count(*)::int AS sessions`,
    sql`count(DISTINCT s.visitor_key)::int AS visitors`,
    sql`COALESCE(sum(s.page_view_count), 0)::bigint AS page_views`,
    sql`(count(*) FILTER (WHERE s.page_view_count = 1))::int AS bounces`,
    sql`(count(*) FILTER (WHERE s.page_view_count >= 1))::int AS viewed`,
  ];
  const metricSql = plan.metrics.map((m, i) => {
    const k = 'eventType' in m ? eventTypes.indexOf(m.eventType) : -1;
    return sql`${metricExpression(sql, m, k === -1 ? null : sql`${conv(k)}`)} AS ${sql(`m${i}`)}`;
  });

  const rawMain = sql`
      SELECT ${join(sql, [...groupDims, ...mainMetrics], sql`, `)}
      FROM sessions s ${visitorJoin}
      WHERE ${sessionWhere}
      ${groupBy}`;
  const r = sql`r`;
  const rollupRows = touchSet
    ? // One row per visitor key of a touch row; its counts on the first key only.
      sql`SELECT ${join(
        sql,
        [
          ...rollupDims(r),
          sql`CASE WHEN k.n = 1 THEN r.sessions END AS sessions`,
          sql`CASE WHEN k.n = 1 THEN r.page_views END AS page_views`,
          sql`CASE WHEN k.n = 1 THEN r.bounces END AS bounces`,
          sql`CASE WHEN k.n = 1 THEN r.viewed END AS viewed`,
          sql`NULL::hll AS visitors, k.visitor_key`,
        ],
        sql`, `,
      )}
      FROM ${sql(touchSet.table)} r CROSS JOIN LATERAL unnest(r.visitor_keys) WITH ORDINALITY AS k(visitor_key, n)
      WHERE ${rollupWhere(r)}`
    : sql`SELECT ${join(
        sql,
        [
          ...rollupDims(r),
          sql`r.sessions, r.page_views, r.bounces, r.viewed, r.visitors::hll AS visitors, NULL::bigint AS visitor_key`,
        ],
        sql`, `,
      )}
      FROM report_rollups r WHERE ${rollupWhere(r)}`;
  const main =
    source.kind === 'sessions'
      ? rawMain
      : sql`
      SELECT ${join(
        sql,
        [
          ...dimAliases,
          sql`COALESCE(sum(p.sessions), 0)::int AS sessions`,
          // Sketches (dimension rows, sessions) merged, and visitor keys (touch rows) hashed in. An
          // estimate can come out above the sessions, which no visitor count can be: capped there.
          sql`LEAST(COALESCE(sum(p.sessions), 0), COALESCE(round(hll_cardinality(hll_union(
            COALESCE(hll_union_agg(p.visitors), ${sql.unsafe(EMPTY_SKETCH)}),
            COALESCE(hll_add_agg(hll_hash_bigint(p.visitor_key), ${sql.unsafe(SKETCH_PARAMETERS)}), ${sql.unsafe(EMPTY_SKETCH)})))), 0))::int AS visitors`,
          sql`COALESCE(sum(p.page_views), 0)::bigint AS page_views`,
          sql`COALESCE(sum(p.bounces), 0)::int AS bounces`,
          sql`COALESCE(sum(p.viewed), 0)::int AS viewed`,
        ],
        sql`, `,
      )}
      FROM (
        ${rollupRows}
        ${
          rawRanges.length > 0
            ? sql`UNION ALL
        SELECT ${join(
          sql,
          [
            ...groupDims,
            sql`count(*) AS sessions, COALESCE(sum(s.page_view_count), 0) AS page_views`,
            sql`count(*) FILTER (WHERE s.page_view_count = 1) AS bounces`,
            sql`count(*) FILTER (WHERE s.page_view_count >= 1) AS viewed`,
            sql`${sql.unsafe(VISITOR_SKETCH)} AS visitors, NULL::bigint AS visitor_key`,
          ],
          sql`, `,
        )}
        FROM sessions s ${visitorJoin}
        WHERE ${sessionWhere}
        ${groupBy}`
            : sql``
        }
      ) p
      ${groupBy}`;

  const base = sql`
    WITH main AS (${main}) ${join(sql, convCtes, sql``)}
    SELECT ${join(sql, [...dimAliases.map((a) => sql`main.${a}`), ...metricSql], sql`, `)}
    FROM main ${join(sql, convJoins, sql``)}`;

  const timeAt = plan.dimensions.findIndex(isTime);
  let rows: Row[];
  if (timeAt === -1) {
    rows = await base;
    // No dimension: one row, even without sessions (count(*) of nothing is 0).
  } else {
    // Every bucket of the period, zeros included: buckets × the other dimensions' value combinations.
    const t = TIME_UNIT[plan.dimensions[timeAt] as TimeDimension];
    const others = dimAliases.filter((_a, i) => i !== timeAt);
    const selectDims = plan.dimensions.map((_d, i) =>
      i === timeAt ? sql`b.bucket AS ${sql(`d${i}`)}` : sql`c.${sql(`d${i}`)}`,
    );
    const zero = plan.metrics.map((_m, i) => sql`COALESCE(a.${sql(`m${i}`)}, 0) AS ${sql(`m${i}`)}`);
    rows = await sql`
      WITH agg AS (${base}),
      buckets AS (
        SELECT bucket, (row_number() OVER (ORDER BY bucket))::int - 1 AS bucket_index
        FROM generate_series(date_trunc(${t.unit}, ${range.from}::date::timestamp),
                             date_trunc(${t.unit}, ${range.to}::date::timestamp + interval '1 day' - interval '1 microsecond'),
                             ${t.step}::interval) AS bucket
      ),
      combos AS (${others.length > 0 ? sql`SELECT DISTINCT ${join(sql, others, sql`, `)} FROM agg` : sql`SELECT 1 AS one`})
      SELECT ${join(sql, [...selectDims, ...zero], sql`, `)}, b.bucket_index
      FROM buckets b CROSS JOIN combos c
      LEFT JOIN agg a ON a.${sql(`d${timeAt}`)} = b.bucket
        ${join(
          sql,
          others.map((alias) => sql` AND a.${alias} = c.${alias}`),
          sql``,
        )}`;
  }

  return rows.map((row) => ({
    dimensions: plan.dimensions.map((d, i) => {
      const value = row[`d${i}`];
      return isTime(d) ? formatBucket(value as Date, d) : String(value);
    }),
    metrics: plan.metrics.map((_m, i) => Number(row[`m${i}`] ?? 0)),
    bucketIndex: Number(row.bucket_index ?? 0),
  }));
}

/** A metric over `main` (the session aggregates) and, for an event type, its `convN` aggregates. */
function metricExpression(sql: Tx, metric: Metric, conv: Fragment | null): Fragment {
  const rate = (part: Fragment, whole: Fragment, digits: number) =>
    sql`COALESCE(round(100.0 * ${part} / nullif(${whole}, 0), ${digits}), 0)::float8`;
  switch (metric.kind) {
    case 'visitors':
      return sql`main.visitors`;
    case 'sessions':
      return sql`main.sessions`;
    case 'page_views':
      return sql`main.page_views`;
    case 'views_per_session':
      return sql`COALESCE(round(main.page_views::numeric / nullif(main.sessions, 0), 2), 0)::float8`;
    case 'bounce_rate':
      return rate(sql`main.bounces`, sql`main.viewed`, 1);
  }
  // page_view events are counted on the session already.
  const events = conv ? sql`COALESCE(${conv}.n, 0)` : sql`main.page_views`;
  const conversions = conv ? sql`COALESCE(${conv}.c, 0)` : sql`main.viewed`;
  switch (metric.kind) {
    case 'events':
      return sql`${events}::bigint`;
    case 'conversions':
      return sql`${conversions}::int`;
    case 'conversion_rate':
      return rate(conversions, sql`main.sessions`, 2);
  }
}

/** A filter as SQL; the values are one bound JSON array, never spliced into the text. */
function filterSql(sql: Tx, filter: Filter, value: Fragment): Fragment {
  const column = sql`COALESCE(${value}, ${NONE})`;
  const values = sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(filter.values)}::text::jsonb))`;
  switch (filter.operator) {
    case 'is':
      return sql`${column} = ANY(${values})`;
    case 'is_not':
      return sql`${column} <> ALL(${values})`;
    case 'contains': {
      // Case-insensitive substring; LIKE's own wildcards in the value match themselves.
      const patterns = filter.values.map((v) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      return sql`${column} ILIKE ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(patterns)}::text::jsonb)))`;
    }
  }
}

function join(sql: Tx, parts: Fragment[], separator: Fragment): Fragment {
  return (
    parts.reduce<Fragment | null>(
      (acc, part) => (acc === null ? part : sql`${acc}${separator}${part}`),
      null,
    ) ?? sql``
  );
}

/** Bucket label in the query's time zone: `2026-11-30`, `2026-11-30 14:00`, `2026-11`. */
function formatBucket(value: Date, dimension: TimeDimension): string {
  // date_trunc of a local timestamp comes back as a timestamp without zone, which postgres.js reads as
  // if it were UTC: its UTC fields are the local wall-clock fields.
  const iso = value.toISOString();
  if (dimension === 'time:hour') return `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`;
  if (dimension === 'time:month') return iso.slice(0, 7);
  return iso.slice(0, 10);
}

/** Sorts all rows: `order_by` first, then the default (time ascending, else first metric descending), then dimensions. */
function orderRows(rows: AggregateRow[], plan: QueryPlan): AggregateRow[] {
  const keys = [...plan.orderBy];
  const timeAt = plan.dimensions.findIndex(isTime);
  if (keys.length === 0) {
    if (timeAt !== -1) keys.push({ key: plan.dimensions[timeAt] as string, direction: 'asc' });
    else if (plan.metrics[0]) keys.push({ key: plan.metrics[0].name, direction: 'desc' });
  }
  const value = (row: AggregateRow, key: string): number | string => {
    const m = plan.metrics.findIndex((metric) => metric.name === key);
    if (m !== -1) return row.metrics[m] as number;
    const d = plan.dimensions.indexOf(key as Dimension);
    return d === timeAt ? row.bucketIndex : (row.dimensions[d] as string);
  };
  const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) => {
    for (const { key, direction } of keys) {
      const c = compare(value(a, key), value(b, key));
      if (c !== 0) return direction === 'asc' ? c : -c;
    }
    for (let i = 0; i < plan.dimensions.length; i += 1) {
      const c =
        i === timeAt
          ? a.bucketIndex - b.bucketIndex
          : compare(a.dimensions[i] as string, b.dimensions[i] as string);
      if (c !== 0) return c;
    }
    return 0;
  });
}
