import { randomBytes } from 'node:crypto';
import { explainPostgresError, testDatabaseUrl } from '@mbuzz/test-kit/services';
import postgres from 'postgres';

/** A database created for one test file (or run) and dropped afterwards. */
export interface FreshDatabase {
  readonly url: string;
  readonly name: string;
  /** A postgres.js client on the fresh database, for assertions (connects on first use). */
  readonly sql: postgres.Sql;
  /** Closes `sql` and drops the database. */
  drop(): Promise<void>;
}

export interface FreshDatabaseOptions {
  /** The server to create it on (default TEST_DATABASE_URL). */
  serverUrl?: string;
  /**
   * This exact name instead of `mbuzz_e2e_<label>_<random>`; a database of that name left by an
   * earlier run is dropped first (bench:ingest keeps its database for inspection until the next run).
   */
  name?: string;
}

/**
 * The server the tests create their databases on: TEST_DATABASE_URL, else local Postgres. The e2e files
 * that need it are left out when none answers (e2e/vitest.config.ts, @mbuzz/test-kit).
 */
export const TEST_DATABASE_URL = testDatabaseUrl();

/**
 * Creates an empty database named after `label` on TEST_DATABASE_URL's server (or `serverUrl`).
 *
 * @example
 * const db = await createFreshDatabase('express');
 * await db.sql`select 1`;
 * await db.drop();
 */
export async function createFreshDatabase(
  label: string,
  options: FreshDatabaseOptions = {},
): Promise<FreshDatabase> {
  const serverUrl = options.serverUrl ?? TEST_DATABASE_URL;
  const name =
    options.name ??
    `mbuzz_e2e_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, async (admin) => {
    if (options.name) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    name,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await onServer(serverUrl, (admin) => admin.unsafe(`drop database if exists "${name}" with (force)`));
    },
  };
}

async function onServer(serverUrl: string, run: (admin: postgres.Sql) => Promise<unknown>): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await run(admin);
  } catch (error) {
    throw explainPostgresError(error, serverUrl);
  } finally {
    await admin.end();
  }
}
