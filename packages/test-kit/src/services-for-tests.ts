import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';
import { isCi } from './is-ci.js';

// The servers some tests need — Postgres for the database tests, Redis for the shared rate limit — found
// the way the browser is (find-chromium.ts): when none answers the tests are skipped with one line saying
// how to get one, except when `CI` is set, where they run and fail with that line. No vitest import here:
// @mbuzz/ingest-harness uses it outside tests too (bench:ingest, reliability).

type Env = Record<string, string | undefined>;

/** The Postgres the database tests create their databases on when `TEST_DATABASE_URL` is unset. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The Redis the rate-limit tests use when `TEST_REDIS_URL` is unset. */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** `TEST_DATABASE_URL`, else {@link DEFAULT_TEST_DATABASE_URL}. */
export function testDatabaseUrl(env: Env = process.env): string {
  return env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
}

/** `TEST_REDIS_URL`, else {@link DEFAULT_TEST_REDIS_URL}. */
export function testRedisUrl(env: Env = process.env): string {
  return env.TEST_REDIS_URL?.trim() || DEFAULT_TEST_REDIS_URL;
}

/** Where a server of a URL listens: a TCP host and port, or a unix socket. */
export type ServiceAddress = { host: string; port: number } | { path: string };

/**
 * The address a client of `url` connects to. A Postgres URL may name a unix socket directory in its
 * `host` parameter (`postgres:///db?host=/var/run/postgresql`): the socket is `.s.PGSQL.<port>` in it.
 */
export function serviceAddress(url: string, defaultPort: number): ServiceAddress {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : defaultPort;
  const hostParam = parsed.searchParams.get('host') ?? '';
  if (hostParam.startsWith('/')) return { path: `${hostParam.replace(/\/$/, '')}/.s.PGSQL.${port}` };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || hostParam || 'localhost';
  return { host, port };
}

/** `127.0.0.1:5432`, or the socket path. */
export function describeAddress(address: ServiceAddress): string {
  if ('path' in address) return address.path;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Resolves true when something accepts a connection at `address` within `timeoutMs`. */
export function probe(address: ServiceAddress, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(address);
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What a test file (or a project's config) needs to know about a server before it declares its tests. */
export interface ServiceForTests {
  /** `Postgres`, `Redis`. */
  readonly name: string;
  /** The URL the tests use. */
  readonly url: string;
  /** Where it was looked for, e.g. `127.0.0.1:5432`. */
  readonly address: string;
  /** Something accepted a connection there. */
  readonly available: boolean;
  /** True when nothing answers and `CI` is not set: the tests that need it are skipped. */
  readonly skip: boolean;
  /** Why it is missing and how to get one (empty when it answers). */
  readonly missing: string;
}

interface ServiceSpec {
  name: string;
  /** The variable that names another server. */
  variable: string;
  url: string;
  defaultPort: number;
  /** Starts the one line printed when the tests are skipped, e.g. `database tests skipped`. */
  skippedLine: string;
}

// One probe and one line per process and server, however many vitest projects ask (each project's config
// is loaded in the same main process, each bundled on its own: module state would not be shared).
const CACHE = Symbol.for('@mbuzz/test-kit:services-for-tests');
type Cache = Map<string, Promise<ServiceForTests>>;
const cache = (): Cache => {
  const holder = globalThis as { [CACHE]?: Cache };
  holder[CACHE] ??= new Map();
  return holder[CACHE];
};

async function serviceForTests(spec: ServiceSpec, env: Env): Promise<ServiceForTests> {
  const ci = isCi(env);
  const key = `${spec.name} ${spec.url} ${ci}`;
  const cached = cache().get(key);
  if (cached) return cached;
  const found = (async (): Promise<ServiceForTests> => {
    const address = describeAddress(serviceAddress(spec.url, spec.defaultPort));
    const base = { name: spec.name, url: spec.url, address };
    if (await probe(serviceAddress(spec.url, spec.defaultPort))) {
      return { ...base, available: true, skip: false, missing: '' };
    }
    const what = `no ${spec.name} at ${address} — start one or set ${spec.variable}`;
    if (ci) return { ...base, available: false, skip: false, missing: `CI is set and ${what}` };
    console.warn(`${spec.skippedLine}: ${what}`);
    return { ...base, available: false, skip: true, missing: what };
  })();
  cache().set(key, found);
  return found;
}

/**
 * The Postgres of the database tests (`TEST_DATABASE_URL`, else {@link DEFAULT_TEST_DATABASE_URL}).
 * When nothing answers there and `CI` is unset, prints once
 * `database tests skipped: no Postgres at 127.0.0.1:5432 — start one or set TEST_DATABASE_URL`.
 */
export function postgresForTests(env: Env = process.env): Promise<ServiceForTests> {
  return serviceForTests(
    {
      name: 'Postgres',
      variable: 'TEST_DATABASE_URL',
      url: testDatabaseUrl(env),
      defaultPort: 5432,
      skippedLine: 'database tests skipped',
    },
    env,
  );
}

/**
 * The Redis of the rate-limit tests (`TEST_REDIS_URL`, else {@link DEFAULT_TEST_REDIS_URL}). When nothing
 * answers there and `CI` is unset, prints once `Redis tests skipped: no Redis at … — start one or set
 * TEST_REDIS_URL`.
 */
export function redisForTests(env: Env = process.env): Promise<ServiceForTests> {
  return serviceForTests(
    {
      name: 'Redis',
      variable: 'TEST_REDIS_URL',
      url: testRedisUrl(env),
      defaultPort: 6379,
      skippedLine: 'Redis tests skipped',
    },
    env,
  );
}

/**
 * For a project's vitest config: the test files that need Postgres, to add to `exclude` — all of them
 * when no Postgres answers and `CI` is unset (after the one line saying so), else none.
 *
 * @example
 * exclude: [...configDefaults.exclude, ...(await excludeWithoutPostgres(['test/**\/*.test.ts']))],
 */
export async function excludeWithoutPostgres(files: readonly string[], env: Env = process.env) {
  return (await postgresForTests(env)).skip ? [...files] : [];
}

/**
 * The test files (`*.test.ts`) under `root` whose source contains `marker` — e.g. the import of the
 * database helper — as paths relative to `root`, for {@link excludeWithoutPostgres}. A new test file that
 * uses the helper is found without being listed anywhere.
 */
export function testFilesMentioning(root: string, marker: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) walk(path);
      else if (
        entry.isFile() &&
        entry.name.endsWith('.test.ts') &&
        readFileSync(path, 'utf8').includes(marker)
      )
        found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo']);

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOENT',
  'CONNECT_TIMEOUT',
]);

/**
 * The error of a failed connection to the tests' Postgres at `url`, in one line that says how to get
 * one (`no Postgres at 127.0.0.1:5999 (ECONNREFUSED) — start one or set TEST_DATABASE_URL`); any other
 * error as it is.
 */
export function explainPostgresError(error: unknown, url: string, env: Env = process.env): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !UNREACHABLE.has(code)) return error;
  const address = describeAddress(serviceAddress(url, 5432));
  const what = `no Postgres at ${address} (${code}) — start one or set TEST_DATABASE_URL`;
  return new Error(isCi(env) ? `CI is set and ${what}` : what, { cause: error });
}
