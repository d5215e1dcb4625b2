import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { migrate } from './db/migrate.js';
import { type Database, openDatabase } from './db/open-database.js';
import { createLogger } from './logger.js';
import { startRollupRefresher } from './reports/rollups.js';
import { loadOrCreateSessionSecret } from './users/session-secret.js';

export interface StartServerOptions {
  /** Defaults to a JSON logger at `config.logLevel` on stdout, with key material redacted. */
  logger?: Logger;
  /**
   * Run pending migrations before listening (default true). Safe with several instances: migrate()
   * holds an advisory lock. Pass false when migrations run as a separate deploy step.
   */
  migrate?: boolean;
  /** Install SIGTERM/SIGINT handlers that close gracefully and exit 0 (default true). */
  handleSignals?: boolean;
  /** How long close() waits for in-flight requests before ending the pool anyway (default 10 000 ms). */
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  database: Database;
  /** Stops accepting, answers in-flight requests (new ones get 503), then closes the pool. Idempotent. */
  close(): Promise<void>;
}

/**
 * Owns the process side of the service: opens the database, migrates, listens, and shuts down gracefully.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * console.log(server.url);
 */
export async function startServer(config: Config, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const database = await openDatabase(config, logger);
  let app: FastifyInstance | undefined;
  try {
    if (options.migrate !== false) {
      const { applied, version } = await migrate(database.sql);
      logger.info({ applied, version }, applied.length ? 'migrations applied' : 'schema up to date');
    }
    app = buildApp({ config: withSessionSecrets(config, database, logger), sql: database.sql, logger });
    const url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url, database: database.kind }, 'mbuzz ingest listening');

    const refresher =
      config.reportRollupIntervalMs > 0
        ? startRollupRefresher(database.sql, { intervalMs: config.reportRollupIntervalMs, logger })
        : null;

    const listening = app;
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (refresher?.stop() ?? Promise.resolve()).then(() =>
        shutDown(listening, database, logger, options.shutdownTimeoutMs ?? 10_000),
      );
      return closing;
    };

    if (options.handleSignals !== false) {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'shutting down');
        close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ error: String(error) }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    return { app, url, database, close };
  } catch (error) {
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}

/**
 * SESSION_SECRET, else for the embedded database a generated one kept in its data folder (demo logins
 * survive restarts), else none: buildApp() then signs with a random secret of this process, and says so.
 */
function withSessionSecrets(config: Config, database: Database, logger: Logger): Config {
  if (config.sessionSecrets) return config;
  if (database.dataDir) return { ...config, sessionSecrets: [loadOrCreateSessionSecret(database.dataDir)] };
  logger.warn(
    'SESSION_SECRET is not set: dashboard logins end when this process restarts and work only on this ' +
      'instance; set SESSION_SECRET (32+ random characters, the same on every instance)',
  );
  return config;
}

async function shutDown(app: FastifyInstance, database: Database, logger: Logger, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  // app.close(): preClose flips the app to 503, the listener stops, in-flight requests finish.
  const outcome = await Promise.race([app.close().then(() => 'closed' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') logger.warn({ timeoutMs }, 'in-flight requests still running at the deadline');
  await database.close();
  logger.info('shut down');
}
