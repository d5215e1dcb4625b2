import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { baseEnv } from './child-service.js';
import { builtIngestCli, REPO_ROOT } from './paths.js';

const execFileAsync = promisify(execFile);

/** Where the service keeps its data: a Postgres URL (`DATABASE_URL`), or an embedded database's folder. */
export type IngestDatabase = string | { dataDir: string };

/** An account made by the CLI. */
export interface Account {
  id: string;
  slug: string;
}

/** An account and an API key made by the CLI, as an operator would. */
export interface Tenant {
  accountId: string;
  apiKey: string;
  keyPrefix: string;
}

/** The variables that point the service or the CLI at `database` (no DATABASE_URL: the embedded one). */
export function databaseEnv(database: IngestDatabase): Record<string, string> {
  return typeof database === 'string' ? { DATABASE_URL: database } : { MBUZZ_DATA_DIR: database.dataDir };
}

/**
 * Runs one `mbuzz-ingest` command (the built CLI) on `database` to completion and returns its stdout;
 * with `--json` in `args`, the parsed JSON. Fails with the command's output when it exits non-zero.
 *
 * @example
 * const accounts = await runIngestCli<{ slug: string }[]>(db.url, ['accounts', 'list', '--json']);
 */
export async function runIngestCli<T = unknown>(database: IngestDatabase, args: string[]): Promise<T> {
  const cli = builtIngestCli();
  try {
    const { stdout } = await execFileAsync(process.execPath, [cli, ...args], {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), ...databaseEnv(database), LOG_LEVEL: 'warn' },
      timeout: 120_000,
    });
    return (args.includes('--json') ? parseLastJson(stdout) : stdout) as T;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `mbuzz-ingest ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

/** `mbuzz-ingest migrate`. */
export async function migrate(database: IngestDatabase): Promise<void> {
  await runIngestCli(database, ['migrate', '--json']);
}

/** `mbuzz-ingest accounts create --name <name>`. */
export async function createAccount(database: IngestDatabase, name: string): Promise<Account> {
  const account = await runIngestCli<Partial<Account>>(database, [
    'accounts',
    'create',
    '--name',
    name,
    '--json',
  ]);
  if (!account.id || !account.slug)
    throw new Error(`accounts create printed no id: ${JSON.stringify(account)}`);
  return { id: account.id, slug: account.slug };
}

/**
 * `mbuzz-ingest keys create --account <id or slug>` (a `test` key unless told); resolves the key, shown
 * only this once, and its prefix.
 */
export async function createKey(
  database: IngestDatabase,
  account: string,
  options: { environment?: 'test' | 'live'; description?: string; scope?: 'ingest' | 'read' } = {},
): Promise<{ key: string; prefix: string }> {
  const args = ['keys', 'create', '--account', account, '--environment', options.environment ?? 'test'];
  if (options.scope) args.push('--scope', options.scope);
  if (options.description) args.push('--description', options.description);
  const created = await runIngestCli<{ key?: string; prefix?: string }>(database, [...args, '--json']);
  if (!created.key || !created.prefix)
    throw new Error(`keys create printed no key: ${JSON.stringify(created)}`);
  return { key: created.key, prefix: created.prefix };
}

/**
 * `migrate` (unless `migrate: false`), then an account named `name` with one key.
 *
 * @example
 * const tenant = await createTenant(db.url, 'load');
 */
export async function createTenant(
  database: IngestDatabase,
  name: string,
  options: { migrate?: boolean; environment?: 'test' | 'live' } = {},
): Promise<Tenant> {
  if (options.migrate !== false) await migrate(database);
  const account = await createAccount(database, name);
  const key = await createKey(database, account.id, { environment: options.environment });
  return { accountId: account.id, apiKey: key.key, keyPrefix: key.prefix };
}

/** `mbuzz-ingest keys revoke <prefix> --account <id>`. */
export async function revokeKey(database: IngestDatabase, tenant: Tenant): Promise<void> {
  await runIngestCli(database, ['keys', 'revoke', tenant.keyPrefix, '--account', tenant.accountId, '--json']);
}

// Log lines (e.g. the embedded database announcing itself) may precede the JSON document.
function parseLastJson(stdout: string): unknown {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const lines = trimmed.split('\n').reverse();
    for (const line of lines) {
      try {
        return JSON.parse(line);
      } catch {}
    }
    const start = trimmed.indexOf('{');
    if (start >= 0) return JSON.parse(trimmed.slice(start));
    throw new Error(`no JSON in mbuzz-ingest output:\n${stdout}`);
  }
}
