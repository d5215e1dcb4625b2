import { randomBytes } from 'node:crypto';
import { explainPostgresError, testDatabaseUrl } from '@mbuzz/test-kit/services';
import postgres, { type Sql } from 'postgres';
import { migrate } from '../../src/db/migrate.js';

/**
 * The server the database tests create their databases on: TEST_DATABASE_URL, else local Postgres. The
 * files that need it are left out when none answers (apps/ingest/vitest.config.ts, @mbuzz/test-kit).
 */
export const TEST_DATABASE_URL = testDatabaseUrl();

export interface TestDatabase {
  /** Connection string of the fresh database. */
  url: string;
  /** A pool on it (max 8), already migrated unless `migrate: false`. */
  sql: Sql;
  /** Ends the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, uniquely named database on the server of TEST_DATABASE_URL, so each test file is
 * isolated from every other one running in parallel.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `mbuzz_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw explainPostgresError(error, TEST_DATABASE_URL);
  } finally {
    await admin.end();
  }

  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 8, onnotice: () => {} });
  if (options.migrate !== false) await migrate(sql);

  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const cleanup = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * Whether the test server can create the `hll` extension that report rollups need (Debian/Ubuntu:
 * postgresql-NN-hll; `.ci/run` installs it). Without it the service reads sessions only, and the rollup
 * tests are skipped with one line saying so (under `CI`, they fail).
 */
export async function rollupsAvailable(): Promise<boolean> {
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`SELECT 1 FROM pg_available_extensions WHERE name = 'hll'`;
    if (rows.length === 0) {
      if (process.env.CI) throw new Error('CI: the Postgres of TEST_DATABASE_URL has no hll extension');
      console.warn(
        'report rollup tests skipped: the Postgres of TEST_DATABASE_URL has no hll extension (install postgresql-NN-hll)',
      );
    }
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}
