import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@mbuzz/ingest-harness';

const execFileAsync = promisify(execFile);

/** Debian's Postgres 15 binaries (the version CI's cluster runs). */
export const PG_BIN = process.env.RELIABILITY_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throwaway Postgres cluster of our own, so a test can stop and start it without touching the
 * machine's shared cluster (other tests and CI use that one).
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m <mode>`: fast (clean, disconnects everyone) or immediate (as if it crashed). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it if running and deletes its folder. Never throws. */
  destroy(): Promise<void>;
}

/**
 * `initdb` into a temp folder (as the `postgres` OS user: initdb refuses root) and start it on a free
 * port, listening on 127.0.0.1 with its socket in that folder.
 *
 * @example
 * const pg = await startPrivatePostgres();
 * await pg.stop('fast'); await pg.start();
 * await pg.destroy();
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'mbuzz-reliability-pg-'));
  const dataDir = join(root, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(root, uid('postgres'), gid('postgres'));
  const run = async (binary: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(PG_BIN, binary);
    const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, binary), ...args] : args;
    try {
      await execFileAsync(command, argv, { timeout: 120_000 });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${binary} ${args.join(' ')} failed: ${e.message}\n${e.stdout}\n${e.stderr}`);
    }
  };
  let running = false;
  const pgCtl = (args: string[]) => run('pg_ctl', ['-D', dataDir, ...args]);
  const start = async () => {
    await pgCtl([
      '-o',
      `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=64MB`,
      '-l',
      join(root, 'postgres.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    running = true;
  };
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop(mode = 'fast') {
      await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    start,
    async destroy() {
      if (running) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const uid = (user: string): number => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
const gid = (user: string): number => Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
