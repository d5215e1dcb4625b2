import pino from 'pino';
import type { Sql } from 'postgres';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { CliError } from './describe-error.js';

// postgres.js retries a connection that opens but never completes the handshake (something else on
// that port) without ever failing the query; a command must not hang on it.
const CONNECT_DEADLINE_MS = 10_000;

/**
 * Opens the configured database for one CLI command, runs `fn`, and closes it. The embedded database is
 * migrated first (it has no separate deploy step); a DATABASE_URL one is migrated only by `migrate`.
 *
 * @example
 * const accounts = await withDatabase((sql) => listAccounts(sql));
 */
export async function withDatabase<T>(
  fn: (sql: Sql, kind: 'postgres' | 'embedded') => Promise<T>,
  options: { migrateEmbedded?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<T> {
  const config = loadConfig(options.env ?? process.env);
  // CLI output is the result; boot chatter (which database, …) would drown it. Warnings still show.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const db = await openDatabase(config, logger);
  let answered = false;
  try {
    await withDeadline(probe(db.sql, CONNECT_DEADLINE_MS - 1000), CONNECT_DEADLINE_MS);
    answered = true;
    if (db.kind === 'embedded' && options.migrateEmbedded !== false) await migrate(db.sql);
    return await fn(db.sql, db.kind);
  } finally {
    // A pool stuck connecting may not end cleanly; the CLI exits when the command returns anyway.
    if (answered) await db.close();
    else void db.close().catch(() => {});
  }
}

/** First query; a connect timeout (a busy server, a 1 s limit) is tried again until the deadline. */
async function probe(sql: Sql, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await sql`SELECT 1`;
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'CONNECT_TIMEOUT' || Date.now() >= until) throw error;
    }
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `cannot reach the database: no answer within ${ms / 1000} s; is DATABASE_URL right and the server up?`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
