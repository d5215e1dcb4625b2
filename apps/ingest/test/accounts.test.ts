import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmbiguousKeyError,
  createAccount,
  createApiKey,
  digestApiKey,
  findAccount,
  getAccount,
  InvalidInputError,
  listAccounts,
  listApiKeys,
  NotFoundError,
  revokeApiKey,
  setAccountStatus,
  slugify,
} from '../src/accounts/index.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('accounts', () => {
  it('derives a slug and suffixes it on collision', async () => {
    const a = await createAccount(db.sql, { name: 'Acme Café, Inc.' });
    const b = await createAccount(db.sql, { name: 'acme cafe inc' });
    expect(a).toMatchObject({ name: 'Acme Café, Inc.', slug: 'acme-cafe-inc', status: 'active' });
    expect(a.createdAt).toBeInstanceOf(Date);
    expect(b.slug).toBe('acme-cafe-inc-2');
    expect(slugify('!!!')).toBe('account');
  });

  it('gives unique slugs to concurrent creators', async () => {
    const created = await Promise.all(
      Array.from({ length: 6 }, () => createAccount(db.sql, { name: 'Race' })),
    );
    expect(new Set(created.map((a) => a.slug)).size).toBe(6);
  });

  it('rejects an empty name', async () => {
    await expect(createAccount(db.sql, { name: '  ' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('finds by id or slug, lists, and changes status', async () => {
    const a = await createAccount(db.sql, { name: 'Findme' });
    expect(await findAccount(db.sql, a.id)).toEqual(a);
    expect(await findAccount(db.sql, 'findme')).toEqual(a);
    expect(await findAccount(db.sql, 'nope')).toBeUndefined();
    await expect(getAccount(db.sql, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    expect((await listAccounts(db.sql)).map((x) => x.id)).toContain(a.id);
    expect((await setAccountStatus(db.sql, a.id, 'suspended')).status).toBe('suspended');
    await expect(setAccountStatus(db.sql, a.id, 'gone' as 'active')).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });
});

describe('api keys', () => {
  it('returns the plain key once and stores only digest and prefix', async () => {
    const account = await createAccount(db.sql, { name: 'Keys' });
    const created = await createApiKey(db.sql, {
      accountId: account.id,
      environment: 'live',
      description: 'web',
    });
    expect(created.key).toMatch(/^sk_live_[0-9a-f]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    const [row] = await db.sql`SELECT * FROM api_keys WHERE id = ${created.id}`;
    expect(Buffer.compare(row?.key_digest, digestApiKey(created.key))).toBe(0);
    expect(JSON.stringify(row)).not.toContain(created.key.slice(12));

    const listed = await listApiKeys(db.sql, account.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: created.id,
      prefix: created.prefix,
      environment: 'live',
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it('refuses unknown accounts and environments', async () => {
    const account = await createAccount(db.sql, { name: 'Env' });
    await expect(
      createApiKey(db.sql, { accountId: '00000000-0000-0000-0000-000000000000', environment: 'test' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      createApiKey(db.sql, { accountId: account.id, environment: 'prod' as 'test' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('revokes by prefix; errors when none or several match', async () => {
    const account = await createAccount(db.sql, { name: 'Revoke' });
    const k = await createApiKey(db.sql, { accountId: account.id, environment: 'test' });
    expect(await revokeApiKey(db.sql, k.prefix)).toEqual({ revoked: 1 });
    expect((await listApiKeys(db.sql, account.id))[0]?.revokedAt).toBeInstanceOf(Date);
    await expect(revokeApiKey(db.sql, k.prefix)).rejects.toBeInstanceOf(NotFoundError);

    // Force a prefix collision to check the ambiguity guard.
    const x = await createApiKey(db.sql, { accountId: account.id, environment: 'test' });
    const y = await createApiKey(db.sql, { accountId: account.id, environment: 'test' });
    await db.sql`UPDATE api_keys SET key_prefix = 'sk_test_zzzz' WHERE id IN (${x.id}, ${y.id})`;
    await expect(revokeApiKey(db.sql, 'sk_test_zzzz')).rejects.toBeInstanceOf(AmbiguousKeyError);
    expect(await revokeApiKey(db.sql, y.key)).toEqual({ revoked: 1 });
    expect(await revokeApiKey(db.sql, 'sk_test_zzzz')).toEqual({ revoked: 1 });
  });
});
