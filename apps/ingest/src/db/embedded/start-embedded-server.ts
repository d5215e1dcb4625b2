import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The embedded database did not start; the message says why (for the user, not a stack). */
export class EmbeddedDatabaseStartError extends Error {
  override readonly name = 'EmbeddedDatabaseStartError';
}

/** Where the child listens: a unix socket in the data dir, or 127.0.0.1 on a free port. */
export type EmbeddedAddress = { path: string } | { host: string; port: number };

/** A running embedded database child process. */
export interface EmbeddedServer {
  readonly address: EmbeddedAddress;
  readonly pid: number;
  /** Resolves when the child is gone, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Asks the child to close PGlite cleanly (data flushed) and waits; kills it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

// Unix socket paths are limited to 107 bytes on Linux (103 on macOS), and the child binds a temporary
// name 8 characters longer first; past that, use loopback TCP.
const MAX_SOCKET_PATH = 92;
const START_TIMEOUT_MS = 120_000; // first start runs initdb in WASM: seconds, more on a busy machine

/**
 * Forks the PGlite child on `<dataDir>/pglite` and waits until it accepts connections: on a unix socket
 * in the data dir, or on loopback TCP (`options.port`, default a free one) where the path is too long.
 * The caller must hold the data directory lock.
 *
 * @example
 * const server = await startEmbeddedServer('/abs/.mbuzz/data');
 * // connect postgres.js to server.address, then: await server.stop();
 */
export async function startEmbeddedServer(
  dataDir: string,
  options: { port?: number } = {},
): Promise<EmbeddedServer> {
  const socketPath = join(dataDir, '.s.PGSQL.5432');
  const useSocket = process.platform !== 'win32' && socketPath.length <= MAX_SOCKET_PATH;

  const listenOn = useSocket ? socketPath : String(options.port ?? 0);
  const child = fork(childScript(), [join(dataDir, 'pglite'), listenOn], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Not the parent's flags: a --inspect or loader meant for the service must not apply to the child.
    execArgv: [],
    serialization: 'json',
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = await waitUntilListening(child, exited, () => stderr);
  return {
    address,
    pid: child.pid ?? 0,
    exited,
    stop: (timeoutMs = 10_000) => stopChild(child, exited, timeoutMs),
  };
}

function waitUntilListening(
  child: ChildProcess,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<EmbeddedAddress> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new EmbeddedDatabaseStartError(
          `the embedded database did not start within ${START_TIMEOUT_MS / 1000} s`,
        ),
      );
    }, START_TIMEOUT_MS);
    child.on('message', (message: ChildMessage) => {
      clearTimeout(timer);
      if (message.type === 'listening' && message.path) resolve({ path: message.path });
      else if (message.type === 'listening' && message.port)
        resolve({ host: '127.0.0.1', port: message.port });
      else {
        const reason = message.type === 'failed' ? message.message : 'no address reported';
        reject(new EmbeddedDatabaseStartError(`the embedded database failed to start: ${reason}`));
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new EmbeddedDatabaseStartError(`the embedded database failed to start: ${error.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const detail = stderr().trim().split('\n').pop() || `exit code ${code}`;
      reject(new EmbeddedDatabaseStartError(`the embedded database failed to start: ${detail}`));
    });
  });
}

type ChildMessage = { type: 'listening'; port?: number; path?: string } | { type: 'failed'; message: string };

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'stop' });
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * The child is a plain .mjs file forked by path. From src/ (tests) it sits next to this module; the
 * tsup bundle in dist/ does not contain it, so from there it is taken from the package's src/.
 */
function childScript(): string {
  const candidates = [
    new URL('./embedded-database-server.mjs', import.meta.url),
    new URL('../src/db/embedded/embedded-database-server.mjs', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new EmbeddedDatabaseStartError(`embedded database server script not found (${candidates[0]})`);
  return found;
}
