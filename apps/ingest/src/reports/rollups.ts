import type { Logger } from 'pino';
import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { addDays, type DayRange, dateInZone, daysBetween } from './date-range.js';
import { DIMENSIONS } from './parse-query.js';

/**
 * Daily report rollups (migration 007, docs/architecture.md "Reports"). The refresher builds, per
 * account, one row per local day (in the account's time zone), data set, dimension and value, for every
 * day up to yesterday; a report then reads rollup rows for the days they cover and sessions for the rest
 * (today, and any day with a marked hour not yet rebuilt), so its answer is as fresh as the raw tables.
 */

/**
 * Touch rollups (migration 008): one row per distinct touch, a column per dimension. The first set holds
 * the session's own touch; the second adds the visitor's first_channel/first_source (several times the
 * rows: it serves only the queries that name those with something else).
 */
export const TOUCH_ROLLUPS = [
  {
    table: 'report_touch_rollups',
    eventTable: 'report_touch_event_rollups',
    dimensions: DIMENSIONS.filter((d) => d !== 'first_channel' && d !== 'first_source') as readonly string[],
  },
  {
    table: 'report_visitor_touch_rollups',
    eventTable: 'report_visitor_touch_event_rollups',
    dimensions: DIMENSIONS as readonly string[],
  },
] as const;
export type TouchRollups = (typeof TOUCH_ROLLUPS)[number];

/** Every table that holds an account's rollup rows. */
const ROLLUP_TABLES = [
  'report_rollups',
  'report_event_rollups',
  ...TOUCH_ROLLUPS.flatMap((t) => [t.table, t.eventTable]),
];

/**
 * The visitors sketch of a set of sessions `s` (with `visitor_key`): HyperLogLog with 2^14 registers of
 * 5 bits (standard error 0.81 %), kept as the exact set of hashes up to 1,280 visitors (so small counts
 * are exact), merged with `hll_union_agg`. Rollups and reports must use the same parameters.
 */
export const SKETCH_PARAMETERS = '14, 5, -1, 1';
export const VISITOR_SKETCH = `hll_add_agg(hll_hash_bigint(s.visitor_key), ${SKETCH_PARAMETERS})`;
/** A sketch of no visitors, with the same parameters (what `hll_union` needs on both sides). */
export const EMPTY_SKETCH = `hll_empty(${SKETCH_PARAMETERS})`;

const available = new WeakMap<Sql, Promise<boolean>>();

/**
 * Whether the database has the `hll` extension (looked up once per pool; a failed lookup — the database
 * down — is not remembered, so the next call asks again).
 */
export function sketchesAvailable(sql: Sql): Promise<boolean> {
  let known = available.get(sql);
  if (!known) {
    known = sql`SELECT 1 FROM pg_extension WHERE extname = 'hll'`.then(
      (rows) => rows.length > 0,
      (error: unknown) => {
        available.delete(sql);
        throw error;
      },
    );
    available.set(sql, known);
  }
  return known;
}

/** What the rollups of an account cover for a report in `timeZone`, or null when they cannot serve it. */
export interface RollupCoverage {
  /** Every local day up to this one has rollup rows … */
  rolledThrough: string;
  /** … except these, which changed since they were built (read them from sessions). */
  staleDays: Set<string>;
}

/**
 * The coverage of an account's rollups for a report in `timeZone` over days from `from`: null when the
 * database has no sketches, the account has no rollups yet, or they were built in another time zone.
 */
export async function rollupCoverage(
  sql: Sql | TransactionSql,
  accountId: string,
  timeZone: string,
  from: string,
): Promise<RollupCoverage | null> {
  // The state and its marked days in one round trip.
  const [state] = await sql<{ timezone: string; rolled_through: string; stale: string[] }[]>`
    SELECT st.timezone, st.rolled_through::text AS rolled_through,
      ARRAY(${staleDaysSql(sql, accountId, timeZone, sql`${from}::date`, sql`st.rolled_through`)}) AS stale
    FROM report_rollup_state st WHERE st.account_id = ${accountId}`;
  if (!state || state.timezone !== timeZone) return null;
  return { rolledThrough: state.rolled_through, staleDays: new Set(state.stale) };
}

/** The local days (`day` as text) between two dates that hold a marked hour of the account. */
function staleDaysSql(
  sql: Sql | TransactionSql,
  accountId: string,
  timeZone: string,
  from: PendingQuery<Row[]>,
  through: PendingQuery<Row[]>,
): PendingQuery<{ day: string }[]> {
  // An hour can straddle two local days in a time zone with a half-hour offset: it marks both.
  return sql`
    SELECT DISTINCT d.local_day::text AS day FROM (
      SELECT (hour AT TIME ZONE ${timeZone}::text)::date AS first_day,
             ((hour + interval '1 hour' - interval '1 microsecond') AT TIME ZONE ${timeZone}::text)::date AS last_day
      FROM report_dirty_hours
      WHERE account_id = ${accountId}
        AND hour >= ((${from} - 1)::timestamp AT TIME ZONE ${timeZone}::text)
        AND hour < ((${through} + 1)::timestamp AT TIME ZONE ${timeZone}::text)
    ) h, LATERAL (VALUES (h.first_day), (h.last_day)) AS d(local_day)
    WHERE d.local_day >= ${from} AND d.local_day <= ${through}`;
}

/** Forgets an account's rollups, so the next refresh rebuilds them (after data was loaded around ingest). */
export async function resetReportRollups(sql: Sql, accountId: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`DELETE FROM report_rollup_state WHERE account_id = ${accountId}`;
    await deleteRollups(tx, accountId);
  });
}

export interface RefreshResult {
  /** Days built or rebuilt by this call, over all accounts. */
  days: number;
  /** Whether the database has sketches at all (false: nothing to do, reports read sessions). */
  enabled: boolean;
}

/**
 * The ingest statement does not mark hours in the last `UNMARKED_WINDOW_MINUTES` before its own start
 * (`now()`): in-order traffic — every page view as it happens — then writes no marks at all. A day is
 * therefore built only once it ended that long before the refresh's horizon (see
 * {@link refreshReportRollups}), so no statement that skipped a mark for one of its hours can still be
 * running when the build reads the day.
 */
export const UNMARKED_WINDOW_MINUTES = 60;

/**
 * The instant before which every ingest statement has marked what it changed or committed:
 * `UNMARKED_WINDOW_MINUTES` before the earliest of `now`, the database's clock and the start of any
 * transaction running in the database (read before a build starts, so a build's reads see every
 * statement that started earlier). A day is built once it ended before the horizon.
 */
export async function rollupHorizon(sql: Sql, now: Date): Promise<Date> {
  const [row] = await sql<{ horizon: Date }[]>`
    SELECT LEAST(${now}::timestamptz, now(), (
             SELECT min(xact_start) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
               AND state <> 'idle' AND xact_start IS NOT NULL)
           ) - make_interval(mins => ${UNMARKED_WINDOW_MINUTES}) AS horizon`;
  return row?.horizon as Date;
}

/**
 * One refresh, to completion: per account, (re)starts its rollups when they are missing or of another
 * time zone, rebuilds the built days that hold marked hours, and builds the days up to the day before the
 * horizon (in the account's time zone). The horizon is `UNMARKED_WINDOW_MINUTES` before the earliest of
 * `now`, the database's clock and the start of any transaction running in the database: every ingest
 * statement that may have skipped the mark of an hour of a day about to be built has then committed
 * before the build reads it (the horizon is read before any build statement starts). A long-running
 * transaction only postpones building; reports read unbuilt days from sessions. Each run of days is one
 * transaction under a per-account advisory lock, so several instances can run it: one builds, the others
 * skip the account.
 */
export async function refreshReportRollups(
  sql: Sql,
  options: {
    now?: Date;
    accountId?: string;
    /** Sessions per build statement at most (default MAX_RUN_SESSIONS; smaller in tests). */
    maxRunSessions?: number;
  } = {},
): Promise<RefreshResult> {
  if (!(await sketchesAvailable(sql))) return { days: 0, enabled: false };
  const maxRunSessions = options.maxRunSessions ?? MAX_RUN_SESSIONS;
  const horizon = await rollupHorizon(sql, options.now ?? new Date());
  const accounts = await sql<
    { id: string; timezone: string; built_in: string | null; rolled_through: string | null }[]
  >`
    SELECT a.id, a.timezone, st.timezone AS built_in, st.rolled_through::text AS rolled_through
    FROM (SELECT id, COALESCE(settings->>'timezone', 'UTC') AS timezone FROM accounts) a
    LEFT JOIN report_rollup_state st ON st.account_id = a.id
    WHERE ${options.accountId ? sql`a.id = ${options.accountId} AND` : sql``}
      -- Only the accounts with work (one statement a tick, however many accounts are idle): no rollups
      -- or another time zone, a day to build, or a marked hour in a built day.
      (st.account_id IS NULL OR st.timezone <> a.timezone
       OR st.rolled_through < (${horizon}::timestamptz AT TIME ZONE a.timezone)::date - 1
       OR EXISTS (SELECT 1 FROM report_dirty_hours d WHERE d.account_id = a.id
                    AND d.hour < ((st.rolled_through + 1)::timestamp AT TIME ZONE st.timezone)))
    ORDER BY a.id`;
  let days = 0;
  let analyze = false;
  for (const account of accounts) {
    const daysBefore = days;
    const yesterday = addDays(dateInZone(horizon, account.timezone), -1);
    let rolled = account.rolled_through;
    if (rolled === null || account.built_in !== account.timezone) {
      rolled = await restart(sql, account.id, account.timezone, yesterday);
      if (rolled === null) continue;
    }
    // Builds `range` in runs that fit one statement; false when another instance holds the account.
    const build = async (range: DayRange, advance: boolean) => {
      for (let from = range.from; from <= range.to; ) {
        const longest = { from, to: [addDays(from, MAX_RUN_DAYS - 1), range.to].sort()[0] as string };
        const run = await fitRun(sql, account.id, account.timezone, longest, maxRunSessions);
        if (!(await buildDays(sql, account.id, account.timezone, run, advance))) return false;
        days += daysBetween(run.from, run.to);
        from = addDays(run.to, 1);
      }
      return true;
    };
    const stale = await staleDaysSql(
      sql,
      account.id,
      account.timezone,
      sql`'-infinity'::date`,
      sql`${rolled}::date`,
    );
    for (const changed of runsOf(stale.map((r) => r.day).sort())) {
      if (!(await build(changed, false))) break;
    }
    await build({ from: addDays(rolled, 1), to: yesterday }, true);
    if (days - daysBefore >= ANALYZE_AFTER_DAYS) analyze = true;
  }
  // A first build (or a catch-up) writes many rows at once. Until the tables are analyzed, the planner
  // takes them for as empty as they were and plans reports for one row (e.g. a sort where a hash of
  // 160,000 visitor keys belongs); autovacuum would analyze them eventually, or never where it is off.
  if (analyze) await sql.unsafe(`ANALYZE ${ROLLUP_TABLES.join(', ')}`);
  return { days, enabled: true };
}

/** Days built for one account in one refresh from which the rollup tables are analyzed afterwards. */
const ANALYZE_AFTER_DAYS = 7;

/** Takes the account's rollup lock for the transaction; false when another instance holds it. */
async function tryLock(tx: TransactionSql, accountId: string): Promise<boolean> {
  const [lock] = await tx`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${`mbuzz.report_rollups.${accountId}`}, 0)) AS ok`;
  return lock?.ok === true;
}

/** Deletes every rollup row of an account. */
async function deleteRollups(tx: TransactionSql, accountId: string): Promise<void> {
  for (const table of ROLLUP_TABLES) await tx`DELETE FROM ${tx(table)} WHERE account_id = ${accountId}`;
}

/**
 * Drops the account's rollups and starts them again in `timeZone`, from the day before its first session
 * (or yesterday, without sessions). Answers the new `rolled_through`, or null when another instance holds
 * the account.
 */
async function restart(sql: Sql, accountId: string, timeZone: string, yesterday: string) {
  return (await sql.begin(async (tx) => {
    if (!(await tryLock(tx, accountId))) return null;
    // Another instance may have restarted it since the caller looked.
    const [state] = await tx<{ timezone: string; rolled_through: string }[]>`
      SELECT timezone, rolled_through::text AS rolled_through FROM report_rollup_state WHERE account_id = ${accountId}`;
    if (state?.timezone === timeZone) return state.rolled_through;
    await deleteRollups(tx, accountId);
    const [first] = await tx<{ day: string | null }[]>`
      SELECT (min(started_at) AT TIME ZONE ${timeZone}::text)::date::text AS day FROM sessions
      WHERE account_id = ${accountId} AND is_test = ANY('{f,t}'::boolean[])`;
    const start = first?.day && first.day <= yesterday ? addDays(first.day, -1) : yesterday;
    await tx`
      INSERT INTO report_rollup_state (account_id, timezone, rolled_through) VALUES (${accountId}, ${timeZone}, ${start}::date)
      ON CONFLICT (account_id) DO UPDATE SET timezone = EXCLUDED.timezone, rolled_through = EXCLUDED.rolled_through`;
    return start;
  })) as string | null;
}

/**
 * Days are built in runs of up to a month per statement: one scan of the run's sessions, visitors and
 * events instead of one per day (a day of a 2M-session account is ~22,000 sessions; a month of them costs
 * a few times a day, not thirty).
 */
const MAX_RUN_DAYS = 31;

/**
 * At most this many sessions per build statement: a run's sessions are materialized once per rollup
 * dimension (12 rows each), so a month of a very large account would spill gigabytes to disk.
 */
const MAX_RUN_SESSIONS = 1_000_000;

/** The run shortened (never below one day) so that it holds about `max` sessions at most. */
export async function fitRun(
  sql: Sql,
  accountId: string,
  timeZone: string,
  run: DayRange,
  max: number,
): Promise<DayRange> {
  if (run.from === run.to) return run;
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM sessions
    WHERE account_id = ${accountId} AND is_test = ANY('{f,t}'::boolean[])
      AND started_at >= (${run.from}::date::timestamp AT TIME ZONE ${timeZone}::text)
      AND started_at < ((${run.to}::date + 1)::timestamp AT TIME ZONE ${timeZone}::text)`;
  const sessions = row?.n ?? 0;
  if (sessions <= max) return run;
  const days = Math.max(1, Math.floor((daysBetween(run.from, run.to) * max) / sessions));
  return { from: run.from, to: addDays(run.from, days - 1) };
}

/** Sorted days as runs of consecutive days. */
function runsOf(days: string[]): DayRange[] {
  const runs: DayRange[] = [];
  for (const day of days) {
    const last = runs.at(-1);
    if (last && addDays(last.to, 1) === day) last.to = day;
    else runs.push({ from: day, to: day });
  }
  return runs;
}

/**
 * Builds local days `run.from`..`run.to` of an account, both data sets, in one transaction: drops the
 * days' marks and rows, then aggregates their sessions (by the day each started) by every rollup
 * dimension, and their non-page-view events. `advance` also moves `rolled_through` to `run.to`. False when
 * another instance holds the account.
 */
async function buildDays(sql: Sql, accountId: string, timeZone: string, run: DayRange, advance: boolean) {
  return (await sql.begin(async (tx) => {
    if (!(await tryLock(tx, accountId))) return false;
    await tx.unsafe("SET LOCAL work_mem = '128MB'; SET LOCAL jit = off").simple();
    const start = tx`(${run.from}::date::timestamp AT TIME ZONE ${timeZone}::text)`;
    const end = tx`((${run.to}::date + 1)::timestamp AT TIME ZONE ${timeZone}::text)`;
    // The marks of these days' hours: data committed with them is visible to the statements below. In a
    // time zone with a half-hour offset an hour straddles two local days and both rebuilds drop its mark;
    // the refresh that saw the mark rebuilds both days, but one that arrives during a rebuild rebuilds only
    // this day's side (the next mark of the other day's hours rebuilds that one).
    await tx`
      DELETE FROM report_dirty_hours
      WHERE account_id = ${accountId} AND hour >= date_trunc('hour', ${start}, 'UTC') AND hour < ${end}`;
    const keyOfDays = tx`account_id = ${accountId} AND is_test = ANY('{f,t}'::boolean[])
      AND day >= ${run.from}::date AND day <= ${run.to}::date`;
    await tx`DELETE FROM report_rollups WHERE ${keyOfDays} AND dimension = ANY(${ALL_DIMENSIONS}::text[])`;
    for (const table of ROLLUP_TABLES.slice(1)) await tx`DELETE FROM ${tx(table)} WHERE ${keyOfDays}`;
    const values = tx.unsafe(DIMENSION_VALUES);
    // Per touch set: its rows, and its events' rows (from `ev`, below).
    const touchCtes = TOUCH_ROLLUPS.map((set, i) => {
      const columns = tx.unsafe(set.dimensions.join(', '));
      const values = tx.unsafe(set.dimensions.map(sessionValue).join(', '));
      const key = tx.unsafe(`md5(ROW(${set.dimensions.map(sessionValue).join(', ')})::text)::uuid`);
      return tx`,
      ${tx(`touched${i}`)} AS (
        INSERT INTO ${tx(set.table)} (account_id, is_test, day, touch, ${columns}, sessions, page_views, bounces,
          viewed, visitor_keys)
        SELECT ${accountId}, s.is_test, s.day, ${key}, ${values}, count(*),
          COALESCE(sum(s.page_view_count), 0), count(*) FILTER (WHERE s.page_view_count = 1),
          count(*) FILTER (WHERE s.page_view_count >= 1), array_agg(DISTINCT s.visitor_key)
        FROM run_sessions s GROUP BY s.is_test, s.day, ${values}
      ),
      ${tx(`touch_events${i}`)} AS (
        INSERT INTO ${tx(set.eventTable)} (account_id, is_test, event_type, day, touch, ${columns}, sessions, events)
        SELECT ${accountId}, s.is_test, ev.event_type, s.day, ${key}, ${values}, count(*), sum(ev.n)
        FROM ev JOIN run_sessions s ON s.session_id = ev.session_id AND s.is_test = ev.is_test
        GROUP BY s.is_test, ev.event_type, s.day, ${values}
      )`;
    });
    await tx`
      WITH run_sessions AS MATERIALIZED (
        SELECT s.is_test, s.session_id, s.visitor_key, s.page_view_count, s.channel, s.source, s.utm_source,
          s.utm_medium, s.utm_campaign, s.utm_content, s.utm_term, s.referrer_domain, s.landing_path,
          v.first_channel, v.first_source, (s.started_at AT TIME ZONE ${timeZone}::text)::date AS day
        FROM sessions s
        LEFT JOIN visitors v ON v.account_id = s.account_id AND v.visitor_id = s.visitor_id
          AND v.last_seen_at >= ${start} AND v.first_seen_at < ${end}
        WHERE s.account_id = ${accountId} AND s.is_test = ANY('{f,t}'::boolean[])
          AND s.started_at >= ${start} AND s.started_at < ${end}
      ),
      dims AS MATERIALIZED (
        SELECT s.is_test, s.day, s.session_id, s.visitor_key, s.page_view_count, d.dimension, d.value
        FROM run_sessions s CROSS JOIN LATERAL (${values}) AS d(dimension, value)
      ),
      rolled AS (
        INSERT INTO report_rollups (account_id, is_test, dimension, day, value, sessions, page_views, bounces,
                                    viewed, visitors)
        SELECT ${accountId}, s.is_test, s.dimension, s.day, s.value, count(*),
          COALESCE(sum(s.page_view_count), 0), count(*) FILTER (WHERE s.page_view_count = 1),
          count(*) FILTER (WHERE s.page_view_count >= 1), hll_send(${tx.unsafe(VISITOR_SKETCH)})
        FROM dims s GROUP BY s.is_test, s.day, s.dimension, s.value
      ),
      -- A session's events never precede its start, so events from the run's start on are all of them.
      ev AS (
        SELECT e.session_id, e.is_test, e.event_type, count(*)::bigint AS n
        FROM events e
        WHERE e.account_id = ${accountId} AND e.occurred_at >= ${start} AND e.event_type <> 'page_view'
          AND e.session_id IS NOT NULL
        GROUP BY e.session_id, e.is_test, e.event_type
      )
      , ev_rolled AS (
        INSERT INTO report_event_rollups (account_id, is_test, event_type, dimension, day, value, sessions, events)
        SELECT ${accountId}, d.is_test, ev.event_type, d.dimension, d.day, d.value, count(*), sum(ev.n)
        FROM ev JOIN dims d ON d.session_id = ev.session_id AND d.is_test = ev.is_test
        GROUP BY d.is_test, ev.event_type, d.dimension, d.day, d.value
      ) ${touchCtes.reduce((all, cte) => tx`${all}${cte}`)}
      SELECT 1`;
    if (advance) {
      await tx`UPDATE report_rollup_state SET rolled_through = ${run.to}::date
               WHERE account_id = ${accountId} AND rolled_through = ${run.from}::date - 1`;
    }
    return true;
  })) as boolean;
}

/** The dimensions of `report_rollups` rows: every report dimension, and '' (every session of the day). */
const ALL_DIMENSIONS = ['', ...DIMENSIONS];

/** A dimension's value ('(none)' when missing) for a session `s` of `run_sessions`. */
const sessionValue = (d: string) => `COALESCE(s.${d === 'landing_page' ? 'landing_path' : d}, '(none)')`;

/** The (dimension, value) pairs of a session `s` of `run_sessions`: one per report dimension, and ''. */
const DIMENSION_VALUES = `VALUES ('', ''), ${DIMENSIONS.map((d) => `('${d}', ${sessionValue(d)})`).join(', ')}`;

/**
 * Runs {@link refreshReportRollups} every `intervalMs` until stopped; failures are logged and retried at
 * the next tick (a report never depends on the refresher: unbuilt days are read from sessions).
 */
export function startRollupRefresher(
  sql: Sql,
  options: { intervalMs: number; logger: Logger },
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = refreshReportRollups(sql).then(
      (result) => {
        if (!result.enabled) {
          options.logger.info('hll extension not installed: reports read sessions directly (no rollups)');
          stopped = true;
          return;
        }
        if (result.days > 0) options.logger.debug({ days: result.days }, 'report rollups refreshed');
      },
      (error: unknown) => options.logger.warn({ error: String(error) }, 'report rollup refresh failed'),
    );
    void running.finally(() => {
      if (!stopped) {
        timer = setTimeout(tick, options.intervalMs);
        timer.unref();
      }
    });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
