import { Command, CommanderError } from 'commander';
import { registerAccountsCommand } from './accounts-command.js';
import { describeError } from './describe-error.js';
import { registerKeysCommand } from './keys-command.js';
import { registerMigrateCommand } from './migrate-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerUsersCommand } from './users-command.js';

/** Where the CLI writes; swapped in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Builds the `mbuzz-ingest` command tree.
 *
 * @example
 * await createProgram().parseAsync(['node', 'mbuzz-ingest', 'accounts', 'list']);
 */
export function createProgram(version: string, io: CliIo = processIo): Command {
  const program = new Command('mbuzz-ingest')
    .description(
      'mbuzz ingest service: serve the API, migrate the schema, manage accounts, API keys and users',
    )
    .version(version, '-v, --version')
    .option('--json', 'machine-readable output (JSON on stdout)')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerMigrateCommand(program);
  registerServeCommand(program);
  registerAccountsCommand(program);
  registerKeysCommand(program);
  registerUsersCommand(program);
  // Every subcommand: mistakes throw instead of exiting, so runCli decides the exit code in one place.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    command.showSuggestionAfterError(true);
    for (const sub of command.commands) exitOverride(sub);
  };
  exitOverride(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 on success, 1 for any mistake or failure, each reported
 * as one `error: …` line on stderr (commander reports its own usage errors the same way).
 *
 * @example
 * process.exitCode = await runCli(process.argv, '0.1.0');
 */
export async function runCli(argv: string[], version: string, io: CliIo = processIo): Promise<number> {
  const program = createProgram(version, io);
  try {
    // `mbuzz-ingest` alone: show help (on stdout) instead of failing.
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Already printed by commander; help and --version are successes.
      return error.exitCode === 0 ? 0 : 1;
    }
    io.stderr(`error: ${describeError(error)}\n`);
    return 1;
  }
}
