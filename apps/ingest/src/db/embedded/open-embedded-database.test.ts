import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createAccount, listAccounts } from '../../accounts/index.js';
import { migrate } from '../migrate.js';
import { openEmbeddedDatabase, resolveDataDir } from './open-embedded-database.js';

// PGlite's first start runs initdb in WASM (seconds on 2 busy cores): few tests, each doing several things.
const SLOW = 180_000;
const logger = pino({ level: 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'mbuzz-embedded-'));
const lockFile = join(dataDir, 'mbuzz-ingest.lock');

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('openEmbeddedDatabase', () => {
  it(
    'stores data that survives a restart, and takes over the lock of a dead process',
    async () => {
      const first = await openEmbeddedDatabase({ dataDir }, logger);
      expect(first.kind).toBe('embedded');
      await migrate(first.sql);
      await createAccount(first.sql, { name: 'Persisted' });
      expect(readFileSync(lockFile, 'utf8')).toContain(String(process.pid));
      await first.close();
      expect(existsSync(lockFile)).toBe(false);

      // A process killed without cleanup leaves its lock behind.
      writeFileSync(lockFile, `${deadPid()}\n`);
      const second = await openEmbeddedDatabase({ dataDir }, logger);
      try {
        expect((await listAccounts(second.sql)).map((a) => a.slug)).toEqual(['persisted']);
      } finally {
        await second.close();
      }
    },
    SLOW,
  );

  it(
    'refuses a second process with a clear message, and restarts its database process when it dies',
    async () => {
      const db = await openEmbeddedDatabase({ dataDir }, logger);
      try {
        const moduleUrl = new URL('./open-embedded-database.ts', import.meta.url).href;
        const script = `
          const { openEmbeddedDatabase } = await import(${JSON.stringify(moduleUrl)});
          try {
            await openEmbeddedDatabase({ dataDir: ${JSON.stringify(dataDir)} }, { info() {}, error() {} });
            console.log('opened');
          } catch (error) { console.log(error.message); }`;
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          { cwd: process.cwd(), timeout: 60_000 },
        );
        expect(stdout.trim()).toBe(
          `the embedded database in ${dataDir} is in use by another mbuzz-ingest process (pid ${process.pid}); ` +
            'stop it or set DATABASE_URL',
        );

        const [, childPid] = readFileSync(lockFile, 'utf8').trim().split('\n').map(Number);
        expect(childPid).toBeGreaterThan(0);
        process.kill(childPid as number, 'SIGKILL');
        await expect(db.sql`select 1`).rejects.toThrow();
        // Restarted by the supervisor on the same socket: the same client works again, data intact.
        await expect
          .poll(() => db.sql`SELECT slug FROM accounts`.catch(() => undefined), {
            timeout: 60_000,
            interval: 250,
          })
          .toEqual([{ slug: 'persisted' }]);
        const [, restartedPid] = readFileSync(lockFile, 'utf8').trim().split('\n').map(Number);
        expect(restartedPid).not.toBe(childPid);
      } finally {
        await db.close();
      }
      expect(existsSync(lockFile)).toBe(false);
    },
    SLOW,
  );
});

describe('resolveDataDir', () => {
  it('resolves a relative folder against the directory pnpm was started from', () => {
    expect(resolveDataDir('.mbuzz/data', { INIT_CWD: '/repo' })).toBe('/repo/.mbuzz/data');
    expect(resolveDataDir('/abs/data', { INIT_CWD: '/repo' })).toBe('/abs/data');
    expect(resolveDataDir('data', {})).toBe(join(process.cwd(), 'data'));
  });
});

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(result.stdout.toString());
}
