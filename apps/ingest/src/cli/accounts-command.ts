import type { Command } from 'commander';
import { createAccount, listAccounts } from '../accounts/index.js';
import { createOutput, formatTable, formatTime } from './output.js';
import { withDatabase } from './with-database.js';

/** `accounts create --name N`, `accounts list`. */
export function registerAccountsCommand(program: Command): void {
  const accounts = program.command('accounts').description('create and list accounts');

  accounts
    .command('create')
    .description('create an account (its slug is made from the name)')
    .requiredOption('--name <name>', 'display name, 1–200 characters')
    .action(async (options: { name: string }, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const account = await withDatabase((sql) => createAccount(sql, { name: options.name }));
      out.result(account, () => [
        `created account "${account.name}" (slug ${account.slug}, id ${account.id})`,
        `make an API key: mbuzz-ingest keys create --account ${account.slug} --environment test`,
      ]);
    });

  accounts
    .command('list')
    .description('list all accounts')
    .action(async (_options: unknown, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const all = await withDatabase((sql) => listAccounts(sql));
      out.result(all, () =>
        all.length === 0
          ? 'no accounts yet: mbuzz-ingest accounts create --name "My site"'
          : formatTable(
              ['slug', 'name', 'status', 'created (UTC)', 'id'],
              all.map((a) => [a.slug, a.name, a.status, formatTime(a.createdAt), a.id]),
            ),
      );
    });
}
