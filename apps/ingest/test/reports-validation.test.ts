import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts.js';
import { createApiKey } from '../src/accounts/api-keys.js';
import { addDays, previousPeriod, resolveDateRange } from '../src/reports/date-range.js';
import { InvalidQueryError, parseQuery } from '../src/reports/parse-query.js';
import { percentChange } from '../src/reports/run-query.js';
import { csvField } from '../src/reports/to-csv.js';
import { createTestApp } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

describe('parseQuery: bad queries name the field and what is allowed', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [[], 'body', /JSON object/],
    [{ metric: ['visitors'] }, 'metric', /unknown field/],
    [{ metrics: [] }, 'metrics', /1–20 metric names/],
    [{ metrics: ['visits'] }, 'metrics[0]', /unknown metric "visits"; allowed: "visitors"/],
    [{ metrics: ['visitors', 'visitors'] }, 'metrics[1]', /twice/],
    [{ metrics: ['conversions:'] }, 'metrics[0]', /event type/],
    [{ metrics: [42] }, 'metrics[0]', /string/],
    [{ dimensions: ['country'] }, 'dimensions[0]', /unknown dimension; allowed: "channel"/],
    [{ dimensions: ['time:day', 'time:hour'] }, 'dimensions[1]', /one time dimension/],
    [{ dimensions: 'channel' }, 'dimensions', /array/],
    [{ date_range: 'last week' }, 'date_range', /"today", "yesterday", "7d"/],
    [{ date_range: ['2026-02-30', '2026-03-01'] }, 'date_range', /YYYY-MM-DD/],
    [{ date_range: ['2026-03-02', '2026-03-01'] }, 'date_range', /not be after/],
    [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA/],
    [{ timezone: "UTC'; DROP TABLE events; --" }, 'timezone', /IANA/],
    [{ filters: [['equals', 'channel', ['x']]] }, 'filters[0][0]', /allowed: "is", "is_not", "contains"/],
    [{ filters: [['is', 'time:day', ['x']]] }, 'filters[0][1]', /unknown dimension/],
    [{ filters: [['is', 'channel', []]] }, 'filters[0][2]', /1–100 strings/],
    [{ filters: [['is', 'channel', [1]]] }, 'filters[0][2]', /strings/],
    [{ filters: [['is', 'channel']] }, 'filters[0]', /\[operator, dimension/],
    [{ compare: 'last_year' }, 'compare', /previous_period/],
    [{ compare: 'previous_period', date_range: 'all' }, 'compare', /not available/],
    [{ limit: 0 }, 'limit', /1 to 10000/],
    [{ limit: 1.5 }, 'limit', /integer/],
    [{ offset: -1 }, 'offset', /integer/],
    [{ order_by: [['country', 'desc']] }, 'order_by[0][0]', /metrics or dimensions/],
    [{ order_by: [['visitors', 'up']] }, 'order_by[0]', /"asc"\|"desc"/],
  ];
  for (const [body, field, message] of cases) {
    it(`${JSON.stringify(body)} → ${field}`, () => {
      let error: unknown;
      try {
        parseQuery(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidQueryError);
      expect((error as InvalidQueryError).field).toBe(field);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('fills defaults: 30 days, visitors, no dimension, 100 rows', () => {
    expect(parseQuery({})).toEqual({
      dateRange: '30d',
      timezone: null,
      metrics: [{ name: 'visitors', kind: 'visitors' }],
      dimensions: [],
      filters: [],
      compare: false,
      orderBy: [],
      limit: 100,
      offset: 0,
    });
  });
});

describe('date ranges', () => {
  const today = '2026-12-02';
  it('resolves named ranges to inclusive days ending today', () => {
    expect(resolveDateRange('today', { today })).toEqual({ from: today, to: today });
    expect(resolveDateRange('yesterday', { today })).toEqual({ from: '2026-12-01', to: '2026-12-01' });
    expect(resolveDateRange('7d', { today })).toEqual({ from: '2026-11-26', to: today });
    expect(resolveDateRange('30d', { today })).toEqual({ from: '2026-11-03', to: today });
    expect(resolveDateRange('month', { today })).toEqual({ from: '2026-12-01', to: today });
    expect(resolveDateRange('year', { today })).toEqual({ from: '2026-01-01', to: today });
    expect(resolveDateRange('all', { today, firstDay: '2025-05-05' })).toEqual({
      from: '2025-05-05',
      to: today,
    });
    expect(resolveDateRange('all', { today, firstDay: null })).toEqual({ from: today, to: today });
  });
  it('the previous period has the same length and ends the day before', () => {
    expect(previousPeriod({ from: '2026-11-03', to: '2026-12-02' })).toEqual({
      from: '2026-10-04',
      to: '2026-11-02',
    });
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-01' })).toEqual({
      from: '2026-02-28',
      to: '2026-02-28',
    });
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
  it('change in percent, null from 0', () => {
    expect(percentChange(100, 120)).toBe(20);
    expect(percentChange(3, 2)).toBe(-33.3);
    expect(percentChange(0, 5)).toBeNull();
  });
  it('CSV fields: quoted when needed, formulas neutralised', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-3.5)).toBe('-3.5');
  });
});

describe('POST /api/v1/query over HTTP', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let read: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = createTestApp(db.sql);
    const account = await createAccount(db.sql, { name: 'Validation' });
    read = `Bearer ${(await createApiKey(db.sql, { accountId: account.id, environment: 'live', scope: 'read' })).key}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/query',
      headers: { authorization: read, 'content-type': contentType },
      payload,
    });

  it('answers 400 invalid_query naming the field, never a 500', async () => {
    for (const body of [
      '{"metrics":["nope"]}',
      '{"filters":[["is","channel",["x",{"a":1}]]]}',
      '[]',
      '{"date_range":["2026-13-01","2026-13-02"]}',
      '{"timezone":null,"limit":"10"}',
    ]) {
      const res = await post(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json(), body).toEqual({
        error: expect.stringMatching(/^[a-z_[\]0-9]+: /),
        code: 'invalid_query',
      });
    }
  });

  it('answers an empty account with zeros, and hostile filter values as plain values', async () => {
    const res = await post(
      JSON.stringify({
        metrics: ['visitors', 'bounce_rate'],
        filters: [['contains', 'utm_source', ["'; DROP TABLE sessions; --", '%', '\\']]],
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results).toEqual([{ dimensions: [], metrics: [0, 0] }]);
    expect(await db.sql`SELECT count(*)::int AS n FROM sessions`).toEqual([{ n: 0 }]);
  });

  it('refuses a body that is not JSON like every endpoint', async () => {
    expect((await post('{nope')).statusCode).toBe(400);
    expect((await post('x', 'text/plain')).statusCode).toBe(415);
  });
});
