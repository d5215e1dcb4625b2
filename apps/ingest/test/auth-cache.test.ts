import { afterAll, beforeAll, expect, it } from 'vitest';
import { revokeApiKey, setAccountStatus } from '../src/accounts/index.js';
import { createTestApp, createTestTenant } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const validate = (app: ReturnType<typeof createTestApp>, authorization: string) =>
  app.inject({ method: 'GET', url: '/api/v1/validate', headers: { authorization } });

it('serves a cached lookup until the TTL, then refuses a revoked key', async () => {
  const app = createTestApp(db.sql, { authCacheTtlMs: 200 });
  try {
    const t = await createTestTenant(db.sql, 'Cached');
    expect((await validate(app, t.authorization)).statusCode).toBe(200);
    await revokeApiKey(db.sql, t.key.prefix);
    // This instance may accept the key until its cached lookup expires; after that it refuses it.
    await expect
      .poll(async () => (await validate(app, t.authorization)).json().code, { interval: 50, timeout: 3000 })
      .toBe('revoked_api_key');

    const s = await createTestTenant(db.sql, 'Suspend later');
    expect((await validate(app, s.authorization)).statusCode).toBe(200);
    await setAccountStatus(db.sql, s.account.id, 'suspended');
    await expect
      .poll(async () => (await validate(app, s.authorization)).json().code, { interval: 50, timeout: 3000 })
      .toBe('account_suspended');
  } finally {
    await app.close();
  }
});

it('caches lookups: a key deleted behind its back still validates within the TTL', async () => {
  const app = createTestApp(db.sql, { authCacheTtlMs: 5000 });
  try {
    const t = await createTestTenant(db.sql, 'Sticky');
    expect((await validate(app, t.authorization)).statusCode).toBe(200);
    await db.sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${t.key.id}`;
    expect((await validate(app, t.authorization)).statusCode).toBe(200);
  } finally {
    await app.close();
  }
});

it('never caches longer than 5 s, whatever it is asked', async () => {
  const { createAuthenticator } = await import('../src/http/create-authenticator.js');
  const t = await createTestTenant(db.sql, 'Clamp');
  const auth = createAuthenticator({ sql: db.sql, cacheTtlMs: 60_000 });
  const realNow = Date.now;
  try {
    await auth.authenticate(`Bearer ${t.key.key}`);
    await revokeApiKey(db.sql, t.key.prefix);
    const start = realNow();
    Date.now = () => start + 5001;
    await expect(auth.authenticate(`Bearer ${t.key.key}`)).rejects.toMatchObject({ code: 'revoked_api_key' });
  } finally {
    Date.now = realNow;
  }
});
