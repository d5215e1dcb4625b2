import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The built ingest CLI (`pnpm bench:ingest` builds it first). */
const CLI = fileURLToPath(new URL('../../apps/ingest/dist/cli.js', import.meta.url));

export interface IngestService {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then waits for the graceful exit. */
  stop(): Promise<void>;
}

/**
 * Runs one `mbuzz-ingest` command against `databaseUrl` and returns its `--json` result.
 *
 * @example
 * const { key } = await ingestCli(url, ['keys', 'create', '--account', 'bench', '--environment', 'live']);
 */
export async function ingestCli<T>(databaseUrl: string, args: string[]): Promise<T> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args, '--json'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  return JSON.parse(stdout) as T;
}

/**
 * Starts `mbuzz-ingest serve` as its own process on a free port, as in production: DATABASE_URL,
 * warnings-only logging, and a rate limit high enough never to answer 429 during the run.
 */
export function startIngestService(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<IngestService> {
  const child = spawn(process.execPath, [CLI, 'serve', '--json'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /"url": "([^"]+)"/.exec(stdout)?.[1];
      if (url) {
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({
          url,
          process: child,
          async stop() {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`mbuzz-ingest serve exited with ${code}: ${stdout}`)));
  });
}
