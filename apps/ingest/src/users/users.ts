import type { Sql } from 'postgres';
import { AmbiguousKeyError, InvalidInputError, NotFoundError } from '../accounts/errors.js';
import { hashPassword, validatePassword } from './passwords.js';

/** `admin` also manages keys and users (in the dashboard); `viewer` reads reports. */
export type UserRole = 'admin' | 'viewer';
export const USER_ROLES: readonly UserRole[] = ['admin', 'viewer'];

/** A dashboard user as listed: never the password digest. */
export interface User {
  id: string;
  accountId: string;
  email: string;
  role: UserRole;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const MAX_EMAIL_LENGTH = 254;
// A pragmatic shape: one @, a local part and a domain with a dot, no spaces or control characters.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UserRow {
  id: string;
  account_id: string;
  email: string;
  role: UserRole;
  created_at: Date;
  last_login_at: Date | null;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  accountId: row.account_id,
  email: row.email,
  role: row.role,
  createdAt: row.created_at,
  lastLoginAt: row.last_login_at,
});

/** Trimmed and lower-cased; `undefined` when it is not shaped like an email address. */
export function normalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email) || /[\u0000-\u001f\u007f]/.test(email)) {
    return undefined;
  }
  return email;
}

function requireEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (email === undefined) throw new InvalidInputError(`"${raw.slice(0, 80)}" is not an email address`);
  return email;
}

/**
 * Creates a user of an account. The email is stored lower-cased and is unique across all accounts
 * (login knows only the email); the password is stored as an argon2id digest.
 *
 * @example
 * const user = await createUser(sql, { accountId, email: 'ana@acme.example', role: 'admin', password });
 */
export async function createUser(
  sql: Sql,
  input: { accountId: string; email: string; password: string; role?: UserRole },
): Promise<User> {
  const email = requireEmail(input.email);
  const role = input.role ?? 'viewer';
  if (!USER_ROLES.includes(role)) throw new InvalidInputError('role must be "admin" or "viewer"');
  validatePassword(input.password);
  const [account] = await sql<{ id: string }[]>`SELECT id FROM accounts WHERE id::text = ${input.accountId}`;
  if (!account) throw new NotFoundError(`no account with id "${input.accountId}"`);
  const digest = await hashPassword(input.password);
  const [row] = await sql<UserRow[]>`
    INSERT INTO users (account_id, email, password_digest, role)
    VALUES (${account.id}, ${email}, ${digest}, ${role})
    ON CONFLICT ((lower(email))) DO NOTHING
    RETURNING id, account_id, email, role, created_at, last_login_at`;
  if (!row)
    throw new InvalidInputError(`a user with the email ${email} exists already (in this or another account)`);
  return toUser(row);
}

/** The account's users, oldest first. */
export async function listUsers(sql: Sql, accountId: string): Promise<User[]> {
  const rows = await sql<UserRow[]>`
    SELECT id, account_id, email, role, created_at, last_login_at
    FROM users WHERE account_id::text = ${accountId}
    ORDER BY created_at, email`;
  return rows.map(toUser);
}

/**
 * Deletes a user by email or by id (`accountId` narrows an id) and ends every session of theirs at once.
 * Throws {@link NotFoundError} when nothing matches.
 *
 * @example
 * await deleteUser(sql, { email: 'ana@acme.example' });
 */
export async function deleteUser(
  sql: Sql,
  target: { email: string } | { id: string; accountId?: string },
): Promise<User> {
  let rows: UserRow[];
  if ('email' in target) {
    const email = requireEmail(target.email);
    rows = await sql<UserRow[]>`
      DELETE FROM users WHERE lower(email) = ${email}
      RETURNING id, account_id, email, role, created_at, last_login_at`;
    if (!rows[0]) throw new NotFoundError(`no user with the email ${email}`);
  } else {
    if (!UUID.test(target.id)) throw new InvalidInputError(`"${target.id.slice(0, 80)}" is not a user id`);
    const accountId = target.accountId ?? null;
    const matches = await sql<{ account_id: string }[]>`
      SELECT account_id FROM users
      WHERE id = ${target.id} AND (${accountId}::text IS NULL OR account_id::text = ${accountId})`;
    if (matches.length === 0) throw new NotFoundError(`no user with the id ${target.id}`);
    // Ids are random UUIDs; the primary key is (account_id, id), so say so rather than guess.
    if (matches.length > 1)
      throw new AmbiguousKeyError(`several accounts have a user ${target.id}; name the account`);
    rows = await sql<UserRow[]>`
      DELETE FROM users WHERE account_id = ${matches[0]?.account_id as string} AND id = ${target.id}
      RETURNING id, account_id, email, role, created_at, last_login_at`;
    if (!rows[0]) throw new NotFoundError(`no user with the id ${target.id}`);
  }
  return toUser(rows[0] as UserRow);
}

/** What a login needs to know about the owner of an email. */
export interface LoginCandidate {
  user: User;
  passwordDigest: string;
  account: { id: string; name: string; slug: string; status: string };
}

/** The user with this email (any case), with its digest and account; `undefined` when none. */
export async function findLoginCandidate(sql: Sql, rawEmail: string): Promise<LoginCandidate | undefined> {
  const email = normalizeEmail(rawEmail);
  if (email === undefined) return undefined;
  const [row] = await sql<
    (UserRow & { password_digest: string; name: string; slug: string; status: string })[]
  >`
    SELECT u.id, u.account_id, u.email, u.role, u.created_at, u.last_login_at, u.password_digest,
           a.name, a.slug, a.status
    FROM users u JOIN accounts a ON a.id = u.account_id
    WHERE lower(u.email) = ${email}`;
  if (!row) return undefined;
  return {
    user: toUser(row),
    passwordDigest: row.password_digest,
    account: { id: row.account_id, name: row.name, slug: row.slug, status: row.status },
  };
}
