import { baseEnv, type ChildService, spawnService } from './child-service.js';
import { freePort } from './free-port.js';
import { createFreshDatabase, type FreshDatabase } from './fresh-database.js';
import { createTenant, databaseEnv, type IngestDatabase, type Tenant } from './ingest-cli.js';
import { builtIngestCli, REPO_ROOT } from './paths.js';

/** One `mbuzz-ingest serve` child process (the built CLI), answering on 127.0.0.1. */
export interface Ingest {
  readonly service: ChildService;
  readonly port: number;
  /** e.g. `http://127.0.0.1:41234` */
  readonly baseUrl: string;
  /** `${baseUrl}/api/v1`, as the SDK's apiUrl (MBUZZ_API_URL). */
  readonly apiUrl: string;
  /** Sends `signal` (SIGTERM by default) and resolves the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface StartIngestOptions {
  /** Names the process in errors. */
  name: string;
  /** A Postgres URL, or `{ dataDir }` for the embedded database (which only one process may open). */
  database: IngestDatabase;
  /** A port of choice (a restart at the same address, a fixed demo port); default: a free one. */
  port?: number;
  /**
   * Extra environment, over the defaults: LOG_LEVEL=warn and the rate limit out of the way
   * (RATE_LIMIT_MAX=1000000000), which only a run about rate limiting wants to meet. A variable set to
   * `undefined` is left out (`RATE_LIMIT_MAX: undefined`: the service's own limit).
   */
  env?: Record<string, string | undefined>;
  /**
   * Ready only once `GET /api/v1/validate` accepts this key, not at the first healthy answer: proves
   * that the service answering is this one and not another already on the port.
   */
  apiKey?: string;
  /** Its own process group: a terminal's Ctrl-C reaches only the caller, which stops it in order. */
  detached?: boolean;
  /** Each chunk the service writes to stderr (it is also kept in `service.output()`). */
  onStderr?: (text: string) => void;
}

/**
 * Starts the built ingest service on `database` and resolves once it is ready (`/api/v1/health`
 * answers 200, and with `apiKey`, the key is accepted). The database must be migrated first if
 * accounts are to be made before it starts (`createTenant` does it).
 *
 * @example
 * const tenant = await createTenant(db.url, 'load');
 * const ingest = await startIngest({ name: 'ingest(load)', database: db.url });
 * await ingest.stop();
 */
export async function startIngest(options: StartIngestOptions): Promise<Ingest> {
  const cli = builtIngestCli();
  const port = options.port ?? (await freePort());
  const env: Record<string, string | undefined> = {
    ...baseEnv(),
    ...databaseEnv(options.database),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000000',
    ...options.env,
  };
  const service = spawnService({
    name: options.name,
    command: process.execPath,
    args: [cli, 'serve'],
    env,
    cwd: REPO_ROOT,
    detached: options.detached,
    onStderr: options.onStderr,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(service, `${baseUrl}/api/v1`, options.apiKey);
  } catch (error) {
    service.kill();
    throw error;
  }
  return {
    service,
    port,
    baseUrl,
    apiUrl: `${baseUrl}/api/v1`,
    stop: (signal = 'SIGTERM') => service.stop(signal),
  };
}

/** An ingest service on a database of its own, with one account and a test key. */
export interface IngestOnFreshDatabase extends Ingest {
  readonly db: FreshDatabase;
  readonly tenant: Tenant;
  /** SIGTERM, wait for the exit, drop the database; rejects unless the service exited 0. */
  stopAndDrop(): Promise<void>;
}

/**
 * Creates a database on TEST_DATABASE_URL's server, migrates it, creates an account and a test key
 * through the CLI as an operator would, and starts the service on it.
 *
 * @example
 * const ingest = await startIngestOnFreshDatabase('express');
 * // ... MBUZZ_API_URL=ingest.apiUrl, MBUZZ_API_KEY=ingest.tenant.apiKey
 * await ingest.stopAndDrop();
 */
export async function startIngestOnFreshDatabase(
  label: string,
  options: Omit<StartIngestOptions, 'name' | 'database'> = {},
): Promise<IngestOnFreshDatabase> {
  const db = await createFreshDatabase(label);
  try {
    const tenant = await createTenant(db.url, `e2e ${label}`);
    const ingest = await startIngest({ ...options, name: `ingest(${label})`, database: db.url });
    return {
      ...ingest,
      db,
      tenant,
      async stopAndDrop() {
        const code = await ingest.stop('SIGTERM');
        await db.drop();
        if (code !== 0)
          throw new Error(`${ingest.service.name} exited with ${code}:\n${ingest.service.output()}`);
      },
    };
  } catch (error) {
    await db.drop().catch(() => {});
    throw error;
  }
}

/** Polls until the service answers 200 (and accepts `apiKey`); fails early with its output if it exits. */
async function waitUntilReady(
  service: ChildService,
  apiUrl: string,
  apiKey: string | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null || service.process.signalCode !== null) {
      const code = service.process.exitCode ?? service.process.signalCode;
      throw new Error(`${service.name} exited (${code}) before it was ready:\n${service.output()}`);
    }
    let refused: number | undefined;
    try {
      const health = await fetch(`${apiUrl}/health`);
      last = `${health.status} ${await health.text()}`;
      if (health.ok) {
        if (apiKey === undefined) return;
        const validate = await fetch(`${apiUrl}/validate`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        await validate.arrayBuffer();
        if (validate.ok) return;
        refused = validate.status;
      }
    } catch (error) {
      last = (error as Error).message;
    }
    if (refused !== undefined) {
      throw new Error(
        `${apiUrl} refuses the key (${refused}): another service answers on port ${new URL(apiUrl).port}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${apiUrl}/health not ready within ${timeoutMs} ms (${last}):\n${service.output()}`);
}
