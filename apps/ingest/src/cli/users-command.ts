import { type Command, Option } from 'commander';
import { getAccount } from '../accounts/index.js';
import { createUser, deleteUser, generatePassword, listUsers, type UserRole } from '../users/index.js';
import { CliError } from './describe-error.js';
import { createOutput, formatTable, formatTime } from './output.js';
import { withDatabase } from './with-database.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `users create`, `users list`, `users delete`: the dashboard's logins. `--account` takes an id or a slug. */
export function registerUsersCommand(
  program: Command,
  readStdin: () => Promise<string> = readAllStdin,
): void {
  const users = program.command('users').description('create, list and delete dashboard users');

  users
    .command('create')
    .description('create a user; prints a generated password once (or sets one read from stdin)')
    .requiredOption('--account <account>', 'account id or slug')
    .requiredOption('--email <email>', 'login email, unique across all accounts')
    .addOption(
      new Option('--role <role>', 'admin: also manages keys; viewer: reads reports')
        .choices(['admin', 'viewer'])
        .default('viewer'),
    )
    .option('--password-stdin', 'read the password (12+ characters) from standard input instead')
    .action(
      async (
        options: { account: string; email: string; role: UserRole; passwordStdin?: boolean },
        command: Command,
      ) => {
        const out = createOutput(command.optsWithGlobals());
        const generated = options.passwordStdin ? undefined : generatePassword();
        const password = generated ?? stripNewline(await readStdin());
        if (password === '') throw new CliError('--password-stdin: standard input was empty');
        const { account, user } = await withDatabase(async (sql) => {
          const account = await getAccount(sql, options.account);
          const user = await createUser(sql, {
            accountId: account.id,
            email: options.email,
            role: options.role,
            password,
          });
          return { account, user };
        });
        out.result(
          { ...user, accountSlug: account.slug, ...(generated ? { password: generated } : {}) },
          () =>
            generated
              ? [
                  `created ${user.role} ${user.email} in account ${account.slug} — the password is shown only this once:`,
                  '',
                  `  ${generated}`,
                  '',
                  `it logs in to the dashboard (POST /api/v1/auth/login); delete with: mbuzz-ingest users delete ${user.email}`,
                ]
              : `created ${user.role} ${user.email} in account ${account.slug} with the password from stdin`,
        );
      },
    );

  users
    .command('list')
    .description("list an account's users, oldest first")
    .requiredOption('--account <account>', 'account id or slug')
    .action(async (options: { account: string }, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const { account, list } = await withDatabase(async (sql) => {
        const account = await getAccount(sql, options.account);
        return { account, list: await listUsers(sql, account.id) };
      });
      out.result(list, () =>
        list.length === 0
          ? `account ${account.slug} has no users: mbuzz-ingest users create --account ${account.slug} --email you@example.com --role admin`
          : formatTable(
              ['email', 'role', 'created (UTC)', 'last login', 'id'],
              list.map((u) => [u.email, u.role, formatTime(u.createdAt), formatTime(u.lastLoginAt), u.id]),
            ),
      );
    });

  users
    .command('delete')
    .description('delete a user (by email or id) and end their sessions at once')
    .argument('[user]', 'the email or the id of the user (or use --email / --id)')
    .option('--email <email>', 'the email of the user')
    .option('--id <id>', 'the id of the user')
    .option('--account <account>', 'account id or slug, to narrow an id')
    .action(
      async (
        positional: string | undefined,
        options: { email?: string; id?: string; account?: string },
        command: Command,
      ) => {
        const out = createOutput(command.optsWithGlobals());
        const given = [positional, options.email, options.id].filter((v) => v !== undefined);
        if (given.length !== 1)
          throw new CliError('name the user once: an email or an id (or --email / --id)');
        const value = given[0] as string;
        const byId = options.id !== undefined || (positional !== undefined && UUID.test(positional));
        const user = await withDatabase(async (sql) => {
          const accountId = options.account ? (await getAccount(sql, options.account)).id : undefined;
          return deleteUser(
            sql,
            byId ? { id: value, ...(accountId ? { accountId } : {}) } : { email: value },
          );
        });
        out.result({ deleted: 1, ...user }, () => `deleted ${user.email}; their sessions have ended`);
      },
    );
}

/** Standard input to its end: `echo "$PASSWORD" | mbuzz-ingest users create … --password-stdin`. */
async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One trailing newline is the shell's, not the password's. */
const stripNewline = (text: string): string => text.replace(/\r?\n$/, '');
