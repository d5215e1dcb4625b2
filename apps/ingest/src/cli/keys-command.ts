import { type Command, Option } from 'commander';
import {
  type ApiKeyScope,
  createApiKey,
  type Environment,
  getAccount,
  listApiKeys,
  revokeApiKey,
} from '../accounts/index.js';
import { createOutput, formatTable, formatTime } from './output.js';
import { withDatabase } from './with-database.js';

/** `keys create`, `keys list`, `keys revoke`. `--account` takes an id or a slug everywhere. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys');

  keys
    .command('create')
    .description('create an API key; the key is printed once and stored only as a digest')
    .requiredOption('--account <account>', 'account id or slug')
    .addOption(
      new Option('--environment <environment>', 'test keys mark their data as test data')
        .choices(['test', 'live'])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--scope <scope>', 'ingest: send events (the SDK); read: query reports')
        .choices(['ingest', 'read'])
        .default('ingest'),
    )
    .option('--description <text>', 'what the key is for')
    .action(
      async (
        options: { account: string; environment: Environment; scope: ApiKeyScope; description?: string },
        command: Command,
      ) => {
        const out = createOutput(command.optsWithGlobals());
        const { account, created } = await withDatabase(async (sql) => {
          const account = await getAccount(sql, options.account);
          const created = await createApiKey(sql, {
            accountId: account.id,
            environment: options.environment,
            scope: options.scope,
            ...(options.description === undefined ? {} : { description: options.description }),
          });
          return { account, created };
        });
        out.result({ ...created, accountId: account.id, accountSlug: account.slug }, () => [
          `created a ${created.environment} ${created.scope} key for account ${account.slug} — it is shown only this once:`,
          '',
          `  ${created.key}`,
          '',
          `revoke it with: mbuzz-ingest keys revoke ${created.prefix}`,
        ]);
      },
    );

  keys
    .command('list')
    .description("list an account's keys (prefixes only), newest first")
    .requiredOption('--account <account>', 'account id or slug')
    .action(async (options: { account: string }, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const { account, list } = await withDatabase(async (sql) => {
        const account = await getAccount(sql, options.account);
        return { account, list: await listApiKeys(sql, account.id) };
      });
      out.result(list, () =>
        list.length === 0
          ? `account ${account.slug} has no keys: mbuzz-ingest keys create --account ${account.slug} --environment test`
          : formatTable(
              ['prefix', 'environment', 'scope', 'status', 'created (UTC)', 'last used', 'description'],
              list.map((k) => [
                k.prefix,
                k.environment,
                k.scope,
                k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : 'active',
                formatTime(k.createdAt),
                formatTime(k.lastUsedAt),
                k.description ?? '',
              ]),
            ),
      );
    });

  keys
    .command('revoke')
    .description('revoke the active key with this prefix (e.g. sk_live_3f9a) or this full key')
    .argument('<prefix>', 'the 12-character prefix shown by `keys list`, or the whole key')
    .option('--account <account>', 'account id or slug, when several accounts have a key with this prefix')
    .action(async (prefix: string, options: { account?: string }, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const result = await withDatabase(async (sql) => {
        const accountId = options.account ? (await getAccount(sql, options.account)).id : undefined;
        return revokeApiKey(sql, prefix, accountId ? { accountId } : {});
      });
      const shown = prefix.trim().slice(0, 12);
      out.result({ prefix: shown, ...result }, () => `revoked ${shown}: refused everywhere within 5 seconds`);
    });
}
