import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Sql } from 'postgres';
import { backfillAttribution } from './backfill-attribution.js';

/** Result of {@link migrate}. */
export interface MigrateResult {
  /** Names of the migrations applied by this call, in order (e.g. `001.do.initial.sql`). */
  applied: string[];
  /** Schema version after the call. */
  version: number;
}

// Same relative path from src/db/migrate.ts (tests, tsx) and from dist/*.js (tsup copies the folder to
// dist/migrations in onSuccess), so the built service finds its SQL without knowing the package root.
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_ID = 4_242_001; // pg_advisory_lock key: one migrator at a time across instances

/**
 * Brings the schema to the newest version with postgrator. Forward-only; each migration file runs in its
 * own transaction, and an advisory lock makes concurrent callers wait instead of racing. Then the
 * pending data backfills run (e.g. channels of sessions stored before 003).
 *
 * @example
 * const { applied, version } = await migrate(sql);
 */
export async function migrate(sql: Sql, options: { migrationsDir?: string } = {}): Promise<MigrateResult> {
  const dir = (options.migrationsDir ?? MIGRATIONS_DIR).replaceAll('\\', '/').replace(/\/$/, '');
  const conn = await sql.reserve();
  try {
    await conn.unsafe(`SELECT pg_advisory_lock(${LOCK_ID})`);
    try {
      const postgrator = new Postgrator({
        driver: 'pg',
        schemaTable: 'schema_migrations',
        migrationPattern: `${dir}/*.do.*.sql`,
        execQuery: async (query) => ({ rows: Array.from(await conn.unsafe(query)) }),
        execSqlScript: async (script) => {
          await conn.unsafe('BEGIN');
          try {
            await conn.unsafe(script).simple();
            await conn.unsafe('COMMIT');
          } catch (error) {
            await conn.unsafe('ROLLBACK');
            throw error;
          }
        },
      });
      const applied = await postgrator.migrate();
      // Data fixes that need TypeScript (see 003): still under the lock, so one migrator runs them.
      await backfillAttribution(conn);
      return {
        applied: applied.map((m) => m.filename.split('/').pop() ?? m.filename),
        version: await postgrator.getDatabaseVersion(),
      };
    } finally {
      await conn.unsafe(`SELECT pg_advisory_unlock(${LOCK_ID})`);
    }
  } finally {
    conn.release();
  }
}
