import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built bin: tests run the CLI as users do, in a real child process. `pnpm test` builds first. */
export const CLI_PATH = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));

export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: run \`pnpm --filter @mbuzz/ingest build\` first`);
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.js …args` with exactly `env` (plus PATH), never the test runner's environment,
 * so an outer DATABASE_URL or INIT_CWD cannot leak in. Standard input is `input` (default empty), closed.
 */
export function runBuiltCli(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/** A failed run must say what is wrong in one `error:` line — never a stack trace. */
export function cleanFailure(run: CliRun): string {
  if (run.code !== 1) throw new Error(`expected exit code 1, got ${run.code}: ${run.stdout}${run.stderr}`);
  if (/\n\s+at /.test(run.stderr)) throw new Error(`stack trace on stderr:\n${run.stderr}`);
  return run.stderr.trim();
}
