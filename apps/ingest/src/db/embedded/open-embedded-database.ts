import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import postgres, { type Sql } from 'postgres';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { EmbeddedAddress } from './start-embedded-server.js';
import { type EmbeddedSupervisor, superviseEmbeddedServer } from './supervise-embedded-server.js';

/** The embedded database, opened: same shape as `openDatabase()`'s result. */
export interface EmbeddedDatabase {
  sql: Sql;
  kind: 'embedded';
  /** Absolute path of the data directory. */
  dataDir: string;
  /** Ends the connection, stops the child (PGlite closed cleanly, data on disk) and releases the lock. */
  close(): Promise<void>;
}

/**
 * Resolves `MBUZZ_DATA_DIR`. A relative path is taken from where the user typed the command: pnpm runs
 * package scripts inside apps/ingest but sets INIT_CWD to the directory it was invoked from, so
 * `pnpm start` and `pnpm ingest …` at the repo root both use `<repo>/.mbuzz/data`.
 */
export function resolveDataDir(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return resolve(env.INIT_CWD || process.cwd(), dataDir);
}

/**
 * Opens the embedded database: PGlite in a child process behind pglite-socket, one connection on
 * both sides. Only one process may open a data directory at a time (a pid lock file guards it).
 *
 * @example
 * const db = await openEmbeddedDatabase({ dataDir: '.mbuzz/data' }, logger);
 * await db.sql`select 1`;
 * await db.close();
 */
export async function openEmbeddedDatabase(
  config: { dataDir: string },
  logger: Logger,
): Promise<EmbeddedDatabase> {
  const dataDir = resolveDataDir(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireDataDirLock(dataDir);
  let server: EmbeddedSupervisor;
  try {
    server = await superviseEmbeddedServer(dataDir, lock, logger);
  } catch (error) {
    lock.release();
    throw error;
  }
  logger.info(
    { dataDir },
    'using the embedded database (PGlite): for trying mbuzz out and for tests only — one process, no fsync; ' +
      'production uses DATABASE_URL',
  );

  let closing: Promise<void> | undefined;
  const sql = postgres({
    ...connectionOptions(server.address),
    username: 'postgres',
    database: 'postgres',
    // PGlite is single-connection: the socket server accepts exactly one client.
    max: 1,
    max_lifetime: 0,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: 'mbuzz-ingest' },
  });

  return {
    sql,
    kind: 'embedded',
    dataDir,
    close() {
      closing ??= (async () => {
        try {
          await sql.end({ timeout: 5 });
          await server.stop();
        } finally {
          lock.release();
        }
      })();
      return closing;
    },
  };
}

function connectionOptions(address: EmbeddedAddress): { path: string } | { host: string; port: number } {
  return 'path' in address ? { path: address.path } : { host: address.host, port: address.port };
}
