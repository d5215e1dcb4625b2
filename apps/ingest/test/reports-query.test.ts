import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, setAccountTimeZone } from '../src/accounts/accounts.js';
import { createApiKey } from '../src/accounts/api-keys.js';
import { refreshReportRollups } from '../src/reports/rollups.js';
import {
  buildFixture,
  dimensionValue,
  type Fixture,
  firstTouches,
  localParts,
  type TruthDimension,
  type TruthSession,
  truthMetrics,
} from './helpers/report-fixture.js';
import { createTestApp, postEvents } from './helpers/test-app.js';
import { createTestDatabase, rollupsAvailable, type TestDatabase } from './helpers/test-database.js';

const ALL_METRICS = [
  'visitors',
  'sessions',
  'page_views',
  'views_per_session',
  'bounce_rate',
  'events:signup',
  'conversions:signup',
  'conversion_rate:signup',
  'events:add_to_cart',
  'events:page_view',
];
const FROM = Date.parse('2026-10-10T00:00:00Z');
const TO = Date.parse('2026-11-08T00:00:00Z');

// Every test runs twice: on sessions alone (no rollups built: the exact path) and after the rollup refresh
// (Europe/Berlin queries of one dimension then read daily rollup rows plus sessions, see rollups.ts). The
// truth is the same; the seed is small enough that the visitors sketches are exact sets.
const sources = (await rollupsAvailable()) ? (['sessions', 'rollups'] as const) : (['sessions'] as const);

describe.each(sources)('reports read from %s', (source) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let fixture: Fixture;
  let read: string;
  let ingest: string;
  let testRead: string;
  let otherRead: string;

  async function send(authorization: string, events: Array<Record<string, unknown>>) {
    for (let i = 0; i < events.length; i += 250) {
      const res = await postEvents(app, authorization, { events: events.slice(i, i + 250) });
      expect(res.statusCode, res.body).toBe(202);
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = createTestApp(db.sql);
    const account = await createAccount(db.sql, { name: 'Reports' });
    // Queries without a time zone use the account's; rollups are built in it.
    await setAccountTimeZone(db.sql, account.id, 'Europe/Berlin');
    const key = async (accountId: string, environment: 'test' | 'live', scope: 'ingest' | 'read') =>
      `Bearer ${(await createApiKey(db.sql, { accountId, environment, scope })).key}`;
    ingest = await key(account.id, 'live', 'ingest');
    read = await key(account.id, 'live', 'read');
    testRead = await key(account.id, 'test', 'read');
    const other = await createAccount(db.sql, { name: 'Other' });
    otherRead = await key(other.id, 'live', 'read');

    fixture = buildFixture({ seed: 7, visitors: 90, from: FROM, to: TO, prefix: 'r' });
    // Sent twice (the second time in reverse): duplicates change nothing.
    await send(ingest, fixture.events);
    await send(ingest, [...fixture.events].reverse().slice(0, 300));
    // Noise the answers must never include: another account, and this account's test data.
    await send(
      await key(other.id, 'live', 'ingest'),
      buildFixture({ seed: 8, visitors: 40, from: FROM, to: TO, prefix: 'o' }).events,
    );
    await send(
      await key(account.id, 'test', 'ingest'),
      buildFixture({ seed: 9, visitors: 30, from: FROM, to: TO, prefix: 't' }).events,
    );
    if (source === 'rollups') {
      // Every day of the fixture is before today: all of them get rollup rows (Europe/Berlin for this
      // account, UTC for the other), so Berlin queries read rollups and the others read sessions.
      const refreshed = await refreshReportRollups(db.sql);
      expect(refreshed.enabled, 'the hll extension is installed (.ci/run installs it)').toBe(true);
      expect(refreshed.days).toBeGreaterThan(60);
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  function query(body: unknown, authorization = read, accept = 'application/json') {
    return app.inject({
      method: 'POST',
      url: '/api/v1/query',
      headers: { authorization, 'content-type': 'application/json', accept },
      payload: JSON.stringify(body),
    });
  }

  interface TruthQuery {
    from: string;
    to: string;
    timeZone: string;
    metrics: string[];
    dimensions: TruthDimension[];
    filters?: Array<['is' | 'is_not' | 'contains', TruthDimension, string[]]>;
    sessions?: TruthSession[];
  }

  /** The true answer rows, computed from the fixture in TypeScript, in the API's default order. */
  function truth(q: TruthQuery) {
    const all = q.sessions ?? fixture.sessions;
    const first = firstTouches(all);
    const inRange = all.filter((s) => {
      const day = localParts(s.start, q.timeZone).day;
      return day >= q.from && day <= q.to;
    });
    const kept = inRange.filter((s) =>
      (q.filters ?? []).every(([op, d, values]) => {
        const v = dimensionValue(s, d, q.timeZone, first);
        if (op === 'is') return values.includes(v);
        if (op === 'is_not') return !values.includes(v);
        return values.some((x) => v.toLowerCase().includes(x.toLowerCase()));
      }),
    );
    const groups = new Map<string, TruthSession[]>();
    for (const s of kept) {
      const key = JSON.stringify(q.dimensions.map((d) => dimensionValue(s, d, q.timeZone, first)));
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    if (q.dimensions.length === 0 && groups.size === 0) groups.set('[]', []);
    const rows = [...groups].map(([key, sessions]) => ({
      dimensions: JSON.parse(key) as string[],
      metrics: truthMetrics(sessions, q.metrics),
    }));
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return rows.sort((a, b) => {
      const m = (b.metrics[0] as number) - (a.metrics[0] as number);
      if (m !== 0) return m;
      for (let i = 0; i < a.dimensions.length; i += 1) {
        const c = cmp(a.dimensions[i] as string, b.dimensions[i] as string);
        if (c !== 0) return c;
      }
      return 0;
    });
  }

  describe('POST /api/v1/query: answers equal the truth computed from the seeded events', () => {
    it('totals of every metric (no dimension), in a time zone with a DST change', async () => {
      for (const timezone of ['Europe/Berlin', 'UTC', 'America/New_York']) {
        const res = await query({ date_range: ['2026-10-12', '2026-11-05'], timezone, metrics: ALL_METRICS });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body.meta).toMatchObject({
          date_range: ['2026-10-12', '2026-11-05'],
          timezone,
          total_rows: 1,
        });
        expect(body.results).toEqual(
          truth({
            from: '2026-10-12',
            to: '2026-11-05',
            timeZone: timezone,
            metrics: ALL_METRICS,
            dimensions: [],
          }),
        );
      }
    });

    for (const dimension of [
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
    ] as const) {
      it(`groups by ${dimension}, missing values as (none)`, async () => {
        const res = await query({
          date_range: ['2026-10-10', '2026-11-07'],
          timezone: 'Europe/Berlin',
          metrics: ALL_METRICS,
          dimensions: [dimension],
        });
        expect(res.statusCode, res.body).toBe(200);
        const expected = truth({
          from: '2026-10-10',
          to: '2026-11-07',
          timeZone: 'Europe/Berlin',
          metrics: ALL_METRICS,
          dimensions: [dimension],
        });
        expect(expected.length).toBeGreaterThan(1);
        expect(res.json().results).toEqual(expected);
        expect(res.json().meta.total_rows).toBe(expected.length);
      });
    }

    it('lists the seeded channels with exact counts', async () => {
      const res = await query({
        date_range: ['2026-10-01', '2026-11-30'],
        metrics: ['sessions'],
        dimensions: ['channel'],
      });
      const channels = res
        .json()
        .results.map((r: { dimensions: string[] }) => r.dimensions[0])
        .sort();
      expect(channels).toEqual([
        'AI Assistants',
        'Direct',
        'Email',
        'Organic Search',
        'Paid Search',
        'Paid Social',
        'Referral',
        'Unassigned',
      ]);
      const total = res
        .json()
        .results.reduce((sum: number, r: { metrics: number[] }) => sum + (r.metrics[0] as number), 0);
      expect(total).toBe(fixture.sessions.length);
    });

    it('daily series across the DST change: every day present, zeros included, in the time zone', async () => {
      const body = {
        date_range: ['2026-10-20', '2026-11-12'],
        timezone: 'Europe/Berlin',
        metrics: ['visitors', 'sessions', 'page_views'],
        dimensions: ['time:day'],
      };
      const res = await query(body);
      expect(res.statusCode, res.body).toBe(200);
      const results = res.json().results as Array<{ dimensions: string[]; metrics: number[] }>;
      const days: string[] = [];
      for (
        let d = Date.parse('2026-10-20T00:00:00Z');
        d <= Date.parse('2026-11-12T00:00:00Z');
        d += 86_400_000
      ) {
        days.push(new Date(d).toISOString().slice(0, 10));
      }
      expect(results.map((r) => r.dimensions[0])).toEqual(days);
      const expected = new Map(
        truth({
          from: '2026-10-20',
          to: '2026-11-12',
          timeZone: 'Europe/Berlin',
          metrics: body.metrics,
          dimensions: ['time:day'],
        }).map((r) => [r.dimensions[0], r.metrics]),
      );
      for (const row of results)
        expect(row.metrics).toEqual(expected.get(row.dimensions[0] as string) ?? [0, 0, 0]);
      // After 2026-11-08 there is no data: zeros.
      expect(results.at(-1)?.metrics).toEqual([0, 0, 0]);
    });

    it('hourly series of the DST day (25 local hours fold into 24 buckets)', async () => {
      const res = await query({
        date_range: ['2026-10-25', '2026-10-25'],
        timezone: 'Europe/Berlin',
        metrics: ['sessions'],
        dimensions: ['time:hour'],
      });
      const results = res.json().results as Array<{ dimensions: string[]; metrics: number[] }>;
      expect(results).toHaveLength(24);
      expect(results[0]?.dimensions[0]).toBe('2026-10-25 00:00');
      const expected = new Map(
        truth({
          from: '2026-10-25',
          to: '2026-10-25',
          timeZone: 'Europe/Berlin',
          metrics: ['sessions'],
          dimensions: ['time:hour'],
        }).map((r) => [r.dimensions[0], r.metrics[0]]),
      );
      for (const row of results) expect(row.metrics[0]).toBe(expected.get(row.dimensions[0] as string) ?? 0);
    });

    it('week and month buckets cover the range', async () => {
      const week = await query({
        date_range: ['2026-10-10', '2026-11-07'],
        timezone: 'Europe/Berlin',
        metrics: ['sessions'],
        dimensions: ['time:week'],
      });
      const weeks = week.json().results as Array<{ dimensions: string[]; metrics: number[] }>;
      expect(weeks[0]?.dimensions[0]).toBe('2026-10-05'); // the Monday of the week of 2026-10-10
      expect(weeks.reduce((s, r) => s + (r.metrics[0] as number), 0)).toBe(
        truth({
          from: '2026-10-10',
          to: '2026-11-07',
          timeZone: 'Europe/Berlin',
          metrics: ['sessions'],
          dimensions: [],
        })[0]?.metrics[0],
      );
      const month = await query({
        date_range: ['2026-10-10', '2026-11-07'],
        timezone: 'Europe/Berlin',
        metrics: ['sessions'],
        dimensions: ['time:month'],
      });
      expect(month.json().results.map((r: { dimensions: string[] }) => r.dimensions[0])).toEqual([
        '2026-10',
        '2026-11',
      ]);
    });

    it('filters is / is_not / contains, combined with AND, on any dimension', async () => {
      const cases: TruthQuery['filters'][] = [
        [['is', 'channel', ['Paid Search']]],
        [
          ['is', 'utm_medium', ['cpc', 'email']],
          ['contains', 'utm_campaign', ['SPRING']],
        ],
        [['is_not', 'channel', ['Direct', 'Referral']]],
        [['is', 'utm_campaign', ['(none)']]],
        [['contains', 'source', ['<img']]],
        [
          ['is', 'first_channel', ['Email']],
          ['is_not', 'landing_page', ['/']],
        ],
        [['contains', 'referrer_domain', ['%', '_']]],
      ];
      for (const filters of cases) {
        const res = await query({
          date_range: ['2026-10-10', '2026-11-07'],
          timezone: 'Europe/Berlin',
          metrics: ALL_METRICS,
          dimensions: ['channel'],
          filters,
        });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().results, JSON.stringify(filters)).toEqual(
          truth({
            from: '2026-10-10',
            to: '2026-11-07',
            timeZone: 'Europe/Berlin',
            metrics: ALL_METRICS,
            dimensions: ['channel'],
            filters,
          }),
        );
      }
    });

    it('compares with the previous period: metrics and change in percent, null where the earlier value is 0', async () => {
      const res = await query({
        date_range: ['2026-10-24', '2026-11-06'],
        timezone: 'Europe/Berlin',
        metrics: ALL_METRICS,
        dimensions: ['channel'],
        compare: 'previous_period',
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.meta.comparison_date_range).toEqual(['2026-10-10', '2026-10-23']);
      const current = truth({
        from: '2026-10-24',
        to: '2026-11-06',
        timeZone: 'Europe/Berlin',
        metrics: ALL_METRICS,
        dimensions: ['channel'],
      });
      const before = new Map(
        truth({
          from: '2026-10-10',
          to: '2026-10-23',
          timeZone: 'Europe/Berlin',
          metrics: ALL_METRICS,
          dimensions: ['channel'],
        }).map((r) => [r.dimensions[0], r.metrics]),
      );
      expect(body.results).toEqual(
        current.map((r) => {
          const old = before.get(r.dimensions[0]) ?? ALL_METRICS.map(() => 0);
          return {
            ...r,
            comparison: {
              metrics: old,
              change: r.metrics.map((v, i) =>
                old[i] === 0 ? null : Math.round(((v - (old[i] as number)) / (old[i] as number)) * 1000) / 10,
              ),
            },
          };
        }),
      );
    });

    it('orders, limits and offsets; total_rows counts every group', async () => {
      const all = await query({
        date_range: ['2026-10-10', '2026-11-07'],
        metrics: ['sessions', 'visitors'],
        dimensions: ['source'],
        order_by: [['sessions', 'asc']],
      });
      const rows = all.json().results as Array<{ dimensions: string[]; metrics: number[] }>;
      const sessions = rows.map((r) => r.metrics[0] as number);
      expect(sessions).toEqual([...sessions].sort((a, b) => a - b));
      const page = await query({
        date_range: ['2026-10-10', '2026-11-07'],
        metrics: ['sessions', 'visitors'],
        dimensions: ['source'],
        order_by: [['sessions', 'asc']],
        limit: 2,
        offset: 1,
      });
      expect(page.json().results).toEqual(rows.slice(1, 3));
      expect(page.json().meta.total_rows).toBe(rows.length);
    });

    it('answers CSV with a header row and the same rows (no comparison)', async () => {
      const body = {
        date_range: ['2026-10-10', '2026-11-07'],
        metrics: ['visitors', 'bounce_rate'],
        dimensions: ['source', 'utm_medium'],
        compare: 'previous_period',
      };
      const json = (await query(body)).json();
      const csv = await query(body, read, 'text/csv');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe('source,utm_medium,visitors,bounce_rate');
      expect(lines).toHaveLength(json.results.length + 1);
      // The "weird,medium" value is quoted; everything else as in the JSON.
      const parse = (line: string) =>
        (line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).slice(0, 4).map((f) =>
          f
            .replace(/,$/, '')
            .replace(/^"(.*)"$/, '$1')
            .replaceAll('""', '"'),
        );
      json.results.forEach((row: { dimensions: string[]; metrics: number[] }, i: number) => {
        expect(parse(lines[i + 1] as string)).toEqual([...row.dimensions, ...row.metrics.map(String)]);
      });
      expect(csv.body).toContain('"weird,medium"');
    });
  });

  describe('POST /api/v1/query: tenants, test/live data, scopes', () => {
    it('a test key reads test data only, a live key live data only, another account only its own', async () => {
      const body = {
        date_range: ['2026-10-01', '2026-11-30'],
        metrics: ['sessions'],
        dimensions: ['landing_page'],
      };
      const live = (await query({ ...body, dimensions: [] })).json().results[0].metrics[0];
      const test = (await query({ ...body, dimensions: [] }, testRead)).json().results[0].metrics[0];
      const other = (await query({ ...body, dimensions: [] }, otherRead)).json().results[0].metrics[0];
      expect(live).toBe(fixture.sessions.length);
      expect(test).toBe(
        buildFixture({ seed: 9, visitors: 30, from: FROM, to: TO, prefix: 't' }).sessions.length,
      );
      expect(other).toBe(
        buildFixture({ seed: 8, visitors: 40, from: FROM, to: TO, prefix: 'o' }).sessions.length,
      );
    });

    it('any query through any key sees exactly its own account and environment (fast-check)', async () => {
      const datasets = [
        { key: () => read, sessions: () => fixture.sessions },
        {
          key: () => testRead,
          sessions: () => buildFixture({ seed: 9, visitors: 30, from: FROM, to: TO, prefix: 't' }).sessions,
        },
        {
          key: () => otherRead,
          sessions: () => buildFixture({ seed: 8, visitors: 40, from: FROM, to: TO, prefix: 'o' }).sessions,
        },
      ];
      const dims: TruthDimension[] = [
        'channel',
        'source',
        'utm_campaign',
        'landing_page',
        'first_channel',
        'referrer_domain',
      ];
      const values = ['Direct', 'Email', 'google', '(none)', '/pricing', 'spring', 'Paid Search', 'ChatGPT'];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2 }),
          fc.subarray(['visitors', 'sessions', 'page_views', 'bounce_rate', 'conversions:signup'], {
            minLength: 1,
          }),
          fc.option(fc.constantFrom(...dims), { nil: undefined }),
          fc.array(
            fc.tuple(
              fc.constantFrom('is' as const, 'is_not' as const, 'contains' as const),
              fc.constantFrom(...dims),
              fc.subarray(values, { minLength: 1 }),
            ),
            { maxLength: 2 },
          ),
          fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kolkata'),
          async (which, metrics, dimension, filters, timezone) => {
            const dataset = datasets[which] as (typeof datasets)[number];
            const res = await query(
              {
                date_range: ['2026-10-10', '2026-11-07'],
                timezone,
                metrics,
                dimensions: dimension ? [dimension] : [],
                filters,
                limit: 10_000,
              },
              dataset.key(),
            );
            expect(res.statusCode, res.body).toBe(200);
            expect(res.json().results).toEqual(
              truth({
                from: '2026-10-10',
                to: '2026-11-07',
                timeZone: timezone,
                metrics,
                dimensions: dimension ? [dimension] : [],
                filters,
                sessions: dataset.sessions(),
              }),
            );
          },
        ),
        { numRuns: 40 },
      );
    }, 120_000);

    it('refuses an ingest key with 403 insufficient_scope, and a read key on /events', async () => {
      const res = await query({ metrics: ['visitors'] }, ingest);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: expect.stringContaining('"read" scope'),
        code: 'insufficient_scope',
      });
      const post = await postEvents(app, read, { events: [] });
      expect(post.statusCode).toBe(403);
      expect(post.json().code).toBe('insufficient_scope');
    });

    it('answers 401 without a key', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/query', payload: {} });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('GET /api/v1/events/recent', () => {
    it('lists the latest events newest first with their session channel and source', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/events/recent?limit=20',
        headers: { authorization: read },
      });
      expect(res.statusCode, res.body).toBe(200);
      const events = res.json().events as Array<{
        occurred_at: string;
        session_id: string;
        channel: string;
        source: string;
        event_type: string;
      }>;
      expect(events).toHaveLength(20);
      const times = events.map((e) => e.occurred_at);
      expect(times).toEqual([...times].sort().reverse());
      const bySession = new Map(fixture.sessions.map((s) => [s.sessionId, s]));
      for (const e of events) {
        const session = bySession.get(e.session_id);
        expect(session, e.session_id).toBeDefined();
        expect(e.channel).toBe(session?.touch.channel);
        expect(e.source).toBe(session?.touch.source);
      }
      const latest = Math.max(...fixture.events.map((e) => Date.parse(e.timestamp as string)));
      expect(Date.parse(events[0]?.occurred_at as string)).toBe(latest);
    });

    it('needs the read scope and a sane limit', async () => {
      expect(
        (
          await app.inject({
            method: 'GET',
            url: '/api/v1/events/recent',
            headers: { authorization: ingest },
          })
        ).statusCode,
      ).toBe(403);
      const bad = await app.inject({
        method: 'GET',
        url: '/api/v1/events/recent?limit=5000',
        headers: { authorization: read },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('invalid_query');
    });
  });
});
