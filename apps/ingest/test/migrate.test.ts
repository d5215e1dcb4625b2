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
    // Unique indexes, not only constraints: an expression index such as lower(email) is unique without
    // being a constraint. first_column is null when the first key is an expression.
    const keys = await db.sql<{ table_name: string; index_name: string; first_column: string | null }[]>`
      SELECT i.indrelid::regclass::text AS table_name, i.indexrelid::regclass::text AS index_name,
             a.attname AS first_column
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid AND c.relnamespace = 'public'::regnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE i.indisunique
        AND i.indrelid IN (
          -- Every tenant table, found rather than listed: any table with an account_id column.
          SELECT attrelid FROM pg_attribute WHERE attname = 'account_id' AND NOT attisdropped
        )`;
    // The documented exceptions (docs/architecture.md, "Citus-ready keys"): both are looked up before the
    // account is known — an API key by its digest, a login by its email. Both tables are small reference tables.
    const exceptions = new Set(['api_keys_key_digest_key', 'users_email_unique']);
    const offenders = keys.filter((k) => k.first_column !== 'account_id' && !exceptions.has(k.index_name));
    expect(new Set(keys.map((k) => k.table_name))).toEqual(
      new Set([
        'users',
        'user_sessions',
        'api_keys',
        'visitors',
        'sessions',
        'events',
        'report_rollups',
        'report_event_rollups',
        'report_rollup_state',
        'report_dirty_hours',
        'report_touch_rollups',
        'report_touch_event_rollups',
        'report_visitor_touch_rollups',
        'report_visitor_touch_event_rollups',
      ]),
    );
    expect(keys.map((k) => k.index_name)).toEqual(expect.arrayContaining([...exceptions]));
    expect(offenders).toEqual([]);
  });
});
