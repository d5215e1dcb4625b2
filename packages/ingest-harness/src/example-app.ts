import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, type ChildService, type SpawnServiceOptions, spawnService } from './child-service.js';
import { freePort } from './free-port.js';
import { exampleDir } from './paths.js';

export type ExampleName = 'express' | 'koa' | 'fastify' | 'next';

/** One running example app (examples/<name>) configured to send to an ingest service. */
export interface ExampleApp {
  readonly name: ExampleName;
  readonly service: ChildService;
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly origin: string;
  /** Exit statuses that mean "shut down cleanly": 0, or 143 for a bare `next start` (128 + SIGTERM, by design). */
  readonly cleanExitCodes: Array<number | string>;
  /**
   * SIGTERM, then wait for the exit. The adapter's signal hook flushes the queue before exiting, so
   * once this resolves every event the app recorded has been answered by ingest. Resolves the exit code.
   */
  stop(): Promise<number | string>;
}

export interface ExampleAppOptions extends Pick<SpawnServiceOptions, 'detached' | 'onStderr'> {
  apiUrl: string;
  apiKey: string;
  /** Small, so that events leave while the visitor is still browsing (default 200). */
  flushIntervalMs?: number;
  /** Default: a free one. */
  port?: number;
}

/**
 * Starts `examples/<name>/server.js` (Next: its server.js if it has one, else `next start` on the
 * `next build` output) and waits for it to listen.
 *
 * @example
 * const app = await startExampleApp('express', { apiUrl: ingest.apiUrl, apiKey: ingest.apiKey });
 */
export async function startExampleApp(name: ExampleName, options: ExampleAppOptions): Promise<ExampleApp> {
  const dir = exampleDir(name);
  const port = options.port ?? (await freePort());
  const env = {
    ...baseEnv(),
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    MBUZZ_API_URL: options.apiUrl,
    MBUZZ_API_KEY: options.apiKey,
    MBUZZ_FLUSH_INTERVAL_MS: String(options.flushIntervalMs ?? 200),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const serverJs = join(dir, 'server.js');
  const usesNextStart = name === 'next' && !existsSync(serverJs);
  if (!usesNextStart && !existsSync(serverJs)) {
    throw new Error(`${serverJs} is missing`);
  }
  if (name === 'next' && !existsSync(join(dir, '.next', 'BUILD_ID'))) {
    throw new Error(`examples/next has no build: run \`pnpm turbo run build --filter=@mbuzz/example-next\``);
  }
  const args = usesNextStart
    ? [join(dir, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)]
    : [serverJs];
  const service = spawnService({
    name: `example ${name}`,
    command: process.execPath,
    args,
    env,
    cwd: dir,
    detached: options.detached,
    onStderr: options.onStderr,
  });
  // `next start` prints "Ready in"; every other example prints exactly `listening on http://HOST:PORT`.
  await service.waitFor(usesNextStart ? /Ready in|listening on http/ : /listening on http:\/\/\S+/, 120_000);
  return {
    name,
    service,
    origin: `http://127.0.0.1:${port}`,
    cleanExitCodes: usesNextStart ? [0, 143] : [0],
    stop: () => service.stop('SIGTERM'),
  };
}
