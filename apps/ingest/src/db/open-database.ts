import type { Logger } from 'pino';
import postgres, { type Sql } from 'postgres';
import type { Config } from '../config.js';

/** An open database: the postgres.js client plus how to close it. */
export interface Database {
  sql: Sql;
  kind: 'postgres' | 'embedded';
  /** The embedded database's data folder (absolute); unset for DATABASE_URL. */
  dataDir?: string;
  /** Ends the pool (waits up to 5 s for running queries) and stops the embedded database if any. */
  close(): Promise<void>;
}

/** Options for the postgres.js pool behind `DATABASE_URL`. */
export function postgresOptions(
  config: Pick<Config, 'databasePoolMax'>,
): postgres.Options<Record<string, postgres.PostgresType>> {
  return {
    max: config.databasePoolMax,
    // Short so that an unreachable database turns into a 503 quickly instead of a hanging request.
    connect_timeout: 1,
    // A short constant reconnect delay (postgres.js grows it as 3^n/100 s up to 20 s by default, and a
    // query handed to a connection waiting to reconnect just waits): while the database is down each
    // query fails within ~0.1 s + connect_timeout and the request gets a 503 with Retry-After.
    backoff: () => 0.1,
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: 'mbuzz-ingest' },
  };
}

/**
 * Opens the database named by the config: a postgres.js pool for `DATABASE_URL`, otherwise the embedded
 * PGlite database under `MBUZZ_DATA_DIR`. Does not migrate.
 *
 * @example
 * const db = await openDatabase(loadConfig(), logger);
 * await migrate(db.sql);
 * // …
 * await db.close();
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl !== undefined) {
    const sql = postgres(config.databaseUrl, postgresOptions(config));
    const { host, port, pathname } = new URL(config.databaseUrl);
    // Host and database name only: the URL may carry a password.
    logger.info({ host, port, database: pathname.slice(1) }, 'using Postgres from DATABASE_URL');
    return { sql, kind: 'postgres', close: () => sql.end({ timeout: 5 }) };
  }

  // ── Embedded branch (owned by the embedded-database module in ./embedded/) ──
  return openEmbedded(config, logger);
}

async function openEmbedded(config: Config, logger: Logger): Promise<Database> {
  // Loaded on demand: a service on DATABASE_URL never touches PGlite.
  const { openEmbeddedDatabase } = await import('./embedded/open-embedded-database.js');
  return openEmbeddedDatabase(config, logger);
}
