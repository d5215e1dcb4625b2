import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.drop();
});

describe('migrate', () => {
  it('creates the schema once, then is a no-op', async () => {
    const first = await migrate(db.sql);
    expect(first.applied).toContain('001.do.initial.sql');
    expect(first.version).toBeGreaterThanOrEqual(1);

    const second = await migrate(db.sql);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(first.version);

    const tables = await db.sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['accounts', 'api_keys', 'events', 'sessions', 'users', 'visitors']),
    );
  });

  it('runs safely when two callers race', async () => {
    const results = await Promise.all([migrate(db.sql), migrate(db.sql)]);
    expect(results.every((r) => r.applied.length === 0)).toBe(true);
  });

  it('starts every primary and unique key of a tenant table with account_id', async () => {
    const keys = await db.sql<{ table_name: string; constraint_name: string; first_column: string }[]>`
      SELECT c.conrelid::regclass::text AS table_name, c.conname AS constraint_name,
             a.attname AS first_column
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype IN ('p', 'u') AND c.connamespace = 'public'::regnamespace
        AND c.conrelid IN (
          -- Every tenant table, found rather than listed: any table with an account_id column.
          SELECT attrelid FROM pg_attribute WHERE attname = 'account_id' AND NOT attisdropped
        )`;
    // api_keys.key_digest is the documented exception: authentication looks a key up before it knows the account.
    const offenders = keys.filter(
      (k) => k.first_column !== 'account_id' && k.constraint_name !== 'api_keys_key_digest_key',
    );
    expect(new Set(keys.map((k) => k.table_name))).toEqual(new Set(['users', 'api_keys', 'visitors', 'sessions', 'events']));
    expect(keys.length).toBeGreaterThanOrEqual(6);
    expect(offenders).toEqual([]);
  });
});
