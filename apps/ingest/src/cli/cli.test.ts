import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { digestApiKey } from '../accounts/index.js';
import { assertCliBuilt, cleanFailure, runBuiltCli } from './testing/run-built-cli.js';

// The built CLI in a child process against real Postgres (TEST_DATABASE_URL), one fresh database.
let db: TestDatabase;
let env: Record<string, string>;
const cli = (...args: string[]) => runBuiltCli(args, env);
const json = async <T>(...args: string[]): Promise<T> => {
  const run = await cli(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
};

beforeAll(async () => {
  assertCliBuilt();
  db = await createTestDatabase({ migrate: false });
  env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
});
afterAll(() => db?.drop());

describe('mbuzz-ingest against DATABASE_URL', () => {
  it('migrates, then reports an up-to-date schema', async () => {
    const first = await json<{ applied: string[]; version: number }>('migrate');
    expect(first.applied).toContain('001.do.initial.sql');
    const second = await json<{ applied: string[]; version: number }>('migrate');
    expect(second).toEqual({ applied: [], version: first.version });
    expect((await cli('migrate')).stdout).toBe(`schema is up to date (version ${first.version})\n`);
  });

  it('creates and lists accounts, creates, lists and revokes keys (by slug and by id)', async () => {
    const acme = await json<{ id: string; slug: string; name: string }>(
      'accounts',
      'create',
      '--name',
      'Acme Inc',
    );
    expect(acme).toMatchObject({ name: 'Acme Inc', slug: 'acme-inc', status: 'active' });
    const list = await json<{ slug: string }[]>('accounts', 'list');
    expect(list.map((a) => a.slug)).toContain('acme-inc');
    expect((await cli('accounts', 'list')).stdout).toMatch(
      /^slug\s+name\s+status.*\nacme-inc\s+Acme Inc\s+active/,
    );

    const live = await json<{ key: string; prefix: string; environment: string; accountId: string }>(
      'keys',
      'create',
      '--account',
      'acme-inc',
      '--environment',
      'live',
      '--description',
      'production site',
    );
    expect(live.key).toMatch(/^sk_live_[0-9a-f]{32}$/);
    expect(live).toMatchObject({ prefix: live.key.slice(0, 12), environment: 'live', accountId: acme.id });
    const stored = await db.sql`SELECT key_digest FROM api_keys WHERE key_prefix = ${live.prefix}`;
    expect(Buffer.from(stored[0]?.key_digest).equals(digestApiKey(live.key))).toBe(true);

    const test = await json<{ key: string; prefix: string }>(
      'keys',
      'create',
      '--account',
      acme.id,
      '--environment',
      'test',
    );
    expect(test.key).toMatch(/^sk_test_/);
    const human = await cli('keys', 'create', '--account', 'acme-inc', '--environment', 'test');
    expect(human.stdout).toMatch(/shown only this once:\n\n {2}sk_test_[0-9a-f]{32}\n/);

    const keys = await json<{ prefix: string; environment: string; revokedAt: string | null }[]>(
      'keys',
      'list',
      '--account',
      'acme-inc',
    );
    expect(keys).toHaveLength(3);
    expect(JSON.stringify(keys)).not.toContain(live.key);
    expect(keys.find((k) => k.prefix === live.prefix)).toMatchObject({
      environment: 'live',
      revokedAt: null,
    });

    expect(await json('keys', 'revoke', live.prefix)).toEqual({ prefix: live.prefix, revoked: 1 });
    const after = await json<{ prefix: string; revokedAt: string | null }[]>(
      'keys',
      'list',
      '--account',
      acme.id,
    );
    expect(after.find((k) => k.prefix === live.prefix)?.revokedAt).toEqual(expect.any(String));
    expect((await cli('keys', 'list', '--account', 'acme-inc')).stdout).toMatch(/revoked \d{4}-/);
  });

  it('creates read keys (--scope) and sets an account time zone', async () => {
    const shop = await json<{ id: string; slug: string }>(
      'accounts',
      'create',
      '--name',
      'Shop',
      '--timezone',
      'Europe/Berlin',
    );
    const [settings] = await db.sql`SELECT settings->>'timezone' AS tz FROM accounts WHERE id = ${shop.id}`;
    expect(settings?.tz).toBe('Europe/Berlin');
    expect((await cli('accounts', 'set-timezone', shop.slug, 'America/New_York')).stdout).toMatch(
      /America\/New_York/,
    );
    const [after] = await db.sql`SELECT settings->>'timezone' AS tz FROM accounts WHERE id = ${shop.id}`;
    expect(after?.tz).toBe('America/New_York');
    const bad = await cli('accounts', 'set-timezone', shop.slug, 'Mars/Base');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an IANA time zone/);

    const read = await json<{ scope: string; key: string }>(
      'keys',
      'create',
      '--account',
      shop.slug,
      '--environment',
      'live',
      '--scope',
      'read',
    );
    expect(read.scope).toBe('read');
    const ingest = await json<{ scope: string }>(
      'keys',
      'create',
      '--account',
      shop.slug,
      '--environment',
      'live',
    );
    expect(ingest.scope).toBe('ingest');
    expect((await cli('keys', 'list', '--account', shop.slug)).stdout).toMatch(
      /^prefix\s+environment\s+scope[\s\S]*\bread\b/,
    );
    const wrong = await cli(
      'keys',
      'create',
      '--account',
      shop.slug,
      '--environment',
      'live',
      '--scope',
      'admin',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--scope/);
  });

  it('answers every mistake with one clear line and exit code 1', async () => {
    const acme = (await json<{ slug: string; id: string }[]>('accounts', 'list'))[0] as {
      slug: string;
      id: string;
    };
    const other = await json<{ id: string }>('accounts', 'create', '--name', 'Other');
    // Two accounts with an active key of the same prefix (1 in 65,536 in real life): ambiguous.
    const prefix = `sk_test_${randomBytes(2).toString('hex')}`;
    for (const accountId of [acme.id, other.id]) {
      await db.sql`INSERT INTO api_keys (account_id, key_digest, key_prefix, environment)
        VALUES (${accountId}, ${randomBytes(32)}, ${prefix}, 'test')`;
    }
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['frobnicate'], {}, /^error: unknown command 'frobnicate'/],
      [['accounts', 'list', '--bogus'], {}, /^error: unknown option '--bogus'/],
      [['accounts', 'create'], {}, /^error: required option '--name <name>' not specified$/],
      [['accounts', 'create', '--name', '  '], {}, /^error: account name must be 1–200 characters$/],
      [
        ['keys', 'create', '--account', 'acme-inc'],
        {},
        /^error: required option '--environment <environment>'/,
      ],
      [
        ['keys', 'create', '--account', 'acme-inc', '--environment', 'prod'],
        {},
        /^error: option '--environment <environment>' argument 'prod' is invalid\. Allowed choices are test, live\.$/,
      ],
      [['keys', 'list', '--account', 'nope'], {}, /^error: no account with id or slug "nope"$/],
      [['keys', 'revoke', 'sk_test_0000'], {}, /^error: no active API key matches "sk_test_0000"$/],
      [['keys', 'revoke', 'sk_'], {}, /^error: a key prefix has 12 characters/],
      [['keys', 'revoke', prefix], {}, new RegExp(`^error: 2 active API keys start with "${prefix}"`)],
      [['accounts', 'list'], { PORT: 'abc' }, /^error: Invalid configuration: PORT must be an integer/],
      [
        ['accounts', 'list'],
        { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' },
        /^error: cannot reach the database at 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
      ],
      [
        ['accounts', 'list'],
        { DATABASE_URL: db.url.replace(/\/[^/]+$/, '/mbuzz_no_such_db') },
        /^error: cannot use the database: database "mbuzz_no_such_db" does not exist; check DATABASE_URL$/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args, extra]) => runBuiltCli(args, { ...env, ...extra })));
    runs.forEach((run, i) => {
      const [args, , expected] = cases[i] as (typeof cases)[number];
      expect(cleanFailure(run), args.join(' ')).toMatch(expected);
      expect(run.stdout, args.join(' ')).toBe('');
    });

    // Naming the account picks one of them.
    expect(await json('keys', 'revoke', prefix, '--account', 'acme-inc')).toEqual({ prefix, revoked: 1 });
  });

  it('says how to create the schema when it is missing', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      const run = await runBuiltCli(['accounts', 'list'], { ...env, DATABASE_URL: empty.url });
      expect(cleanFailure(run)).toBe(
        'error: the database has no mbuzz tables yet: run `mbuzz-ingest migrate` first',
      );
    } finally {
      await empty.drop();
    }
  });
});
