import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_TEST_DATABASE_URL,
  excludeWithoutPostgres,
  explainPostgresError,
  postgresForTests,
  redisForTests,
  serviceAddress,
  testDatabaseUrl,
  testFilesMentioning,
  testRedisUrl,
} from './services-for-tests.js';

let listening: Server;
let openPort: number;
/** A port nothing listens on: one the OS handed out and that was closed again. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

beforeAll(async () => {
  listening = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  openPort = (listening.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => listening.close(resolve)));

const quietWarn = () => vi.spyOn(console, 'warn').mockImplementation(() => {});

describe('the URLs of the test services', () => {
  it('are TEST_DATABASE_URL and TEST_REDIS_URL, else the local servers', () => {
    expect(testDatabaseUrl({})).toBe(DEFAULT_TEST_DATABASE_URL);
    expect(testDatabaseUrl({ TEST_DATABASE_URL: ' ' })).toBe(DEFAULT_TEST_DATABASE_URL);
    expect(testDatabaseUrl({ TEST_DATABASE_URL: 'postgres://u@db:6543/x' })).toBe('postgres://u@db:6543/x');
    expect(testRedisUrl({})).toBe('redis://127.0.0.1:6379');
    expect(testRedisUrl({ TEST_REDIS_URL: 'redis://cache:7000' })).toBe('redis://cache:7000');
  });

  it('name the address a client connects to: host and port, or a unix socket', () => {
    expect(serviceAddress('postgres://postgres@127.0.0.1/postgres', 5432)).toEqual({
      host: '127.0.0.1',
      port: 5432,
    });
    expect(serviceAddress('postgres://u:p@[::1]:6543/x', 5432)).toEqual({ host: '::1', port: 6543 });
    expect(serviceAddress('postgres:///x?host=/var/run/postgresql/', 5432)).toEqual({
      path: '/var/run/postgresql/.s.PGSQL.5432',
    });
  });
});

describe('postgresForTests', () => {
  it('finds a server that answers', async () => {
    const warn = quietWarn();
    try {
      const url = `postgres://postgres@127.0.0.1:${openPort}/postgres`;
      expect(await postgresForTests({ TEST_DATABASE_URL: url })).toEqual({
        name: 'Postgres',
        url,
        address: `127.0.0.1:${openPort}`,
        available: true,
        skip: false,
        missing: '',
      });
      expect(await excludeWithoutPostgres(['test/**'], { TEST_DATABASE_URL: url })).toEqual([]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('skips with one line saying how to get one when none answers, however often it is asked', async () => {
    const warn = quietWarn();
    try {
      const env = { TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres` };
      expect(await postgresForTests(env)).toMatchObject({ available: false, skip: true });
      expect(await excludeWithoutPostgres(['test/**', 'src/cli.test.ts'], env)).toEqual([
        'test/**',
        'src/cli.test.ts',
      ]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toMatch(
        /^database tests skipped: no Postgres at 127\.0\.0\.1:\d+ — start one or set TEST_DATABASE_URL$/,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('does not skip when CI is set, so the missing server fails the run', async () => {
    const warn = quietWarn();
    try {
      const port = await closedPort();
      const env = { CI: 'true', TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` };
      const found = await postgresForTests(env);
      expect(found).toMatchObject({ available: false, skip: false });
      expect(found.missing).toBe(
        `CI is set and no Postgres at 127.0.0.1:${port} — start one or set TEST_DATABASE_URL`,
      );
      expect(await excludeWithoutPostgres(['test/**'], env)).toEqual([]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('redisForTests', () => {
  it('skips the Redis tests with one line when none answers', async () => {
    const warn = quietWarn();
    try {
      const port = await closedPort();
      expect(await redisForTests({ TEST_REDIS_URL: `redis://127.0.0.1:${port}` })).toMatchObject({
        name: 'Redis',
        skip: true,
        missing: `no Redis at 127.0.0.1:${port} — start one or set TEST_REDIS_URL`,
      });
      expect(warn.mock.calls).toEqual([
        [`Redis tests skipped: no Redis at 127.0.0.1:${port} — start one or set TEST_REDIS_URL`],
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('testFilesMentioning', () => {
  it('finds the test files that use a helper, wherever they are, and nothing under node_modules', () => {
    const root = mkdtempSync(join(tmpdir(), 'files-mentioning-'));
    try {
      const files: Record<string, string> = {
        'test/db.test.ts': "import { createTestDatabase } from './helpers/test-database.js';",
        'test/pure.test.ts': "import { it } from 'vitest';",
        'test/helpers/test-database.ts': 'export const helpers_test_database = 1; // helpers/test-database',
        'src/cli/cli.test.ts': "import { createTestDatabase } from '../../test/helpers/test-database.js';",
        'node_modules/x/a.test.ts': "import '../../test/helpers/test-database.js';",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      expect(testFilesMentioning(root, 'helpers/test-database')).toEqual([
        join('src', 'cli', 'cli.test.ts'),
        join('test', 'db.test.ts'),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('explainPostgresError', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });
  const url = 'postgres://postgres@127.0.0.1:5999/postgres';

  it('says in one line that no Postgres answers, and how to get one', () => {
    const explained = explainPostgresError(refused, url, {}) as Error;
    expect(explained.message).toBe(
      'no Postgres at 127.0.0.1:5999 (ECONNREFUSED) — start one or set TEST_DATABASE_URL',
    );
    expect(explained.cause).toBe(refused);
    expect((explainPostgresError(refused, url, { CI: '1' }) as Error).message).toMatch(/^CI is set and no/);
  });

  it('leaves every other error as it is', () => {
    const denied = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    expect(explainPostgresError(denied, url, {})).toBe(denied);
    expect(explainPostgresError('text', url, {})).toBe('text');
  });
});
