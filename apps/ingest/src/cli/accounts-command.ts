import type { Command } from 'commander';
import { createAccount, listAccounts, setAccountTimeZone } from '../accounts/index.js';
import { createOutput, formatTable, formatTime } from './output.js';
import { withDatabase } from './with-database.js';

/** `accounts create --name N [--timezone Z]`, `accounts list`, `accounts set-timezone A Z`. */
export function registerAccountsCommand(program: Command): void {
  const accounts = program.command('accounts').description('create and list accounts');

  accounts
    .command('create')
    .description('create an account (its slug is made from the name)')
    .requiredOption('--name <name>', 'display name, 1–200 characters')
    .option('--timezone <zone>', 'time zone of its reports, an IANA name (default UTC)')
    .action(async (options: { name: string; timezone?: string }, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const account = await withDatabase(async (sql) => {
        const created = await createAccount(sql, { name: options.name });
        if (options.timezone !== undefined) await setAccountTimeZone(sql, created.id, options.timezone);
        return created;
      });
      out.result(account, () => [
        `created account "${account.name}" (slug ${account.slug}, id ${account.id})`,
        `make an API key: mbuzz-ingest keys create --account ${account.slug} --environment test`,
      ]);
    });

  accounts
    .command('set-timezone')
    .description('set the time zone reports use when a query names none')
    .argument('<account>', 'account id or slug')
    .argument('<zone>', 'an IANA time zone, e.g. Europe/Berlin')
    .action(async (idOrSlug: string, zone: string, _options: unknown, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const account = await withDatabase((sql) => setAccountTimeZone(sql, idOrSlug, zone));
      out.result({ ...account, timezone: zone }, () => `reports of ${account.slug} use ${zone} by default`);
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
