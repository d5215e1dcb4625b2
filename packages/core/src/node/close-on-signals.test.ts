import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Each case runs a child process (signals cannot be tried in the test process): see the fixture.
const fixture = fileURLToPath(new URL('../../test/fixtures/signal-process.ts', import.meta.url));

interface Run {
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** The event types the transport delivered, in order. */
  delivered: string[];
}

describe('closeOnSignals (through createNodeAdapter handleSignals)', { timeout: 30_000 }, () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  /** Starts the fixture, waits until it listens, sends `signal` and waits for the exit. */
  async function signalled(signal: NodeJS.Signals, ...args: string[]): Promise<Run> {
    const started = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let out = '';
    let err = '';
    started.stdout.setEncoding('utf8');
    started.stderr.setEncoding('utf8');
    started.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    const exited = new Promise<Run['exit']>((resolve) =>
      started.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
    );
    await new Promise<void>((resolve, reject) => {
      started.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('listening on ')) resolve();
      });
      started.once('exit', () => reject(new Error(`the fixture exited before listening:\n${out}\n${err}`)));
    });
    started.kill(signal);
    const exit = await exited;
    const delivered = [...out.matchAll(/^delivered (\w+)$/gm)].map((match) => match[1] as string);
    return { exit, delivered };
  }

  const TERMINATED = { code: null, signal: 'SIGTERM' };
  const EXITED_0 = { code: 0, signal: null };
  it.each([
    [
      'flushes on SIGTERM, then re-raises it when the app has no handler of its own',
      'SIGTERM',
      ['no-handler', 'hook'],
      TERMINATED,
      ['first_client'],
    ],
    [
      "flushes on SIGTERM and leaves the exit to the app's own handler (exit code 0)",
      'SIGTERM',
      ['own-handler', 'hook'],
      EXITED_0,
      ['first_client'],
    ],
    [
      "also when the app's own `once` handler was added before mbuzz",
      'SIGTERM',
      ['own-handler-first', 'hook'],
      EXITED_0,
      ['first_client'],
    ],
    [
      'with two clients, flushes both, then re-raises once',
      'SIGTERM',
      ['no-handler', 'hook', 'two-instances'],
      TERMINATED,
      ['first_client', 'second_client'],
    ],
    [
      'with hooks from two copies of the module (process-wide registry), flushes both, then re-raises once',
      'SIGTERM',
      ['no-handler', 'hook', 'two-copies'],
      TERMINATED,
      ['first_client', 'second_client'],
    ],
    [
      'flushes on SIGINT too',
      'SIGINT',
      ['no-handler', 'hook'],
      { code: null, signal: 'SIGINT' },
      ['first_client'],
    ],
    [
      'without handleSignals, SIGTERM ends the process at once and the queue is lost',
      'SIGTERM',
      ['no-handler', 'no-hook'],
      TERMINATED,
      [],
    ],
  ] as const)('%s', async (_name, signal, args, exit, delivered) => {
    const run = await signalled(signal, ...args);
    expect(run.exit).toEqual(exit);
    // The second client delivers later: the order says nothing.
    expect(run.delivered.sort()).toEqual(delivered);
  });
});
