import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** A database created for one test file and dropped afterwards. */
export interface FreshDatabase {
  readonly url: string;
  readonly name: string;
  /** A postgres.js client on the fresh database, for assertions. */
  readonly sql: postgres.Sql;
  drop(): Promise<void>;
}

/** The server the e2e tests create their databases on (CI sets TEST_DATABASE_URL). */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Creates an empty database named after the test file on TEST_DATABASE_URL's server.
 *
 * @example
 * const db = await createFreshDatabase('express');
 * await db.sql`select 1`;
 * await db.drop();
 */
export async function createFreshDatabase(label: string): Promise<FreshDatabase> {
  const name = `mbuzz_e2e_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    name,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const dropper = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
