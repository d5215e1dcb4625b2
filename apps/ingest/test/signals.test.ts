import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.drop();
});

const fixture = fileURLToPath(new URL('./fixtures/serve-until-signal.ts', import.meta.url));

it.each(['SIGTERM', 'SIGINT'] as const)('%s closes gracefully and exits 0', async (signal) => {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => output, { timeout: 20_000, interval: 100 }).toMatch(/LISTENING http:\/\//);
    const url = /LISTENING (\S+)/.exec(output)?.[1] as string;
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shut down"');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
