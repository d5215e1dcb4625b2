import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../db/embedded/open-embedded-database.js';
import { assertCliBuilt, CLI_PATH, cleanFailure, runBuiltCli } from './testing/run-built-cli.js';

// `mbuzz-ingest serve` on the embedded database, as `pnpm start` runs it: a real process, real HTTP.
const SLOW = 180_000;
const dataDir = mkdtempSync(join(tmpdir(), 'mbuzz-serve-'));
const env = { MBUZZ_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('mbuzz-ingest serve (embedded database)', () => {
  it(
    'seeds a demo key and login once, prints a curl and a login that work, survives its database dying, locks it, stops on SIGTERM',
    async () => {
      assertCliBuilt();
      const first = await startServe();
      const key = /^ {4}(sk_test_[0-9a-f]{32})$/m.exec(first.stdout)?.[1];
      const url = /curl -i -X POST (http:\/\/127\.0\.0\.1:\d+\/api\/v1\/events)/.exec(first.stdout)?.[1];
      const body = / -d '(.+)'$/m.exec(first.stdout)?.[1];
      expect(key).toBeDefined();
      expect(url).toBeDefined();
      expect(first.stdout).toContain(`-H 'Authorization: Bearer ${key}'`);
      const base = (url as string).replace('/api/v1/events', '');
      expect(first.stdout).toContain(`Open the dashboard at ${base}/ and log in with:`);
      const email = /^ {4}email {5}(\S+)$/m.exec(first.stdout)?.[1];
      const password = /^ {4}password {2}(\S+)$/m.exec(first.stdout)?.[1];
      expect(email).toBe('demo@mbuzz.local');
      expect(password).toMatch(/^[\w-]{24}$/);

      // The printed login works, as an admin of the demo account; the dashboard's pages are served.
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({
        user: { email: 'demo@mbuzz.local', role: 'admin' },
        account: { slug: 'demo' },
      });
      const page = await fetch(`${base}/`);
      expect([200, 503]).toContain(page.status); // 503 while the dashboard is not built
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

      // The printed curl, sent as printed.
      const response = await fetch(url as string, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body as string,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

      // The database process dies: 503 (retryable), no crash; it is restarted and requests succeed again.
      const [, databasePid] = readFileSync(join(dataDir, 'mbuzz-ingest.lock'), 'utf8')
        .split('\n')
        .map(Number);
      process.kill(databasePid as number, 'SIGKILL');
      const send = () =>
        fetch(url as string, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: body as string,
        });
      const during = await send();
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBeTruthy();
      await expect.poll(async () => (await send()).status, { timeout: 60_000, interval: 250 }).toBe(202);

      const second = await runBuiltCli(['accounts', 'list'], env);
      expect(cleanFailure(second)).toBe(
        `error: the embedded database in ${dataDir} is in use by another mbuzz-ingest process ` +
          `(pid ${first.child.pid}); stop it or set DATABASE_URL`,
      );

      expect(await stop(first.child, 'SIGTERM')).toBe(0);

      // Second start: no new account or key, a reminder instead.
      const again = await startServe();
      expect(again.stdout).toContain('The demo account exists');
      expect(again.stdout).toContain('pnpm ingest keys create --account demo --environment test');
      expect(again.stdout).toContain('pnpm ingest users create --account demo');
      expect(again.stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
      expect(again.stdout).not.toMatch(/sk_test_[0-9a-f]{32}/);
      expect(again.stdout).not.toContain(password);
      expect(await stop(again.child, 'SIGINT')).toBe(0);

      // CLI commands work on the embedded database once the service is stopped.
      const created = await runBuiltCli(
        ['keys', 'create', '--account', 'demo', '--environment', 'test', '--json'],
        env,
      );
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ environment: 'test', accountSlug: 'demo' });

      const db = await openEmbeddedDatabase({ dataDir }, pino({ level: 'silent' }));
      try {
        expect(await db.sql`SELECT slug FROM accounts`).toEqual([{ slug: 'demo' }]);
        expect(await db.sql`SELECT email, role FROM users`).toEqual([
          { email: 'demo@mbuzz.local', role: 'admin' },
        ]);
        const [row] = await db.sql`SELECT count(*)::int AS n FROM api_keys`;
        expect(row?.n).toBe(2);
        const [event] = await db.sql`SELECT s.initial_utm FROM events e
          JOIN sessions s ON s.account_id = e.account_id AND s.session_id = e.session_id`;
        expect(event?.initial_utm).toMatchObject({ utm_source: 'newsletter', utm_campaign: 'launch' });
      } finally {
        await db.close();
      }
    },
    SLOW,
  );
});

/** Starts `serve` and waits for its banner (the last thing it prints at start). */
function startServe(): Promise<{ child: ChildProcess; stdout: string }> {
  const child = spawn(process.execPath, [CLI_PATH, 'serve'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/pnpm ingest keys create .*\n/.test(stdout)) resolve({ child, stdout });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stdout}${stderr}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}
