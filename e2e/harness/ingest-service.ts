import { baseEnv, type ChildService, spawnService } from './child-service.js';
import { freePort } from './free-port.js';
import { createFreshDatabase, type FreshDatabase } from './fresh-database.js';
import { INGEST_CLI, REPO_ROOT } from './paths.js';
import { runIngestCli } from './run-ingest-cli.js';

/** A real ingest service on a fresh, migrated database, with one account and a test key. */
export interface IngestService {
  readonly db: FreshDatabase;
  readonly service: ChildService;
  /** Base URL including `/api/v1`, as the SDK's MBUZZ_API_URL. */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly accountId: string;
  /** SIGTERM, wait for exit, drop the database. */
  stop(): Promise<void>;
}

interface AccountJson {
  id?: string;
  account?: { id?: string };
}
interface KeyJson {
  key?: string;
  api_key?: string;
  apiKey?: string;
}

/**
 * Creates a database, migrates it and starts `mbuzz-ingest serve` on it, then creates an account and
 * a test API key through the CLI, as an operator would.
 *
 * @example
 * const ingest = await startIngestService('express');
 * // ... MBUZZ_API_URL=ingest.apiUrl, MBUZZ_API_KEY=ingest.apiKey
 * await ingest.stop();
 */
export async function startIngestService(label: string): Promise<IngestService> {
  const db = await createFreshDatabase(label);
  const port = await freePort();
  const env = {
    ...baseEnv(),
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  let service: ChildService | undefined;
  try {
    await runIngestCli(['migrate'], env);
    const account = await runIngestCli<AccountJson>(
      ['accounts', 'create', '--name', `e2e ${label}`, '--json'],
      env,
    );
    const accountId = account.id ?? account.account?.id;
    if (!accountId) throw new Error(`accounts create --json printed no id: ${JSON.stringify(account)}`);
    const created = await runIngestCli<KeyJson>(
      ['keys', 'create', '--account', accountId, '--environment', 'test', '--json'],
      env,
    );
    const apiKey = created.key ?? created.api_key ?? created.apiKey;
    if (!apiKey) throw new Error(`keys create --json printed no key: ${JSON.stringify(created)}`);

    service = spawnService({
      name: `ingest(${label})`,
      command: process.execPath,
      args: [INGEST_CLI, 'serve'],
      env,
      cwd: REPO_ROOT,
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealth(`${baseUrl}/api/v1/health`, service);
    const running = service;
    return {
      db,
      service: running,
      apiUrl: `${baseUrl}/api/v1`,
      apiKey,
      accountId,
      async stop() {
        const code = await running.stop('SIGTERM');
        await db.drop();
        if (code !== 0) throw new Error(`ingest exited with ${code}:\n${running.output()}`);
      },
    };
  } catch (error) {
    service?.kill();
    await db.drop().catch(() => {});
    throw error;
  }
}

async function waitForHealth(url: string, service: ChildService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) {
      throw new Error(`${service.name} exited (${service.process.exitCode}):\n${service.output()}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms (${last}):\n${service.output()}`);
}
