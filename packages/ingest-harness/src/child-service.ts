import { type ChildProcess, spawn } from 'node:child_process';

/** A long-running child process (ingest service, example app) whose output the caller can read. */
export interface ChildService {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
  /** Everything the child printed so far (stdout and stderr interleaved), for failure messages. */
  output(): string;
  /** Resolves with the first stdout/stderr match of `pattern`; rejects if the child exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code (or the signal name) once the child has exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
  /** SIGKILL if still running; never throws. For afterAll, after a failure. */
  kill(): void;
}

export interface SpawnServiceOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Its own process group, so a terminal's Ctrl-C reaches only the parent (which stops it in order). */
  detached?: boolean;
  /** Called with each chunk the child writes to stderr (also kept in `output()`). */
  onStderr?: (text: string) => void;
}

// Every child started and still running, so a failure cannot leave one behind (see killAllChildren).
const running = new Set<ChildService>();

/**
 * Spawns a child with its own environment (not inherited beyond PATH/HOME basics the caller passes)
 * and captures its output.
 *
 * @example
 * const app = spawnService({ name: 'express', command: process.execPath, args: ['server.js'], env });
 * await app.waitFor(/listening on (\S+)/);
 */
export function spawnService(options: SpawnServiceOptions): ChildService {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    detached: options.detached,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  if (options.onStderr) {
    const onStderr = options.onStderr;
    child.stderr?.on('data', (chunk: Buffer) => onStderr(chunk.toString('utf8')));
  }

  let exitResult: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitResult = code ?? signal ?? 'unknown';
      running.delete(service);
      for (const listener of listeners) listener();
      resolve(exitResult);
    });
    child.once('error', (error) => {
      buffer += `\n[spawn error] ${error.message}`;
      exitResult = 'spawn-error';
      running.delete(service);
      resolve(exitResult);
    });
  });

  const service: ChildService = {
    name: options.name,
    process: child,
    exited,
    output: () => buffer,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = buffer.match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (exitResult !== undefined) {
            done();
            reject(
              new Error(`${options.name} exited (${exitResult}) before printing ${pattern}:\n${buffer}`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${options.name} did not print ${pattern} within ${timeoutMs} ms:\n${buffer}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (exitResult !== undefined) return exitResult;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill() {
      if (exitResult === undefined) child.kill('SIGKILL');
    },
  };
  running.add(service);
  return service;
}

/** Kills every child still running. Call in afterAll (or on exit) so a failure leaves nothing behind. */
export async function killAllChildren(): Promise<void> {
  const left = [...running];
  for (const service of left) service.kill();
  await Promise.all(left.map((service) => service.stop('SIGKILL', 5_000)));
}

/** The environment a child needs to run node/pnpm, without the parent's own variables. */
export function baseEnv(): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, LANG: 'C.UTF-8' };
}
