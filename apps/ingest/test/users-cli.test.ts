import { verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanFailure, runBuiltCli } from '../src/cli/testing/run-built-cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// `mbuzz-ingest users …`, built, in a child process against real Postgres (TEST_DATABASE_URL).
let db: TestDatabase;
let env: Record<string, string>;
const cli = (args: string[], input?: string) => runBuiltCli(args, env, input);
const json = async <T>(args: string[], input?: string): Promise<T> => {
  const run = await cli([...args, '--json'], input);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
};
const digestOf = async (email: string) =>
  (await db.sql<{ password_digest: string }[]>`SELECT password_digest FROM users WHERE email = ${email}`)[0]
    ?.password_digest as string;

interface CreatedUser {
  id: string;
  accountId: string;
  accountSlug: string;
  email: string;
  role: string;
  password?: string;
}

beforeAll(async () => {
  assertCliBuilt();
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
  await db.sql`INSERT INTO accounts (name, slug) VALUES ('Acme', 'acme'), ('Shop', 'shop')`;
});
afterAll(() => db?.drop());

describe('mbuzz-ingest users', () => {
  it('creates users with a generated password (shown once) or one from stdin, lists and deletes them', async () => {
    const [ana, bob, human] = await Promise.all([
      json<CreatedUser>([
        'users',
        'create',
        '--account',
        'acme',
        '--email',
        ' Ana@Acme.example ',
        '--role',
        'admin',
      ]),
      json<CreatedUser>(
        ['users', 'create', '--account', 'acme', '--email', 'bob@acme.example', '--password-stdin'],
        'correct horse battery staple\n',
      ),
      cli(['users', 'create', '--account', 'shop', '--email', 'cy@shop.example']),
    ]);
    expect(ana).toMatchObject({ email: 'ana@acme.example', role: 'admin', accountSlug: 'acme' });
    expect(ana.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verify(await digestOf('ana@acme.example'), ana.password as string)).toBe(true);
    // From stdin: the trailing newline is not part of it, and it is never echoed.
    expect(bob).toMatchObject({ email: 'bob@acme.example', role: 'viewer' });
    expect(bob.password).toBeUndefined();
    expect(await digestOf('bob@acme.example')).toMatch(/^\$argon2id\$/);
    expect(await verify(await digestOf('bob@acme.example'), 'correct horse battery staple')).toBe(true);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^created viewer cy@shop\.example in account shop .*only this once:\n\n {2}[\w-]{24}\n/,
    );

    const list = await json<{ email: string; role: string; lastLoginAt: null }[]>([
      'users',
      'list',
      '--account',
      'acme',
    ]);
    expect(list.map((u) => [u.email, u.role])).toEqual(
      expect.arrayContaining([
        ['ana@acme.example', 'admin'],
        ['bob@acme.example', 'viewer'],
      ]),
    );
    expect(list).toHaveLength(2);
    expect(JSON.stringify(list)).not.toContain('argon2');
    expect((await cli(['users', 'list', '--account', 'shop'])).stdout).toMatch(
      /^email\s+role\s+created \(UTC\)\s+last login\s+id\ncy@shop\.example\s+viewer/,
    );

    expect(await json(['users', 'delete', '--email', 'BOB@acme.example'])).toMatchObject({
      deleted: 1,
      email: 'bob@acme.example',
    });
    expect((await cli(['users', 'delete', ana.id])).stdout).toBe(
      'deleted ana@acme.example; their sessions have ended\n',
    );
    expect(await json(['users', 'list', '--account', 'acme'])).toEqual([]);
  });

  it('refuses bad input with one clear line', async () => {
    await json(['users', 'create', '--account', 'shop', '--email', 'taken@shop.example']);
    const cases: [string[], string | undefined, RegExp][] = [
      [
        ['users', 'create', '--account', 'shop', '--email', 'not-an-email'],
        undefined,
        /is not an email address$/,
      ],
      [
        ['users', 'create', '--account', 'acme', '--email', 'TAKEN@shop.example'],
        undefined,
        /exists already/,
      ],
      [
        ['users', 'create', '--account', 'nope', '--email', 'x@y.example'],
        undefined,
        /no account with id or slug "nope"/,
      ],
      [
        ['users', 'create', '--account', 'shop', '--email', 'x@y.example', '--role', 'owner'],
        undefined,
        /Allowed choices are admin, viewer/,
      ],
      [
        ['users', 'create', '--account', 'shop', '--email', 'x@y.example', '--password-stdin'],
        'short\n',
        /at least 12 characters$/,
      ],
      [
        ['users', 'create', '--account', 'shop', '--email', 'x@y.example', '--password-stdin'],
        '',
        /standard input was empty$/,
      ],
      [
        ['users', 'delete', '--email', 'ghost@shop.example'],
        undefined,
        /no user with the email ghost@shop\.example$/,
      ],
      [['users', 'delete'], undefined, /name the user once/],
    ];
    const runs = await Promise.all(cases.map(([args, input]) => cli(args, input)));
    runs.forEach((run, i) => {
      const [args, , expected] = cases[i] as (typeof cases)[number];
      expect(cleanFailure(run), args.join(' ')).toMatch(expected);
      expect(run.stdout, args.join(' ')).toBe('');
    });
    expect(await db.sql`SELECT 1 FROM users WHERE email = 'x@y.example'`).toHaveLength(0);
  });
});
