import type { Sql } from 'postgres';
import { type Account, createAccount, createApiKey, listAccounts } from '../accounts/index.js';
import { generatePassword } from '../users/passwords.js';
import { createUser } from '../users/users.js';

/** The dashboard login of the demo account. */
export const DEMO_EMAIL = 'demo@mbuzz.local';

/** What {@link seedDemo} found or made. */
export type DemoSeed =
  | {
      created: true;
      account: Account;
      key: string;
      prefix: string;
      /** The demo account's admin; the password exists only here (stored as a digest). */
      user: { email: string; password: string };
    }
  | { created: false; account: Account | undefined };

/**
 * On an empty database (no accounts at all) creates the "Demo" account, one `sk_test_` key and the
 * admin user `demo@mbuzz.local` with a generated password, so a first `pnpm start` can be tried with a
 * single curl and a login to the dashboard. Otherwise changes nothing and reports the demo account (or,
 * if the user removed or never had one, `undefined`). For the embedded database only: a DATABASE_URL
 * database is never seeded.
 *
 * @example
 * const seed = await seedDemo(sql);
 * if (seed.created) console.log(seed.key);
 */
export async function seedDemo(sql: Sql): Promise<DemoSeed> {
  const accounts = await listAccounts(sql);
  if (accounts.length > 0) {
    return { created: false, account: accounts.find((a) => a.slug === 'demo') ?? accounts[0] };
  }
  const account = await createAccount(sql, { name: 'Demo' });
  const created = await createApiKey(sql, {
    accountId: account.id,
    environment: 'test',
    description: 'created by the first start of the embedded database',
  });
  const password = generatePassword();
  const user = await createUser(sql, { accountId: account.id, email: DEMO_EMAIL, password, role: 'admin' });
  return {
    created: true,
    account,
    key: created.key,
    prefix: created.prefix,
    user: { email: user.email, password },
  };
}
