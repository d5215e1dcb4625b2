import type { Logger } from 'pino';
import type { DataDirLock } from './data-dir-lock.js';
import { type EmbeddedAddress, type EmbeddedServer, startEmbeddedServer } from './start-embedded-server.js';

/** The embedded database child, kept running. */
export interface EmbeddedSupervisor {
  /** Stable across restarts (same socket path, or same TCP port), so the client reconnects by itself. */
  readonly address: EmbeddedAddress;
  /** Stops restarting and stops the child cleanly. */
  stop(): Promise<void>;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * Starts the PGlite child and restarts it whenever it dies, with backoff. While it is down, queries
 * fail to connect and the service answers 503; once it is back, the same connection settings work again
 * and requests succeed without a restart of the service.
 *
 * @example
 * const supervisor = await superviseEmbeddedServer(dataDir, lock, logger);
 * // … postgres({ path: supervisor.address.path }) …
 * await supervisor.stop();
 */
export async function superviseEmbeddedServer(
  dataDir: string,
  lock: DataDirLock,
  logger: Logger,
): Promise<EmbeddedSupervisor> {
  let current: EmbeddedServer = await startEmbeddedServer(dataDir);
  lock.setChildPid(current.pid);
  const address = current.address;
  const port = 'port' in address ? address.port : undefined;
  let stopping = false;
  let restarting: Promise<void> | undefined;

  const restart = async (exitCode: number | null) => {
    logger.error(
      { exitCode },
      'the embedded database process exited; restarting it (requests get 503 meanwhile)',
    );
    for (let delay = FIRST_RETRY_MS; !stopping; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      if (stopping) return;
      try {
        current = await startEmbeddedServer(dataDir, port === undefined ? {} : { port });
        lock.setChildPid(current.pid);
        watch(current);
        logger.warn('the embedded database is back');
        return;
      } catch (error) {
        logger.error({ error: String(error), retryInMs: delay * 2 }, 'the embedded database did not restart');
      }
    }
  };
  const watch = (server: EmbeddedServer) => {
    void server.exited.then((code) => {
      if (!stopping) restarting = restart(code);
    });
  };
  watch(current);

  return {
    address,
    async stop() {
      stopping = true;
      await restarting;
      await current.stop();
    },
  };
}
