import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, setAccountTimeZone } from '../src/accounts/accounts.js';
import { createApiKey } from '../src/accounts/api-keys.js';
import { eventTypesStatement, MAX_EVENT_TYPES } from '../src/reports/event-types.js';
import { createUser } from '../src/users/users.js';
import { createTestApp, createTestTenant, makeEvent, postEvents } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// What the dashboard reads besides reports: the account's time zone and which data it has (/auth/me and
// the login), the environment a login session reads (live or test), and GET /event-types — against
// real Postgres.
const PASSWORD = 'correct horse battery staple';
const json = { 'content-type': 'application/json' };
let db: TestDatabase;
let app: FastifyInstance;
let acme: Awaited<ReturnType<typeof createTestTenant>>;
let acmeTest: Awaited<ReturnType<typeof createApiKey>>;
let acmeRead: Awaited<ReturnType<typeof createApiKey>>;
let acmeReadTest: Awaited<ReturnType<typeof createApiKey>>;
let ana: { cookie: string; csrf: string };

async function login(email: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: json,
    payload: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'mbuzz_session');
  return { res, cookie: `mbuzz_session=${cookie?.value}`, csrf: res.json().csrf_token as string };
}

function expectInvalid(res: LightMyRequestResponse, startsWith: string) {
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json().code).toBe('invalid_query');
  expect(res.json().error).toMatch(new RegExp(`^${startsWith}`));
}

const query = (headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/query',
    headers: { ...json, ...headers },
    payload: JSON.stringify({ date_range: 'all', metrics: ['sessions'], ...extra }),
  });
const sessionsOf = (res: LightMyRequestResponse) => res.json().results[0].metrics[0];

beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql);
  acme = await createTestTenant(db.sql, 'Acme', 'live');
  [acmeTest, acmeRead, acmeReadTest] = await Promise.all([
    createApiKey(db.sql, { accountId: acme.account.id, environment: 'test' }),
    createApiKey(db.sql, { accountId: acme.account.id, environment: 'live', scope: 'read' }),
    createApiKey(db.sql, { accountId: acme.account.id, environment: 'test', scope: 'read' }),
  ]);
  await createUser(db.sql, { accountId: acme.account.id, email: 'ana@acme.example', password: PASSWORD });
  // Acme live: 3 sessions (page_view, signup); test: 2 sessions (page_view, test_only).
  const live = ['l1', 'l2', 'l3'].map((s) => makeEvent({ session_id: s, visitor_id: `v-${s}` }));
  live.push(makeEvent({ session_id: 'l1', visitor_id: 'v-l1', event_type: 'signup', properties: {} }));
  const test = ['t1', 't2'].map((s) => makeEvent({ session_id: s, visitor_id: `v-${s}` }));
  test.push(makeEvent({ session_id: 't1', visitor_id: 'v-t1', event_type: 'test_only', properties: {} }));
  expect((await postEvents(app, acme.authorization, { events: live })).statusCode).toBe(202);
  expect((await postEvents(app, `Bearer ${acmeTest.key}`, { events: test })).statusCode).toBe(202);
  ana = await login('ana@acme.example');
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('the account in /auth/me and the login answer', () => {
  it('carries the time zone (null until set) and which data the account has', async () => {
    const { res } = await login('ana@acme.example');
    expect(res.json()).toEqual({
      user: { id: expect.any(String), email: 'ana@acme.example', role: 'viewer' },
      account: { id: acme.account.id, name: 'Acme', slug: acme.account.slug, timezone: null },
      data: { live: true, test: true },
      csrf_token: expect.any(String),
      expires_at: expect.any(String),
    });
    await setAccountTimeZone(db.sql, acme.account.id, 'Europe/Berlin');
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { cookie: ana.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      account: { id: acme.account.id, timezone: 'Europe/Berlin' },
      data: { live: true, test: true },
      csrf_token: ana.csrf,
    });
  });

  it('says which of live and test data an account has, none for an empty one', async () => {
    const cases: Array<[string, Array<'live' | 'test'>, { live: boolean; test: boolean }]> = [
      ['Empty', [], { live: false, test: false }],
      ['Tester', ['test'], { live: false, test: true }],
      ['Lively', ['live'], { live: true, test: false }],
    ];
    for (const [name, environments, data] of cases) {
      const account = await createAccount(db.sql, { name });
      const email = `${name.toLowerCase()}@data.example`;
      await createUser(db.sql, { accountId: account.id, email, password: PASSWORD });
      for (const environment of environments) {
        const key = await createApiKey(db.sql, { accountId: account.id, environment });
        expect((await postEvents(app, `Bearer ${key.key}`, { events: [makeEvent()] })).statusCode).toBe(202);
      }
      const { res, cookie } = await login(email);
      expect(res.json().data, name).toEqual(data);
      const me = await app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
      expect(me.json().data, name).toEqual(data);
    }
  });
});

describe('environment', () => {
  it('a login session reads live data by default and test data when it asks', async () => {
    const session = { cookie: ana.cookie, 'x-csrf-token': ana.csrf };
    expect(sessionsOf(await query(session))).toBe(3);
    expect(sessionsOf(await query(session, { environment: 'live' }))).toBe(3);
    expect(sessionsOf(await query(session, { environment: 'test' }))).toBe(2);
    // CSV too.
    const csv = await query({ ...session, accept: 'text/csv' }, { environment: 'test' });
    expect(csv.body.trim().split('\r\n')).toEqual(['sessions', '2']);

    const recent = async (qs: string) => {
      const res = await app.inject({ url: `/api/v1/events/recent${qs}`, headers: { cookie: ana.cookie } });
      expect(res.statusCode, res.body).toBe(200);
      return [
        ...new Set(res.json<{ events: { session_id: string }[] }>().events.map((e) => e.session_id)),
      ].sort();
    };
    expect(await recent('')).toEqual(['l1', 'l2', 'l3']);
    expect(await recent('?environment=live&limit=10')).toEqual(['l1', 'l2', 'l3']);
    expect(await recent('?environment=test')).toEqual(['t1', 't2']);
  });

  it('refuses any other environment, naming the field', async () => {
    const session = { cookie: ana.cookie, 'x-csrf-token': ana.csrf };
    expectInvalid(await query(session, { environment: 'staging' }), 'environment: must be "live" or "test"');
    expectInvalid(await query(session, { environment: null }), 'environment');
    for (const qs of ['?environment=prod', '?environment=live&environment=test', '?environment=']) {
      for (const path of ['/api/v1/events/recent', '/api/v1/event-types']) {
        expectInvalid(
          await app.inject({ url: `${path}${qs}`, headers: { cookie: ana.cookie } }),
          'environment',
        );
      }
    }
    // The query's own fields are still checked.
    expectInvalid(await query(session, { environment: 'test', metrics: ['nope'] }), 'metrics\\[0\\]');
  });

  it('an API key reads its own environment: naming it is fine, naming the other is a 400', async () => {
    const live = { authorization: `Bearer ${acmeRead.key}` };
    const test = { authorization: `Bearer ${acmeReadTest.key}` };
    expect(sessionsOf(await query(live))).toBe(3);
    expect(sessionsOf(await query(live, { environment: 'live' }))).toBe(3);
    expect(sessionsOf(await query(test))).toBe(2);
    expect(sessionsOf(await query(test, { environment: 'test' }))).toBe(2);
    expectInvalid(await query(live, { environment: 'test' }), 'environment: API key sk_live_');
    expectInvalid(await query(test, { environment: 'live' }), 'environment: API key sk_test_');
    for (const path of ['/api/v1/events/recent', '/api/v1/event-types']) {
      expect((await app.inject({ url: `${path}?environment=live`, headers: live })).statusCode).toBe(200);
      expectInvalid(await app.inject({ url: `${path}?environment=test`, headers: live }), 'environment');
    }
  });
});

describe('GET /api/v1/event-types', () => {
  it("lists the environment's event types in name order, for a session or a read key", async () => {
    const types = async (headers: Record<string, string>, qs = '') => {
      const res = await app.inject({ url: `/api/v1/event-types${qs}`, headers });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ event_types: string[] }>().event_types;
    };
    expect(await types({ cookie: ana.cookie })).toEqual(['page_view', 'signup']);
    expect(await types({ cookie: ana.cookie }, '?environment=test')).toEqual(['page_view', 'test_only']);
    expect(await types({ authorization: `Bearer ${acmeRead.key}` })).toEqual(['page_view', 'signup']);
    expect(await types({ authorization: `Bearer ${acmeReadTest.key}` })).toEqual(['page_view', 'test_only']);
    // Another account's types never show.
    const other = await createTestTenant(db.sql, 'Other', 'live');
    const otherRead = await createApiKey(db.sql, {
      accountId: other.account.id,
      environment: 'live',
      scope: 'read',
    });
    expect(await types({ authorization: `Bearer ${otherRead.key}` })).toEqual([]);
    const otherEvent = makeEvent({ event_type: 'purchase', properties: {} });
    expect((await postEvents(app, other.authorization, { events: [otherEvent] })).statusCode).toBe(202);
    expect(await types({ authorization: `Bearer ${otherRead.key}` })).toEqual(['purchase']);
    expect(await types({ cookie: ana.cookie })).toEqual(['page_view', 'signup']);
  });

  it('needs the read scope or a login', async () => {
    const ingest = await app.inject({
      url: '/api/v1/event-types',
      headers: { authorization: acme.authorization },
    });
    expect(ingest.statusCode).toBe(403);
    expect(ingest.json().code).toBe('insufficient_scope');
    const none = await app.inject({ url: '/api/v1/event-types' });
    expect(none.statusCode).toBe(401);
  });

  it('is a loose index scan: its work grows with the number of types, not of events, in either environment', async () => {
    const account = await createAccount(db.sql, { name: 'Busy' });
    // 20,000 live events of 4 types, and 3 test events of a 5th type in the middle of the names.
    await db.sql`
      INSERT INTO events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, is_test)
      SELECT ${account.id}, gen_random_uuid(), 'v' || (i % 500), 's' || (i % 2000),
             (ARRAY['page_view', 'add_to_cart', 'signup', 'zzz_rare'])[1 + (i % 4)],
             now() - make_interval(secs => i), false
      FROM generate_series(1, 20000) AS i`;
    await db.sql`
      INSERT INTO events (account_id, event_id, visitor_id, event_type, occurred_at, is_test)
      SELECT ${account.id}, gen_random_uuid(), 'tv', 'checkout', now(), true FROM generate_series(1, 3)`;
    await db.sql`VACUUM ANALYZE events`;

    const explain = async (isTest: boolean) => {
      const [row] =
        await db.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${eventTypesStatement(db.sql, { accountId: account.id, isTest })}`;
      return (row as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
    };
    // Index entries read (returned + filtered out), over every loop: a handful per type, not 20,000.
    const scansOf = (plan: PlanNode) => nodes(plan).filter((n) => n['Relation Name'] === 'events');
    const read = (plan: PlanNode) =>
      scansOf(plan).reduce(
        (sum, n) => sum + (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'],
        0,
      );
    for (const [isTest, index] of [
      [false, 'events_account_type_occurred_at'],
      // Test types from the partial index of test events: never a step over the 20,000 live entries.
      [true, 'events_account_test_type'],
    ] as const) {
      const plan = await explain(isTest);
      expect(scansOf(plan).length).toBeGreaterThan(0);
      for (const scan of scansOf(plan)) {
        expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
        expect(scan['Index Name']).toBe(index);
      }
      expect(read(plan), `is_test = ${isTest}`).toBeLessThan(20);
    }
    const rows = await eventTypesStatement(db.sql, { accountId: account.id, isTest: false });
    expect(rows.map((r) => r.event_type)).toEqual(['add_to_cart', 'page_view', 'signup', 'zzz_rare']);
    const test = await eventTypesStatement(db.sql, { accountId: account.id, isTest: true });
    expect(test.map((r) => r.event_type)).toEqual(['checkout']);
    expect(MAX_EVENT_TYPES).toBe(1000);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}
