import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, setAccountTimeZone } from '../src/accounts/accounts.js';
import { createApiKey } from '../src/accounts/api-keys.js';
import { addDays } from '../src/reports/date-range.js';
import { parseQuery } from '../src/reports/parse-query.js';
import {
  fitRun,
  refreshReportRollups,
  rollupHorizon,
  sketchesAvailable,
  startRollupRefresher,
  UNMARKED_WINDOW_MINUTES,
} from '../src/reports/rollups.js';
import { rollupDimension, touchRollupsFor } from '../src/reports/run-query.js';
import { buildFixture } from './helpers/report-fixture.js';
import { createTestApp, postEvents } from './helpers/test-app.js';
import { createTestDatabase, rollupsAvailable, type TestDatabase } from './helpers/test-database.js';

// The exact answers themselves are proven in reports-query.test.ts (every test there runs on sessions and
// on rollups). This file proves that rollups are what is read, and that they never go stale: after late
// events, events that move a session to another day, a visitor's earlier first touch, a time zone change.

const FROM = Date.parse('2026-10-01T00:00:00Z');
const TO = Date.parse('2026-10-21T00:00:00Z');
const METRICS = [
  'visitors',
  'sessions',
  'page_views',
  'views_per_session',
  'bounce_rate',
  'events:signup',
  'conversions:signup',
  'conversion_rate:signup',
];
const RANGE = ['2026-09-28', '2026-10-24'];
/** The dashboard's queries, and the breakdowns the rollups serve. */
const QUERIES = [
  { metrics: METRICS, compare: 'previous_period' },
  { metrics: ['visitors', 'sessions', 'page_views'], dimensions: ['time:day'] },
  { metrics: METRICS, dimensions: ['channel'] },
  { metrics: METRICS, dimensions: ['first_channel'] },
  { metrics: METRICS, dimensions: ['landing_page'], filters: [['contains', 'landing_page', ['p']]] },
  { metrics: ['visitors', 'sessions'], filters: [['is', 'channel', ['Paid Search', 'Email']]] },
  { metrics: ['sessions', 'conversions:add_to_cart'], dimensions: ['time:week', 'utm_campaign'] },
  // Touch rollups: a breakdown filtered by another dimension, two dimensions.
  { metrics: METRICS, dimensions: ['utm_campaign'], filters: [['is_not', 'channel', ['Direct']]] },
  { metrics: METRICS, dimensions: ['source', 'landing_page'], compare: 'previous_period' },
  { metrics: METRICS, dimensions: ['first_source'], filters: [['is_not', 'channel', ['Direct']]] },
].map((q) => ({ date_range: RANGE, timezone: 'Europe/Berlin', ...q }));

let db: TestDatabase;
let app: FastifyInstance;
let accountId: string;
let ingest: string;
let read: string;

async function send(events: Array<Record<string, unknown>>, authorization = ingest) {
  for (let i = 0; i < events.length; i += 250) {
    const res = await postEvents(app, authorization, { events: events.slice(i, i + 250) });
    expect(res.statusCode, res.body).toBe(202);
  }
}

async function answer(body: unknown, authorization = read) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/query',
    headers: { authorization, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().results;
}

/** The answers from sessions alone: the rollups are hidden by naming another time zone in their state. */
async function fromSessions(body: unknown, authorization = read) {
  await db.sql`UPDATE report_rollup_state SET timezone = 'hidden/' || timezone WHERE account_id = ${accountId}`;
  try {
    return await answer(body, authorization);
  } finally {
    await db.sql`UPDATE report_rollup_state SET timezone = substr(timezone, 8) WHERE account_id = ${accountId}`;
  }
}

async function expectSameAsSessions(step: string) {
  for (const q of QUERIES)
    expect(await answer(q), `${step}: ${JSON.stringify(q)}`).toEqual(await fromSessions(q));
}

const pastMarks = async () =>
  Number(
    (
      await db.sql`SELECT count(*) AS n FROM report_dirty_hours
                   WHERE account_id = ${accountId} AND hour < now() - interval '2 days'`
    )[0]?.n,
  );

const hll = await rollupsAvailable();

beforeAll(async () => {
  if (!hll) return;
  db = await createTestDatabase();
  app = createTestApp(db.sql);
  const account = await createAccount(db.sql, { name: 'Rollups' });
  accountId = account.id;
  await setAccountTimeZone(db.sql, accountId, 'Europe/Berlin');
  ingest = `Bearer ${(await createApiKey(db.sql, { accountId, environment: 'live' })).key}`;
  read = `Bearer ${(await createApiKey(db.sql, { accountId, environment: 'live', scope: 'read' })).key}`;
  await send(buildFixture({ seed: 21, visitors: 60, from: FROM, to: TO, prefix: 'u' }).events);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe.skipIf(!hll)('report rollups', () => {
  it('are built for every day up to yesterday (two refreshes at once), answering as sessions do', async () => {
    const before = await Promise.all(QUERIES.map((q) => answer(q)));
    // Two refreshes at once (two instances): the per-account lock lets one build each day.
    const results = await Promise.all([refreshReportRollups(db.sql), refreshReportRollups(db.sql)]);
    expect(results.every((r) => r.enabled)).toBe(true);
    // A first build of weeks of days leaves the rollup tables analyzed (planner statistics not "empty").
    const analyzed = await db.sql<{ relname: string; last_analyze: Date | null }[]>`
      SELECT relname, last_analyze FROM pg_stat_user_tables
      WHERE relname LIKE 'report%rollups' ORDER BY relname`;
    expect(analyzed).toHaveLength(6);
    expect(analyzed.filter((t) => t.last_analyze === null)).toEqual([]);
    const [state] = await db.sql`SELECT timezone, rolled_through::text AS rolled FROM report_rollup_state
                                 WHERE account_id = ${accountId}`;
    expect(state).toEqual({
      timezone: 'Europe/Berlin',
      // The day before the horizon: a day is built once it ended UNMARKED_WINDOW_MINUTES ago.
      rolled: new Date(Date.now() - UNMARKED_WINDOW_MINUTES * 60_000 - 86_400_000).toLocaleDateString(
        'en-CA',
        {
          timeZone: 'Europe/Berlin',
        },
      ),
    });
    expect(await pastMarks()).toBe(0);
    // Same answers as from sessions alone (the seed is small: the visitor sketches are exact sets).
    for (const [i, q] of QUERIES.entries()) expect(await answer(q), JSON.stringify(q)).toEqual(before[i]);
  });

  it('are what a report reads, except a day with a marked hour: read from sessions until rebuilt', async () => {
    const series = {
      date_range: RANGE,
      timezone: 'Europe/Berlin',
      metrics: ['sessions'],
      dimensions: ['time:day'],
    };
    // The same series from the touch rollups (filters on two dimensions that keep every session).
    const touchSeries = {
      ...series,
      filters: [
        ['is_not', 'channel', ['none of them']],
        ['is_not', 'source', ['none of them']],
      ],
    };
    const rows = (await answer(series)) as Array<{ dimensions: string[]; metrics: number[] }>;
    const busy = rows.find((r) => (r.metrics[0] as number) > 0) as {
      dimensions: string[];
      metrics: number[];
    };
    const day = busy.dimensions[0] as string;
    // Sessions of that day leave the table without a mark: the rollups still count them, so the answer
    // comes from the rollup rows.
    await db.sql`CREATE TABLE moved_sessions AS SELECT * FROM sessions WHERE account_id = ${accountId}
                 AND (started_at AT TIME ZONE 'Europe/Berlin')::date = ${day}::date`;
    const moved = await db.sql`DELETE FROM sessions s USING moved_sessions m
                               WHERE s.account_id = m.account_id AND s.session_id = m.session_id RETURNING 1`;
    expect(moved.length).toBe(busy.metrics[0]);
    expect(await answer(series)).toEqual(rows);
    expect(await answer(touchSeries)).toEqual(rows);
    // A mark on one hour of the day: the day is read from sessions at once (now none) …
    await db.sql`INSERT INTO report_dirty_hours (account_id, hour)
                 VALUES (${accountId}, (${day}::date::timestamp + interval '13 hours') AT TIME ZONE 'Europe/Berlin')`;
    const marked = (await answer(series)) as typeof rows;
    expect(await answer(touchSeries)).toEqual(marked);
    expect(marked.find((r) => r.dimensions[0] === day)?.metrics[0]).toBe(0);
    expect(marked.filter((r) => r.dimensions[0] !== day)).toEqual(
      rows.filter((r) => r.dimensions[0] !== day),
    );
    // … and the refresh rebuilds that day and drops the mark.
    expect((await refreshReportRollups(db.sql)).days).toBe(1);
    expect(await pastMarks()).toBe(0);
    expect(await answer(series)).toEqual(marked);
    expect(await answer(touchSeries)).toEqual(marked);
    // Put the sessions back (and mark the day, as the write path would).
    const columns = `account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count, initial_utm,
      initial_referrer, landing_url, click_ids, channel, is_test, source, referrer_domain, landing_path`;
    await db.sql.unsafe(`INSERT INTO sessions (${columns}) SELECT ${columns} FROM moved_sessions`);
    await db.sql`DROP TABLE moved_sessions`;
    await db.sql`INSERT INTO report_dirty_hours (account_id, hour)
                 VALUES (${accountId}, (${day}::date::timestamp + interval '13 hours') AT TIME ZONE 'Europe/Berlin')`;
    expect(await answer(series)).toEqual(rows);
    expect(await answer(touchSeries)).toEqual(rows);
    await refreshReportRollups(db.sql);
    expect(await pastMarks()).toBe(0);
    expect(await answer(series)).toEqual(rows);
    expect(await answer(touchSeries)).toEqual(rows);
  });

  it('stay exact through late events, a session moved to an earlier day, and an earlier first touch', async () => {
    const [session] = await db.sql<{ session_id: string; visitor_id: string; started_at: Date }[]>`
      SELECT session_id, visitor_id, started_at FROM sessions WHERE account_id = ${accountId}
      ORDER BY started_at DESC, session_id LIMIT 1`;
    if (!session) throw new Error('no session');
    const at = (ms: number) => new Date(session.started_at.getTime() + ms).toISOString();
    const event = (n: number, overrides: Record<string, unknown>) => ({
      event_id: `01936f6e-8b2a-7c3d-9e4f-${(900_000_000 + n).toString(16).padStart(12, '0')}`,
      event_type: 'page_view',
      visitor_id: session.visitor_id,
      session_id: session.session_id,
      properties: { url: 'https://shop.example/late', path: '/late' },
      ...overrides,
    });

    // A late page view and a sign-up of a session days ago.
    await send([
      event(1, { timestamp: at(60_000) }),
      event(2, { event_type: 'signup', timestamp: at(90_000), properties: {} }),
    ]);
    expect(await pastMarks()).toBeGreaterThan(0);
    await expectSameAsSessions('late events, before the refresh');
    await refreshReportRollups(db.sql);
    expect(await pastMarks()).toBe(0);
    await expectSameAsSessions('late events, after the refresh');

    // An event of the same session three days before its start: the session moves to that day.
    await send([event(3, { timestamp: at(-3 * 86_400_000) })]);
    await expectSameAsSessions('moved session, before the refresh');
    await refreshReportRollups(db.sql);
    await expectSameAsSessions('moved session, after the refresh');

    // A new session of the visitor, earlier than any, from an email: its first channel becomes Email,
    // which changes first_channel for every one of its sessions (on other days).
    await send([
      event(4, {
        session_id: `${session.session_id}-first`,
        timestamp: at(-6 * 86_400_000),
        properties: {
          url: 'https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=first',
          path: '/',
        },
      }),
    ]);
    const byFirst = QUERIES[3];
    const rows = (await answer(byFirst)) as Array<{ dimensions: string[] }>;
    expect(rows.map((r) => r.dimensions[0])).toContain('Email');
    await expectSameAsSessions('earlier first touch, before the refresh');
    await refreshReportRollups(db.sql);
    expect(await pastMarks()).toBe(0);
    await expectSameAsSessions('earlier first touch, after the refresh');
  });

  it('in-order traffic marks nothing; a day is built only once every statement that may have skipped its marks has committed', async () => {
    const marks = async () =>
      Number(
        (await db.sql`SELECT count(*) AS n FROM report_dirty_hours WHERE account_id = ${accountId}`)[0]?.n,
      );
    await refreshReportRollups(db.sql);
    const before = await marks();
    const page = (n: number, timestamp: string, visitor = `inorder-${n}`) => ({
      event_id: `01936f6e-8b2a-7c3d-9e4f-${(950_000_000 + n).toString(16).padStart(12, '0')}`,
      event_type: 'page_view',
      visitor_id: visitor,
      session_id: `${visitor}-s`,
      timestamp,
      properties: { url: 'https://shop.example/now', path: '/now' },
    });
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    // Page views as they happen (and a session of them), inside the window: no mark, no visitor lookup.
    await send([page(1, minutesAgo(2)), page(2, minutesAgo(1)), page(3, minutesAgo(0.5), 'inorder-1')]);
    expect(await marks()).toBe(before);
    // A page view from before the window (an SDK's retry after an outage) is marked.
    await send([page(4, minutesAgo(UNMARKED_WINDOW_MINUTES + 90))]);
    expect(await marks()).toBeGreaterThan(before);

    // The horizon: the window before the oldest transaction running in the database, or before now.
    const now = new Date();
    const alone = await rollupHorizon(db.sql, now);
    expect(now.getTime() - alone.getTime()).toBeGreaterThanOrEqual(UNMARKED_WINDOW_MINUTES * 60_000);
    expect(now.getTime() - alone.getTime()).toBeLessThan(UNMARKED_WINDOW_MINUTES * 60_000 + 5_000);
    const other = await db.sql.reserve();
    try {
      await other`BEGIN`;
      const [{ started }] = (await other`SELECT now() AS started`) as unknown as [{ started: Date }];
      await new Promise((resolve) => setTimeout(resolve, 50));
      // An ingest statement that started then may have skipped the marks of the window before it.
      const held = await rollupHorizon(db.sql, new Date());
      expect(held.getTime()).toBe(started.getTime() - UNMARKED_WINDOW_MINUTES * 60_000);
      await other`COMMIT`;
    } finally {
      other.release();
    }
    // A day is built once it ended the window before the horizon: in the first hour of day R (Berlin),
    // day R - 1 is not built yet; ten minutes past the window it is.
    const [{ rolled }] = (await db.sql`SELECT rolled_through::text AS rolled FROM report_rollup_state
                                       WHERE account_id = ${accountId}`) as unknown as [{ rolled: string }];
    const [{ start }] = (await db.sql`
      SELECT (${rolled}::date::timestamp AT TIME ZONE 'Europe/Berlin') AS start`) as unknown as [
      { start: Date },
    ];
    const rolledThrough = async (minutesIntoDay: number) => {
      await db.sql`UPDATE report_rollup_state SET rolled_through = ${rolled}::date - 2
                   WHERE account_id = ${accountId}`;
      await refreshReportRollups(db.sql, {
        now: new Date(start.getTime() + minutesIntoDay * 60_000),
        accountId,
      });
      const [state] = await db.sql`SELECT rolled_through::text AS rolled FROM report_rollup_state
                                   WHERE account_id = ${accountId}`;
      return state?.rolled;
    };
    expect(await rolledThrough(UNMARKED_WINDOW_MINUTES - 10)).toBe(addDays(rolled, -2));
    expect(await rolledThrough(UNMARKED_WINDOW_MINUTES + 10)).toBe(addDays(rolled, -1));
    await refreshReportRollups(db.sql);
    await expectSameAsSessions('after building in steps');
  });

  it('are rebuilt in the new time zone when the account changes it', async () => {
    await setAccountTimeZone(db.sql, accountId, 'America/New_York');
    const inNewYork = QUERIES.map((q) => ({ ...q, timezone: 'America/New_York' }));
    const before = await Promise.all(inNewYork.map((q) => answer(q)));
    await refreshReportRollups(db.sql);
    const [state] = await db.sql`SELECT timezone FROM report_rollup_state WHERE account_id = ${accountId}`;
    expect(state?.timezone).toBe('America/New_York');
    for (const [i, q] of inNewYork.entries()) expect(await answer(q)).toEqual(before[i]);
    // Berlin queries now read sessions, and still answer.
    expect(await answer(QUERIES[2])).toEqual(await fromSessions(QUERIES[2]));
  });

  it('count visitors above 1,280 with a HyperLogLog sketch: within 2 % (0.81 % standard error)', async () => {
    const big = await createAccount(db.sql, { name: 'Big' });
    const key = `Bearer ${(await createApiKey(db.sql, { accountId: big.id, environment: 'live', scope: 'read' })).key}`;
    // 30,000 sessions of 12,000 visitors over ten days, written straight into the table.
    await db.sql`
      INSERT INTO sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count,
                            is_test, channel, source)
      SELECT ${big.id}, 's' || g, 'v' || (g % 12000), ts, ts, 1 + g % 3, false,
             CASE WHEN g % 4 = 0 THEN 'Direct' ELSE 'Organic Search' END, 'x'
      FROM generate_series(1, 30000) g,
           LATERAL (SELECT '2026-10-01T00:00:00Z'::timestamptz + (g % 10) * interval '1 day' + (g % 500) * interval '1 minute') t(ts)`;
    const body = {
      date_range: ['2026-10-01', '2026-10-10'],
      timezone: 'UTC',
      metrics: ['visitors', 'sessions', 'page_views'],
    };
    const exact = await answer(body, key);
    expect(exact[0].metrics).toEqual([12000, 30000, 60000]);
    // A month holds 30,000 of its sessions: a build statement of at most 5,000 covers 5 of its 31 days.
    expect(await fitRun(db.sql, big.id, 'UTC', { from: '2026-10-01', to: '2026-10-31' }, 5000)).toEqual({
      from: '2026-10-01',
      to: '2026-10-05',
    });
    expect(await fitRun(db.sql, big.id, 'UTC', { from: '2026-10-01', to: '2026-10-31' }, 50_000)).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
    // Built in such runs (3,000 sessions a day, at most 5,000 a statement): the same answers.
    const refreshed = await refreshReportRollups(db.sql, { accountId: big.id, maxRunSessions: 5000 });
    expect(refreshed.days).toBeGreaterThan(10);
    const sketched = await answer(body, key);
    expect(sketched[0].metrics.slice(1)).toEqual([30000, 60000]);
    expect(Math.abs(sketched[0].metrics[0] - 12000) / 12000).toBeLessThan(0.02);
    // One visitor per session, 2,000 of them on one day: the estimate (2,006 for these ids) would exceed
    // the sessions, and is capped there.
    await db.sql`
      INSERT INTO sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count,
                            is_test, channel, source)
      SELECT ${big.id}, 'once' || g, 'w' || g, '2026-10-12T10:00:00Z', '2026-10-12T10:00:00Z', 1, false, 'Email', 'x'
      FROM generate_series(1, 2000) g`;
    await db.sql`INSERT INTO report_dirty_hours (account_id, hour) VALUES (${big.id}, '2026-10-12T10:00:00Z')`;
    await refreshReportRollups(db.sql, { accountId: big.id });
    const once = {
      date_range: ['2026-10-12', '2026-10-12'],
      timezone: 'UTC',
      metrics: ['visitors', 'sessions'],
    };
    expect((await answer(once, key))[0].metrics).toEqual([2000, 2000]);
    // A small group stays exact: the sketch is the set of hashes up to 1,280 visitors.
    const oneDay = await answer(
      { ...body, date_range: ['2026-10-03', '2026-10-03'], filters: [['is', 'channel', ['Direct']]] },
      key,
    );
    const truth =
      await db.sql`SELECT count(DISTINCT visitor_id)::int AS n FROM sessions WHERE account_id = ${big.id}
      AND started_at >= '2026-10-03T00:00:00Z' AND started_at < '2026-10-04T00:00:00Z' AND channel = 'Direct'`;
    expect(truth[0]?.n).toBeLessThan(1280);
    expect(oneDay[0].metrics[0]).toBe(truth[0]?.n);
  });

  it('run in the background of the service: the refresher builds new accounts', async () => {
    const fresh = await createAccount(db.sql, { name: 'Fresh' });
    const refresher = startRollupRefresher(db.sql, { intervalMs: 50, logger: pino({ level: 'silent' }) });
    try {
      await expect
        .poll(
          async () => (await db.sql`SELECT 1 FROM report_rollup_state WHERE account_id = ${fresh.id}`).length,
          {
            timeout: 10_000,
          },
        )
        .toBe(1);
    } finally {
      await refresher.stop();
    }
  });
});

describe('which queries rollups answer', () => {
  const plan = (body: Record<string, unknown>) => parseQuery({ metrics: ['sessions'], ...body });
  it('one dimension besides day/week/month, filters on that dimension only', () => {
    expect(rollupDimension(plan({}))).toBe('');
    expect(rollupDimension(plan({ dimensions: ['time:day'] }))).toBe('');
    expect(rollupDimension(plan({ dimensions: ['channel'] }))).toBe('channel');
    expect(rollupDimension(plan({ dimensions: ['time:month', 'source'] }))).toBe('source');
    expect(rollupDimension(plan({ filters: [['is', 'channel', ['Direct']]] }))).toBe('channel');
    expect(
      rollupDimension(plan({ dimensions: ['channel'], filters: [['is_not', 'channel', ['Direct']]] })),
    ).toBe('channel');
    expect(rollupDimension(plan({ dimensions: ['time:hour'] }))).toBeNull();
    expect(rollupDimension(plan({ dimensions: ['channel', 'source'] }))).toBeNull();
    expect(rollupDimension(plan({ dimensions: ['channel'], filters: [['is', 'source', ['x']]] }))).toBeNull();
    expect(
      rollupDimension(
        plan({
          filters: [
            ['is', 'channel', ['Direct']],
            ['is', 'source', ['x']],
          ],
        }),
      ),
    ).toBeNull();
  });
  it('touch rollups: the rest but hours; with first_* named, the set that has them', () => {
    const table = (body: Record<string, unknown>) => touchRollupsFor(plan(body))?.table ?? null;
    expect(table({ dimensions: ['channel', 'source'] })).toBe('report_touch_rollups');
    expect(table({ dimensions: ['utm_campaign'], filters: [['is', 'channel', ['x']]] })).toBe(
      'report_touch_rollups',
    );
    expect(table({ dimensions: ['time:day', 'landing_page', 'referrer_domain'] })).toBe(
      'report_touch_rollups',
    );
    expect(table({ dimensions: ['channel', 'first_channel'] })).toBe('report_visitor_touch_rollups');
    expect(table({ dimensions: ['first_source'], filters: [['is', 'channel', ['x']]] })).toBe(
      'report_visitor_touch_rollups',
    );
    expect(table({ dimensions: ['time:hour', 'channel'] })).toBeNull();
  });
});

describe('sketchesAvailable', () => {
  it('asks once per pool, but asks again after a failed lookup (database down)', async () => {
    let calls = 0;
    const pool = (() => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new Error('connection refused'))
        : Promise.resolve([{ '?column?': 1 }]);
    }) as unknown as Sql;
    await expect(sketchesAvailable(pool)).rejects.toThrow('connection refused');
    expect(await sketchesAvailable(pool)).toBe(true);
    expect(await sketchesAvailable(pool)).toBe(true);
    expect(calls).toBe(2);
  });
});
