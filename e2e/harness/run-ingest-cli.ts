import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { INGEST_CLI, REPO_ROOT } from './paths.js';

const execFileAsync = promisify(execFile);

/**
 * Runs one `mbuzz-ingest` command (the built CLI) to completion and returns its stdout; with `--json`
 * in `args`, the parsed JSON. Fails with the command's output when it exits non-zero.
 *
 * @example
 * const account = await runIngestCli(['accounts', 'create', '--name', 'e2e', '--json'], env);
 */
export async function runIngestCli<T = unknown>(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<T> {
  if (!existsSync(INGEST_CLI)) {
    throw new Error(`${INGEST_CLI} is missing: run \`pnpm turbo run build --filter=@mbuzz/ingest\` first`);
  }
  try {
    const { stdout } = await execFileAsync(process.execPath, [INGEST_CLI, ...args], {
      cwd: REPO_ROOT,
      env: env as NodeJS.ProcessEnv,
      timeout: 120_000,
    });
    return (args.includes('--json') ? parseLastJson(stdout) : stdout) as T;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `mbuzz-ingest ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

// Log lines (e.g. the embedded database announcing itself) may precede the JSON document.
function parseLastJson(stdout: string): unknown {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const lines = trimmed.split('\n').reverse();
    for (const line of lines) {
      try {
        return JSON.parse(line);
      } catch {}
    }
    const start = trimmed.indexOf('{');
    if (start >= 0) return JSON.parse(trimmed.slice(start));
    throw new Error(`no JSON in mbuzz-ingest output:\n${stdout}`);
  }
}
