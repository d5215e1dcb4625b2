import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the embedded database. The message is meant for the user as is. */
export class EmbeddedDatabaseInUseError extends Error {
  override readonly name = 'EmbeddedDatabaseInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by another mbuzz-ingest process (pid ${pid}); ` +
        'stop it or set DATABASE_URL',
    );
  }
}

/** A held lock on a data directory. */
export interface DataDirLock {
  readonly path: string;
  /** Records the database child's pid too, so a lock whose owner died while its child still runs stays held. */
  setChildPid(pid: number): void;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

const LOCK_FILE = 'mbuzz-ingest.lock';

/**
 * Takes the single-process lock of an embedded data directory: a lock file holding the owner's pid,
 * created exclusively. A lock whose pids are all dead (a crashed or killed process) is taken over.
 *
 * @example
 * const lock = acquireDataDirLock('/home/me/.mbuzz/data'); // throws EmbeddedDatabaseInUseError
 * try { … } finally { lock.release(); }
 */
export function acquireDataDirLock(dataDir: string, ownPid: number = process.pid): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  let pids = [ownPid];
  const write = (flag: 'wx' | 'w') => writeFileSync(path, `${pids.join('\n')}\n`, { flag, mode: 0o600 });

  // Two attempts: the second follows the removal of a stale lock. If another process took the stale
  // lock over in between, our exclusive create fails again and we report that process.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      write('wx');
      return {
        path,
        setChildPid(pid) {
          pids = [ownPid, pid];
          write('w');
        },
        release() {
          if (readPids(path)[0] === ownPid) unlinkQuietly(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holders = readPids(path);
    const live = holders.find((pid) => pid !== ownPid && isAlive(pid));
    if (live !== undefined) throw new EmbeddedDatabaseInUseError(dataDir, live);
    unlinkQuietly(path);
  }
  throw new EmbeddedDatabaseInUseError(dataDir, readPids(path)[0] ?? 0);
}

function readPids(path: string): number[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => Number.parseInt(line, 10))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
