import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { formatDemoBanner } from '../demo/format-demo-banner.js';
import { type DemoSeed, seedDemo } from '../demo/seed-demo.js';
import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { createOutput } from './output.js';

/**
 * `serve`: starts the service and runs until SIGTERM or SIGINT (then exits 0 after a graceful close).
 * On the embedded database it also seeds the demo account (a test key and the dashboard's admin
 * demo@mbuzz.local) on first start and prints how to use it; it always prints the dashboard's URL.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the ingest service (embedded database unless DATABASE_URL is set)')
    .action(async (_options: unknown, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const config = loadConfig(process.env);
      const logger = createLogger(config);
      const server = await startServer(config, { logger, handleSignals: false });
      const stopped = untilSignal(() => server.close());

      let seed: DemoSeed | undefined;
      if (server.database.kind === 'embedded') seed = await seedDemo(server.database.sql);
      out.result(
        {
          url: server.url,
          database: server.database.kind,
          dashboard: config.dashboard ? `${server.url}/` : null,
          ...(seed?.created
            ? {
                demo: {
                  account: seed.account.slug,
                  key: seed.key,
                  prefix: seed.prefix,
                  email: seed.user.email,
                  password: seed.user.password,
                },
              }
            : {}),
        },
        () => formatDemoBanner(seed, server.url, { dashboard: config.dashboard }),
      );
      await stopped;
    });
}

/** Resolves once `close` has finished after the first SIGTERM/SIGINT; a second signal exits at once. */
function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = false;
    const onSignal = () => {
      if (received) process.exit(1);
      received = true;
      close().then(resolve, reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
