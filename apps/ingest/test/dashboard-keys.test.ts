import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/accounts/api-keys.js';
import { createUser } from '../src/users/users.js';
import { createTestApp, createTestTenant, makeEvent, postEvents } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// The dashboard's key management (GET/POST/DELETE /api/v1/keys) against real Postgres: admins only,
// CSRF on changes, one account's keys only, and a revoked key refused by the ingest API at once here and
// within the cache lifetime on another instance.
const PASSWORD = 'correct horse battery staple';
let db: TestDatabase;
let app: FastifyInstance;
let acme: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let admin: Login;
let viewer: Login;
let olga: Login;

interface Login {
  cookie: string;
  csrf: string;
}
interface KeyJson {
  id: string;
  prefix: string;
  environment: string;
  scope: string;
  description: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

async function login(email: string, target = app): Promise<Login> {
  const res = await target.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'mbuzz_session');
  return { cookie: `mbuzz_session=${cookie?.value}`, csrf: res.json().csrf_token };
}

const list = (who: Login, target = app) =>
  target.inject({ url: '/api/v1/keys', headers: { cookie: who.cookie } });
const create = (who: Login, body: unknown, headers: Record<string, string> = {}, target = app) =>
  target.inject({
    method: 'POST',
    url: '/api/v1/keys',
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const revoke = (who: Login, id: string, headers: Record<string, string> = {}, target = app) =>
  target.inject({
    method: 'DELETE',
    url: `/api/v1/keys/${id}`,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, ...headers },
  });

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ code, error: expect.any(String) });
}

async function createdKey(who: Login, body: Record<string, unknown>) {
  const res = await create(who, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ key: KeyJson; secret: string }>();
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql, { authCacheTtlMs: 5000 });
  acme = await createTestTenant(db.sql, 'Acme', 'live');
  other = await createTestTenant(db.sql, 'Other', 'live');
  await Promise.all([
    createUser(db.sql, {
      accountId: acme.account.id,
      email: 'ana@acme.example',
      role: 'admin',
      password: PASSWORD,
    }),
    createUser(db.sql, {
      accountId: acme.account.id,
      email: 'vic@acme.example',
      role: 'viewer',
      password: PASSWORD,
    }),
    createUser(db.sql, {
      accountId: other.account.id,
      email: 'olga@other.example',
      role: 'admin',
      password: PASSWORD,
    }),
  ]);
  [admin, viewer, olga] = await Promise.all([
    login('ana@acme.example'),
    login('vic@acme.example'),
    login('olga@other.example'),
  ]);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('GET /api/v1/keys', () => {
  it("lists the account's keys with their fields, never a secret or another account's key", async () => {
    const res = await list(admin);
    expect(res.statusCode).toBe(200);
    const { keys } = res.json<{ keys: KeyJson[] }>();
    expect(keys).toContainEqual({
      id: acme.key.id,
      prefix: acme.key.prefix,
      environment: 'live',
      scope: 'ingest',
      description: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      last_used_at: null,
      revoked_at: null,
    });
    expect(keys.map((k) => k.id)).not.toContain(other.key.id);
    expect(res.body).not.toContain(acme.key.key);
    expect(res.body).not.toMatch(/sk_(test|live)_[0-9a-f]{32}/);
    const theirs = (await list(olga)).json<{ keys: KeyJson[] }>().keys.map((k) => k.id);
    expect(theirs).toEqual([other.key.id]);
  });

  it('puts active keys first, newest first, and revoked ones after with revoked_at', async () => {
    const older = await createdKey(admin, { environment: 'test', scope: 'read', description: 'older' });
    const newer = await createdKey(admin, { environment: 'test', scope: 'ingest', description: 'newer' });
    expect((await revoke(admin, newer.key.id)).statusCode).toBe(204);
    const { keys } = (await list(admin)).json<{ keys: KeyJson[] }>();
    const ids = keys.map((k) => k.id);
    expect(ids.indexOf(older.key.id)).toBeLessThan(ids.indexOf(acme.key.id)); // newest first
    expect(ids.indexOf(acme.key.id)).toBeLessThan(ids.indexOf(newer.key.id)); // revoked last
    const revoked = keys.find((k) => k.id === newer.key.id);
    expect(revoked?.revoked_at).toEqual(expect.stringMatching(/^\d{4}-/));
    expect(
      keys.filter((k) => k.revoked_at === null).every((k) => ids.indexOf(k.id) < ids.indexOf(newer.key.id)),
    ).toBe(true);
  });

  it('shows last_used_at once a key was used', async () => {
    const used = await createdKey(admin, { environment: 'live', scope: 'ingest' });
    expect((await postEvents(app, `Bearer ${used.secret}`, { events: [makeEvent()] })).statusCode).toBe(202);
    await expect
      .poll(
        async () =>
          (await list(admin)).json<{ keys: KeyJson[] }>().keys.find((k) => k.id === used.key.id)
            ?.last_used_at,
      )
      .toEqual(expect.stringMatching(/^\d{4}-/));
  });
});

describe('POST /api/v1/keys', () => {
  it('creates a key and shows its secret once; the secret works for its scope', async () => {
    const res = await create(admin, {
      environment: 'test',
      scope: 'read',
      description: '  Reporting script  ',
    });
    expect(res.statusCode).toBe(201);
    const { key, secret } = res.json<{ key: KeyJson; secret: string }>();
    expect(secret).toMatch(/^sk_test_[0-9a-f]{32}$/);
    expect(key).toEqual({
      id: expect.any(String),
      prefix: secret.slice(0, 12),
      environment: 'test',
      scope: 'read',
      description: 'Reporting script',
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    // Listed without the secret.
    const listed = (await list(admin)).json<{ keys: KeyJson[] }>().keys.find((k) => k.id === key.id);
    expect(listed).toEqual(key);
    // Only its digest is stored.
    const [row] = await db.sql`SELECT account_id, key_digest FROM api_keys WHERE id = ${key.id}`;
    expect(row?.account_id).toBe(acme.account.id);
    expect(Buffer.from(row?.key_digest).toString()).not.toContain(secret);
    // A read key reads reports of the account's test data; it cannot send events.
    const query = await app.inject({
      method: 'POST',
      url: '/api/v1/query',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ date_range: 'all', metrics: ['sessions'] }),
    });
    expect(query.statusCode).toBe(200);
    expectError(
      await postEvents(app, `Bearer ${secret}`, { events: [makeEvent()] }),
      403,
      'insufficient_scope',
    );

    const ingest = await createdKey(admin, { environment: 'live', scope: 'ingest', description: '' });
    expect(ingest.secret).toMatch(/^sk_live_/);
    expect(ingest.key.description).toBeNull();
    expect((await postEvents(app, `Bearer ${ingest.secret}`, { events: [makeEvent()] })).statusCode).toBe(
      202,
    );
  });

  it('accepts a description of 200 characters, refuses 201 and other bad bodies with a 400 naming the field', async () => {
    const max = await create(admin, { environment: 'test', scope: 'ingest', description: 'é'.repeat(200) });
    expect(max.statusCode).toBe(201);
    const bad: Array<[unknown, string]> = [
      [
        { environment: 'test', scope: 'ingest', description: 'x'.repeat(201) },
        'description: must be at most 200',
      ],
      [{ environment: 'test', scope: 'ingest', description: 42 }, 'description: must be a string'],
      [{ environment: 'staging', scope: 'ingest' }, 'environment: must be "test" or "live"'],
      [{ scope: 'ingest' }, 'environment'],
      [{ environment: 'live', scope: 'admin' }, 'scope: must be "ingest"'],
      [{ environment: 'live' }, 'scope'],
      [{ environment: 'live', scope: 'read', account_id: other.account.id }, 'account_id: unknown field'],
      [[], 'body must be a JSON object'],
      ['"live"', 'body must be a JSON object'],
      ['null', 'body must be a JSON object'],
    ];
    for (const [body, message] of bad) {
      const res = await create(admin, body);
      expectError(res, 400, 'invalid_body');
      expect(res.json().error, JSON.stringify(body)).toContain(message);
    }
    expectError(await create(admin, '{"environment":'), 400, 'invalid_json');
    expectError(
      await create(admin, 'environment=live', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    );
    const before =
      await db.sql`SELECT count(*)::int AS n FROM api_keys WHERE account_id = ${other.account.id}`;
    expect(before[0]?.n).toBe(1); // the unknown account_id field created nothing there
  });
});

describe('who may manage keys', () => {
  it('refuses a viewer with 403 forbidden, on every method', async () => {
    expectError(await list(viewer), 403, 'forbidden');
    expectError(await create(viewer, { environment: 'test', scope: 'ingest' }), 403, 'forbidden');
    expectError(await revoke(viewer, acme.key.id), 403, 'forbidden');
    const [row] = await db.sql`SELECT revoked_at FROM api_keys WHERE id = ${acme.key.id}`;
    expect(row?.revoked_at).toBeNull();
  });

  it('refuses an API key (even with a session cookie) with 403 insufficient_scope, a bad key with 401', async () => {
    const read = await createApiKey(db.sql, {
      accountId: acme.account.id,
      environment: 'live',
      scope: 'read',
    });
    for (const key of [acme.key.key, read.key]) {
      const res = await app.inject({ url: '/api/v1/keys', headers: { authorization: `Bearer ${key}` } });
      expectError(res, 403, 'insufficient_scope');
      const withCookie = await create(
        admin,
        { environment: 'test', scope: 'ingest' },
        { authorization: `Bearer ${key}` },
      );
      expectError(withCookie, 403, 'insufficient_scope');
    }
    const unknown = await app.inject({
      url: '/api/v1/keys',
      headers: { authorization: `Bearer sk_live_${'0'.repeat(32)}` },
    });
    expectError(unknown, 401, 'invalid_api_key');
  });

  it('answers 401 without a session', async () => {
    expectError(await app.inject({ url: '/api/v1/keys' }), 401, 'missing_session');
    expectError(
      await app.inject({ method: 'DELETE', url: `/api/v1/keys/${acme.key.id}` }),
      401,
      'missing_session',
    );
  });

  it('needs the CSRF token to create or revoke', async () => {
    const count = async () =>
      (await db.sql`SELECT count(*)::int AS n FROM api_keys WHERE account_id = ${acme.account.id}`)[0]?.n;
    const before = await count();
    expectError(
      await create(admin, { environment: 'test', scope: 'ingest' }, { 'x-csrf-token': '' }),
      403,
      'invalid_csrf_token',
    );
    expectError(
      await create(admin, { environment: 'test', scope: 'ingest' }, { 'x-csrf-token': olga.csrf }),
      403,
      'invalid_csrf_token',
    );
    expectError(await revoke(admin, acme.key.id, { 'x-csrf-token': viewer.csrf }), 403, 'invalid_csrf_token');
    expect(await count()).toBe(before);
    const [row] = await db.sql`SELECT revoked_at FROM api_keys WHERE id = ${acme.key.id}`;
    expect(row?.revoked_at).toBeNull();
  });
});

describe('DELETE /api/v1/keys/:id', () => {
  it("answers 404 for an unknown id, a malformed one and another account's key, which stays active", async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', other.key.id]) {
      expectError(await revoke(admin, id), 404, 'not_found');
    }
    const [row] = await db.sql`SELECT revoked_at FROM api_keys WHERE id = ${other.key.id}`;
    expect(row?.revoked_at).toBeNull();
    expect((await postEvents(app, other.authorization, { events: [makeEvent()] })).statusCode).toBe(202);
  });

  it('revokes: the ingest API refuses the key at once on this instance, within the cache lifetime on another', async () => {
    const elsewhere = createTestApp(db.sql, { authCacheTtlMs: 1000 });
    try {
      const { key, secret } = await createdKey(admin, {
        environment: 'live',
        scope: 'ingest',
        description: 'shop',
      });
      // Both instances have the key cached as valid.
      expect((await postEvents(app, `Bearer ${secret}`, { events: [makeEvent()] })).statusCode).toBe(202);
      expect((await postEvents(elsewhere, `Bearer ${secret}`, { events: [makeEvent()] })).statusCode).toBe(
        202,
      );

      expect((await revoke(admin, key.id)).statusCode).toBe(204);
      expectError(
        await postEvents(app, `Bearer ${secret}`, { events: [makeEvent()] }),
        401,
        'revoked_api_key',
      );
      const revokedAt = Date.now();
      await expect
        .poll(
          async () => (await postEvents(elsewhere, `Bearer ${secret}`, { events: [makeEvent()] })).statusCode,
          {
            timeout: 5000,
            interval: 100,
          },
        )
        .toBe(401);
      expect(Date.now() - revokedAt).toBeLessThan(5000);

      // Revoking again changes nothing (the first revoked_at stays).
      const [first] = await db.sql`SELECT revoked_at FROM api_keys WHERE id = ${key.id}`;
      expect((await revoke(admin, key.id)).statusCode).toBe(204);
      const [second] = await db.sql`SELECT revoked_at FROM api_keys WHERE id = ${key.id}`;
      expect(second?.revoked_at).toEqual(first?.revoked_at);
    } finally {
      await elsewhere.close();
    }
  });
});
