import { randomBytes } from 'node:crypto';
import { describeWithService, redisForTests } from '@mbuzz/test-kit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts.js';
import { setAccountStatus } from '../src/accounts/index.js';
import { createUser, deleteUser } from '../src/users/users.js';
import { createTestApp, createTestTenant, makeEvent, postEvents, testConfig } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// The dashboard's login (POST /auth/login, /auth/logout, GET /auth/me) and the reports read through a
// login session, against real Postgres.
const PASSWORD = 'correct horse battery staple';
// TEST_REDIS_URL, else local Redis; without one the Redis test is skipped with one line (CI: it fails).
const redisForThisFile = await redisForTests();
let db: TestDatabase;
let app: FastifyInstance;
let acme: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;

const json = { 'content-type': 'application/json' };
const login = (email: string, password = PASSWORD, target = app, headers: Record<string, string> = {}) =>
  target.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { ...json, ...headers },
    payload: JSON.stringify({ email, password }),
  });

/** `mbuzz_session=…` for a Cookie header, from a login answer. */
function sessionCookie(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'mbuzz_session');
  if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
  return `mbuzz_session=${cookie.value}`;
}

async function loggedIn(email: string) {
  const res = await login(email);
  expect(res.statusCode).toBe(200);
  return { cookie: sessionCookie(res), csrf: res.json<{ csrf_token: string }>().csrf_token };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql);
  acme = await createTestTenant(db.sql, 'Acme', 'live');
  other = await createTestTenant(db.sql, 'Other', 'live');
  await Promise.all([
    createUser(db.sql, {
      accountId: acme.account.id,
      email: 'ana@acme.example',
      role: 'admin',
      password: PASSWORD,
    }),
    createUser(db.sql, { accountId: acme.account.id, email: 'vic@acme.example', password: PASSWORD }),
    createUser(db.sql, { accountId: other.account.id, email: 'olga@other.example', password: PASSWORD }),
  ]);
  // Acme: 3 live sessions and 1 test session; Other: 5 live sessions.
  const acmeTest = await createTestTenant(db.sql, 'unused', 'test');
  await db.sql`UPDATE api_keys SET account_id = ${acme.account.id} WHERE id = ${acmeTest.key.id}`;
  const send = async (authorization: string, sessions: string[]) => {
    const events = sessions.map((s) => makeEvent({ session_id: s, visitor_id: `v-${s}` }));
    expect((await postEvents(app, authorization, { events })).statusCode).toBe(202);
  };
  await send(acme.authorization, ['a1', 'a2', 'a3']);
  await send(acmeTest.authorization, ['t1']);
  await send(other.authorization, ['o1', 'o2', 'o3', 'o4', 'o5']);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('POST /api/v1/auth/login', () => {
  it('answers the user, account and CSRF token, and sets a signed HttpOnly SameSite=Lax cookie', async () => {
    const res = await login(' ANA@acme.example ');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      user: { id: expect.any(String), email: 'ana@acme.example', role: 'admin' },
      account: { id: acme.account.id, name: 'Acme', slug: acme.account.slug, timezone: null },
      data: { live: true, test: true },
      csrf_token: expect.stringMatching(/^[\w-]{43}$/),
      expires_at: expect.any(String),
    });
    const cookie = res.cookies.find((c) => c.name === 'mbuzz_session');
    expect(cookie).toMatchObject({ path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 7 * 24 * 3600 });
    expect(cookie?.secure).toBeUndefined();
    // <account>.<session>.<token>.<signature>: the token is stored only as a digest.
    expect(cookie?.value).toMatch(/^[0-9a-f-]{36}\.[0-9a-f-]{36}\.[\w-]{43}\.[\w+/=-]+$/);
    const token = cookie?.value.split('.')[2] as string;
    const [stored] =
      await db.sql`SELECT token_digest FROM user_sessions WHERE account_id = ${acme.account.id}`;
    expect(Buffer.from(stored?.token_digest).toString('hex')).not.toContain(
      Buffer.from(token).toString('hex'),
    );
    const [user] = await db.sql`SELECT last_login_at FROM users WHERE email = 'ana@acme.example'`;
    expect(user?.last_login_at).toBeInstanceOf(Date);
  });

  it('marks the cookie Secure over https (also behind a proxy that says so)', async () => {
    const res = await login('ana@acme.example', PASSWORD, app, { 'x-forwarded-proto': 'https' });
    expect(res.cookies.find((c) => c.name === 'mbuzz_session')?.secure).toBe(true);
  });

  it('answers the same generic 401 for a wrong password and an unknown email, and sets no cookie', async () => {
    const answers = await Promise.all([
      login('ana@acme.example', 'wrong password, long enough'),
      login('nobody@acme.example'),
      login('not an email'),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'email or password is wrong', code: 'invalid_credentials' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses a body that is not JSON with email and password', async () => {
    const form = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=ana%40acme.example&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(form.statusCode).toBe(415);
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: json,
      payload: '{"email":"a@b.c"}',
    });
    expect(missing.json()).toMatchObject({ code: 'invalid_body' });
    const huge = await login('ana@acme.example', 'x'.repeat(1025));
    expect(huge.json()).toMatchObject({ code: 'invalid_body' });
  });

  it('refuses a suspended account after the password', async () => {
    const account = await createAccount(db.sql, { name: 'Gone' });
    await createUser(db.sql, { accountId: account.id, email: 'gone@gone.example', password: PASSWORD });
    const { cookie } = await loggedIn('gone@gone.example');
    await setAccountStatus(db.sql, account.id, 'suspended');
    expect((await login('gone@gone.example')).json()).toMatchObject({ code: 'account_suspended' });
    expect((await login('gone@gone.example', 'wrong password!!')).json()).toMatchObject({
      code: 'invalid_credentials',
    });
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(401);
    expect(me.json()).toMatchObject({ code: 'account_suspended' });
  });

  it('limits attempts per email and per IP, right or wrong, with Retry-After', async () => {
    const limited = createTestApp(db.sql, {
      config: testConfig({ loginRateLimitMax: 2, loginRateLimitIpMax: 4 }),
    });
    try {
      const first = await Promise.all([
        login('vic@acme.example', 'wrong password!!', limited),
        login('vic@acme.example', PASSWORD, limited),
      ]);
      expect(first.map((r) => r.statusCode).sort()).toEqual([200, 401]);
      // Third attempt for this email: refused before the password is checked, even a right one.
      const third = await login('VIC@acme.example', PASSWORD, limited);
      expect(third.statusCode).toBe(429);
      expect(third.json()).toMatchObject({ code: 'rate_limited' });
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.headers['set-cookie']).toBeUndefined();
      // Another email from the same IP gets the rest of the IP's quota (4), then 429 too.
      expect((await login('ana@acme.example', PASSWORD, limited)).statusCode).toBe(200);
      expect((await login('ana@acme.example', PASSWORD, limited)).statusCode).toBe(429);
      // Another IP is not limited by this one's attempts.
      const elsewhere = await limited.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: json,
        remoteAddress: '10.0.0.9',
        payload: JSON.stringify({ email: 'olga@other.example', password: PASSWORD }),
      });
      expect(elsewhere.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('login rate limit per IP behind a proxy', () => {
  const attempt = (target: FastifyInstance, forwardedFor: string) =>
    login('nobody@acme.example', 'wrong password!!', target, { 'x-forwarded-for': forwardedFor });

  it('counts by X-Forwarded-For only when TRUST_PROXY says so', async () => {
    const config = { loginRateLimitMax: 100, loginRateLimitIpMax: 1 };
    const direct = createTestApp(db.sql, { config: testConfig(config) });
    const proxied = createTestApp(db.sql, { config: testConfig({ ...config, trustProxy: true }) });
    try {
      // Not trusted: a client cannot dodge the limit by making up addresses.
      expect((await attempt(direct, '203.0.113.1')).statusCode).toBe(401);
      expect((await attempt(direct, '203.0.113.2')).statusCode).toBe(429);
      // Trusted: each client behind the load balancer has its own count.
      expect((await attempt(proxied, '203.0.113.1')).statusCode).toBe(401);
      expect((await attempt(proxied, '203.0.113.2')).statusCode).toBe(401);
      expect((await attempt(proxied, '203.0.113.1')).statusCode).toBe(429);
    } finally {
      await direct.close();
      await proxied.close();
    }
  });
});

describeWithService(redisForThisFile, 'login rate limit (Redis store)', () => {
  it('shares the per-email count between instances through Redis', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: 1,
    });
    const config = testConfig({ loginRateLimitMax: 2 });
    const one = createTestApp(db.sql, { config, redis });
    const two = createTestApp(db.sql, { config, redis });
    try {
      // A fresh email per run: Redis keeps counts for 15 minutes.
      const email = `r${randomBytes(6).toString('hex')}@acme.example`;
      await createUser(db.sql, { accountId: acme.account.id, email, password: PASSWORD });
      const codes: number[] = [];
      for (const target of [one, two, one]) codes.push((await login(email, PASSWORD, target)).statusCode);
      expect(codes).toEqual([200, 200, 429]);
      const keys = await redis.keys('mbuzz-ratelimit:*login-email:*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join()).not.toContain(email); // counters hold a hash, never the address
    } finally {
      await one.close();
      await two.close();
      await redis.quit();
    }
  });
});

describe('GET /api/v1/auth/me and POST /api/v1/auth/logout', () => {
  it('shows the user, their role and account; a viewer is a viewer', async () => {
    const admin = await loggedIn('ana@acme.example');
    const viewer = await loggedIn('vic@acme.example');
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { cookie: admin.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { email: 'ana@acme.example', role: 'admin' },
      account: { name: 'Acme', slug: acme.account.slug },
      csrf_token: admin.csrf,
    });
    const vic = await app.inject({ url: '/api/v1/auth/me', headers: { cookie: viewer.cookie } });
    expect(vic.json()).toMatchObject({
      user: { email: 'vic@acme.example', role: 'viewer' },
      account: { name: 'Acme' },
    });
    expect(vic.json().csrf_token).not.toBe(admin.csrf);
  });

  it('answers 401 without a session, with a forged or foreign-signed one', async () => {
    const { cookie } = await loggedIn('ana@acme.example');
    const none = await app.inject({ url: '/api/v1/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'missing_session' });
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    const forged = `${parts.slice(0, 2).join('.')}.${'A'.repeat(43)}.${parts[3]}`;
    // Signed by another app (another secret): the signature fails before any lookup.
    const foreign = createTestApp(db.sql);
    const foreignCookie = sessionCookie(await login('ana@acme.example', PASSWORD, foreign));
    await foreign.close();
    for (const bad of [`${name}=${forged}`, `${name}=garbage`, foreignCookie]) {
      const res = await app.inject({ url: '/api/v1/auth/me', headers: { cookie: bad } });
      expect(res.statusCode, bad).toBe(401);
      expect(res.json()).toMatchObject({ code: 'invalid_session' });
    }
  });

  it('logs out only with the CSRF token, ends the session and clears the cookie', async () => {
    const { cookie, csrf } = await loggedIn('vic@acme.example');
    const without = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ code: 'invalid_csrf_token' });
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': `${csrf.slice(1)}x` },
    });
    expect(wrong.json()).toMatchObject({ code: 'invalid_csrf_token' });
    expect((await app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);

    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'mbuzz_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime()).toBeLessThan(Date.now());
    // The old cookie no longer works anywhere, even if the browser kept it.
    const after = await app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(after.json()).toMatchObject({ code: 'invalid_session' });
    // Logging out again (or without any session) is harmless.
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode,
    ).toBe(204);
  });

  it('ends every session of a deleted user', async () => {
    await createUser(db.sql, { accountId: acme.account.id, email: 'temp@acme.example', password: PASSWORD });
    const { cookie } = await loggedIn('temp@acme.example');
    await deleteUser(db.sql, { email: 'temp@acme.example' });
    expect((await app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).json()).toMatchObject({
      code: 'invalid_session',
    });
  });
});

describe('reports through a login session', () => {
  const query = (headers: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/query',
      headers: { ...json, ...headers },
      payload: JSON.stringify({ date_range: 'all', metrics: ['sessions'] }),
    });

  it("reads its own account's live data only, never another account's", async () => {
    const ana = await loggedIn('ana@acme.example');
    const olga = await loggedIn('olga@other.example');
    const mine = await query({ cookie: ana.cookie, 'x-csrf-token': ana.csrf });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().results).toEqual([{ dimensions: [], metrics: [3] }]); // not the test session
    const theirs = await query({ cookie: olga.cookie, 'x-csrf-token': olga.csrf });
    expect(theirs.json().results).toEqual([{ dimensions: [], metrics: [5] }]);

    const recent = await app.inject({ url: '/api/v1/events/recent', headers: { cookie: ana.cookie } });
    expect(recent.statusCode).toBe(200);
    const sessions = recent.json<{ events: { session_id: string }[] }>().events.map((e) => e.session_id);
    expect(sessions.sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('needs the CSRF token on POST /query', async () => {
    const ana = await loggedIn('ana@acme.example');
    const res = await query({ cookie: ana.cookie });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'invalid_csrf_token' });
    const olga = await loggedIn('olga@other.example');
    // Another session's token does not fit.
    expect((await query({ cookie: ana.cookie, 'x-csrf-token': olga.csrf })).statusCode).toBe(403);
  });

  it('never reaches /events or /validate, and an Authorization header wins over the cookie', async () => {
    const ana = await loggedIn('ana@acme.example');
    const events = await postEvents(app, '', { events: [makeEvent()] });
    expect(events.statusCode).toBe(401);
    const withCookie = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...json, cookie: ana.cookie, 'x-csrf-token': ana.csrf },
      payload: JSON.stringify({ events: [makeEvent()] }),
    });
    expect(withCookie.statusCode).toBe(401);
    expect(withCookie.json()).toMatchObject({ code: 'missing_api_key' });
    const validate = await app.inject({ url: '/api/v1/validate', headers: { cookie: ana.cookie } });
    expect(validate.json()).toMatchObject({ code: 'missing_api_key' });
    // An ingest key with the cookie: the key decides, and it cannot read.
    const keyWins = await query({
      cookie: ana.cookie,
      'x-csrf-token': ana.csrf,
      authorization: acme.authorization,
    });
    expect(keyWins.statusCode).toBe(403);
    expect(keyWins.json()).toMatchObject({ code: 'insufficient_scope' });
    // No key and no cookie: as before.
    expect((await query({})).json()).toMatchObject({ code: 'missing_api_key' });
  });
});
