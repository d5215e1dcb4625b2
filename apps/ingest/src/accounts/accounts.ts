import type { Sql } from 'postgres';
import { isTimeZone } from '../reports/parse-query.js';
import { InvalidInputError, NotFoundError } from './errors.js';

export type AccountStatus = 'active' | 'suspended';

export interface Account {
  id: string;
  name: string;
  slug: string;
  status: AccountStatus;
  createdAt: Date;
}

const STATUSES: readonly AccountStatus[] = ['active', 'suspended'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AccountRow {
  id: string;
  name: string;
  slug: string;
  status: AccountStatus;
  created_at: Date;
}

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  status: row.status,
  createdAt: row.created_at,
});

/** `"Acme Café, Inc."` → `"acme-cafe-inc"`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug === '' ? 'account' : slug;
}

/**
 * Creates an active account. The slug comes from the name; a taken slug gets a numeric suffix (`acme-2`).
 *
 * @example
 * const account = await createAccount(sql, { name: 'Acme' }); // { id, name: 'Acme', slug: 'acme', … }
 */
export async function createAccount(sql: Sql, input: { name: string }): Promise<Account> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '' || name.length > 200) {
    throw new InvalidInputError('account name must be 1–200 characters');
  }
  const base = slugify(name);
  // Concurrent creators can pick the same suffix; the unique index decides and the loser tries again.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const taken = await sql<{ slug: string }[]>`
      SELECT slug FROM accounts WHERE slug = ${base} OR slug LIKE ${`${base}-%`}`;
    const slug = nextFreeSlug(base, new Set(taken.map((r) => r.slug)));
    const rows = await sql<AccountRow[]>`
      INSERT INTO accounts (name, slug) VALUES (${name}, ${slug})
      ON CONFLICT (slug) DO NOTHING
      RETURNING id, name, slug, status, created_at`;
    if (rows[0]) return toAccount(rows[0]);
  }
  throw new Error(`could not find a free slug for "${base}"`);
}

function nextFreeSlug(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** All accounts, oldest first. */
export async function listAccounts(sql: Sql): Promise<Account[]> {
  const rows = await sql<AccountRow[]>`
    SELECT id, name, slug, status, created_at FROM accounts ORDER BY created_at, slug`;
  return rows.map(toAccount);
}

/**
 * The account with this id or slug, or `undefined`.
 *
 * @example
 * const account = await findAccount(sql, 'acme');
 */
export async function findAccount(sql: Sql, idOrSlug: string): Promise<Account | undefined> {
  const rows = UUID.test(idOrSlug)
    ? await sql<AccountRow[]>`
        SELECT id, name, slug, status, created_at FROM accounts WHERE id = ${idOrSlug}::uuid OR slug = ${idOrSlug}`
    : await sql<AccountRow[]>`
        SELECT id, name, slug, status, created_at FROM accounts WHERE slug = ${idOrSlug}`;
  return rows[0] ? toAccount(rows[0]) : undefined;
}

/** Like {@link findAccount} but throws {@link NotFoundError} when there is no such account. */
export async function getAccount(sql: Sql, idOrSlug: string): Promise<Account> {
  const account = await findAccount(sql, idOrSlug);
  if (!account) throw new NotFoundError(`no account with id or slug "${idOrSlug}"`);
  return account;
}

/**
 * Activates or suspends an account (by id or slug). Keys of a suspended account get 401
 * `account_suspended` once the auth cache expires (≤ 5 s).
 *
 * @example
 * await setAccountStatus(sql, account.id, 'suspended');
 */
export async function setAccountStatus(sql: Sql, idOrSlug: string, status: AccountStatus): Promise<Account> {
  if (!STATUSES.includes(status)) {
    throw new InvalidInputError(`status must be one of ${STATUSES.join(', ')}`);
  }
  const account = await getAccount(sql, idOrSlug);
  const rows = await sql<AccountRow[]>`
    UPDATE accounts SET status = ${status} WHERE id = ${account.id}
    RETURNING id, name, slug, status, created_at`;
  if (!rows[0]) throw new NotFoundError(`no account with id or slug "${idOrSlug}"`);
  return toAccount(rows[0]);
}

/**
 * Sets the account's time zone (an IANA name), used by reports that name none. Throws
 * {@link InvalidInputError} for an unknown zone.
 *
 * @example
 * await setAccountTimeZone(sql, 'acme', 'Europe/Berlin');
 */
export async function setAccountTimeZone(sql: Sql, idOrSlug: string, timeZone: string): Promise<Account> {
  if (!isTimeZone(timeZone)) {
    throw new InvalidInputError(
      `"${timeZone.slice(0, 64)}" is not an IANA time zone such as Europe/Berlin or UTC`,
    );
  }
  const account = await getAccount(sql, idOrSlug);
  await sql`
    UPDATE accounts SET settings = settings || jsonb_build_object('timezone', ${timeZone}::text)
    WHERE id = ${account.id}`;
  return account;
}
