import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey, setAccountStatus } from '../src/accounts/index.js';
import { createTestApp, createTestTenant, makeEvent, postEvents } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
let app: FastifyInstance;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql);
  tenant = await createTestTenant(db.sql, 'Api');
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const expectEnvelope = (body: string, code: string) => {
  expect(JSON.parse(body)).toEqual({ error: expect.any(String), code });
};

describe('authentication', () => {
  const validate = (authorization?: string) =>
    app.inject({ method: 'GET', url: '/api/v1/validate', headers: authorization ? { authorization } : {} });

  it('validate answers the account and environment, case-insensitive Bearer, whitespace trimmed', async () => {
    for (const header of [
      tenant.authorization,
      `  bearer   ${tenant.key.key}  `,
      `BEARER ${tenant.key.key}`,
    ]) {
      const res = await validate(header);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        valid: true,
        account: { id: tenant.account.id, name: 'Api' },
        environment: 'live',
      });
      expect(res.headers['x-ratelimit-limit']).toBe('1000');
    }
  });

  it('401 missing_api_key, malformed_api_key, invalid_api_key', async () => {
    const missing = await validate();
    expect(missing.statusCode).toBe(401);
    expectEnvelope(missing.body, 'missing_api_key');
    for (const header of [
      tenant.key.key,
      'Basic abc',
      'Bearer sk_prod_0123456789abcdef0123456789abcdef',
      'Bearer sk_live_0123456789ABCDEF0123456789ABCDEF',
      'Bearer sk_live_0123',
    ]) {
      const res = await validate(header);
      expect(res.statusCode).toBe(401);
      expectEnvelope(res.body, 'malformed_api_key');
    }
    const unknown = await validate('Bearer sk_live_0123456789abcdef0123456789abcdef');
    expect(unknown.statusCode).toBe(401);
    expectEnvelope(unknown.body, 'invalid_api_key');
    const post = await postEvents(app, 'Bearer sk_live_0123456789abcdef0123456789abcdef', { events: [] });
    expect(post.statusCode).toBe(401);
    expect(post.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('401 revoked_api_key and account_suspended', async () => {
    const other = await createTestTenant(db.sql, 'Revoked');
    await revokeApiKey(db.sql, other.key.key);
    const revoked = await postEvents(app, other.authorization, { events: [makeEvent()] });
    expect(revoked.statusCode).toBe(401);
    expectEnvelope(revoked.body, 'revoked_api_key');

    const suspended = await createTestTenant(db.sql, 'Suspended');
    await setAccountStatus(db.sql, suspended.account.id, 'suspended');
    const res = await validate(suspended.authorization);
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.body, 'account_suspended');
  });

  it('marks rows written with a test key as test data', async () => {
    const testTenant = await createTestTenant(db.sql, 'Testing', 'test');
    const res = await postEvents(app, testTenant.authorization, {
      events: [makeEvent({ visitor_id: 'tv', session_id: 'ts' })],
    });
    expect(res.statusCode).toBe(202);
    const rows = await db.sql`
      SELECT (SELECT is_test FROM events WHERE account_id = ${testTenant.account.id}) AS e,
             (SELECT is_test FROM visitors WHERE account_id = ${testTenant.account.id}) AS v,
             (SELECT is_test FROM sessions WHERE account_id = ${testTenant.account.id}) AS s`;
    expect(rows[0]).toEqual({ e: true, v: true, s: true });
  });

  it('records last_used_at off the hot path', async () => {
    const t = await createTestTenant(db.sql, 'LastUsed');
    await validate(t.authorization);
    await expect
      .poll(
        async () => (await db.sql`SELECT last_used_at FROM api_keys WHERE id = ${t.key.id}`)[0]?.last_used_at,
      )
      .toBeInstanceOf(Date);
  });
});
