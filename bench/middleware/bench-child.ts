import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A server of the benchmark running in its own process. */
export interface BenchChild {
  process: ChildProcess;
  port: number;
  /** Port answering `process.cpuUsage()` (bench-server only). */
  cpuPort: number | undefined;
}

/**
 * Starts `node --import tsx <script> …args` from bench/ and resolves once it prints
 * `listening <port> [<cpuPort>]`.
 *
 * @example
 * const sink = await startBenchChild('middleware/sink.ts', [], {});
 */
export function startBenchChild(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<BenchChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: BENCH_DIR,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)(?: (\d+))?/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        resolve({ process: child, port: Number(match[1]), cpuPort: match[2] ? Number(match[2]) : undefined });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${output}`)));
  });
}

/** SIGKILL and wait: queued analytics are not the benchmark's business once it has measured. */
export function stopBenchChild(child: BenchChild): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}
