import { baseEnv, type ChildService, spawnService } from '../../e2e/harness/child-service.js';
import { freePort } from '../../e2e/harness/free-port.js';
import { INGEST_CLI, REPO_ROOT } from '../../e2e/harness/paths.js';
import { runIngestCli } from '../../e2e/harness/run-ingest-cli.js';

/** One `node apps/ingest/dist/cli.js serve` child process. */
export interface IngestProcess {
  readonly service: ChildService;
  readonly port: number;
  /** e.g. `http://127.0.0.1:41234` */
  readonly baseUrl: string;
  /** `${baseUrl}/api/v1`, as the SDK's apiUrl. */
  readonly apiUrl: string;
  /** The environment it was started with (to start a twin, or the same one again). */
  readonly env: Record<string, string | undefined>;
  /** Sends `signal` (SIGTERM by default) and resolves the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface IngestProcessOptions {
  name: string;
  databaseUrl: string;
  /** Reuse a port (a restart at the same address); default: a free one. */
  port?: number;
  /**
   * Extra environment. By default the rate limit is out of the way (RATE_LIMIT_MAX=1000000000): the
   * scenarios that are not about rate limiting must not meet it.
   */
  env?: Record<string, string | undefined>;
}

/**
 * Starts the built ingest service on `databaseUrl` and waits until `/api/v1/health` answers 200.
 *
 * @example
 * const ingest = await startIngestProcess({ name: 'load', databaseUrl: db.url });
 * await ingest.stop();
 */
export async function startIngestProcess(options: IngestProcessOptions): Promise<IngestProcess> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string | undefined> = {
    ...baseEnv(),
    DATABASE_URL: options.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000000',
    ...options.env,
  };
  const service = spawnService({
    name: options.name,
    command: process.execPath,
    args: [INGEST_CLI, 'serve'],
    env,
    cwd: REPO_ROOT,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(`${baseUrl}/api/v1/health`, service);
  } catch (error) {
    service.kill();
    throw error;
  }
  return {
    service,
    port,
    baseUrl,
    apiUrl: `${baseUrl}/api/v1`,
    env,
    stop: (signal = 'SIGTERM') => service.stop(signal),
  };
}

/** Polls until the URL answers 200; fails early with the child's output if it exits. */
export async function waitForHealthy(url: string, service: ChildService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null || service.process.signalCode !== null) {
      throw new Error(`${service.name} exited before it was healthy:\n${service.output()}`);
    }
    try {
      const response = await fetch(url);
      last = `${response.status} ${await response.text()}`;
      if (response.ok) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms (${last}):\n${service.output()}`);
}

/** An account and an API key made by the CLI, as an operator would. */
export interface Tenant {
  accountId: string;
  apiKey: string;
  keyPrefix: string;
}

/**
 * `mbuzz-ingest migrate`, then `accounts create` and `keys create` with `--json`.
 *
 * @example
 * const tenant = await createTenant(db.url, 'load');
 */
export async function createTenant(
  databaseUrl: string,
  name: string,
  options: { migrate?: boolean; environment?: 'test' | 'live' } = {},
): Promise<Tenant> {
  const env = { ...baseEnv(), DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  if (options.migrate !== false) await runIngestCli(['migrate'], env);
  const account = await runIngestCli<{ id: string }>(['accounts', 'create', '--name', name, '--json'], env);
  const key = await runIngestCli<{ key: string; prefix: string }>(
    ['keys', 'create', '--account', account.id, '--environment', options.environment ?? 'test', '--json'],
    env,
  );
  return { accountId: account.id, apiKey: key.key, keyPrefix: key.prefix };
}

/** `mbuzz-ingest keys revoke <prefix> --account <id>`. */
export async function revokeKey(databaseUrl: string, tenant: Tenant): Promise<void> {
  const env = { ...baseEnv(), DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  await runIngestCli(['keys', 'revoke', tenant.keyPrefix, '--account', tenant.accountId, '--json'], env);
}
