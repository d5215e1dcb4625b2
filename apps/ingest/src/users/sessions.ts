import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from 'postgres';
import type { UserRole } from './users.js';

/** A session lasts 7 days from login (not sliding); then the user logs in again. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The parts of a session cookie's value (before signing): `<account_id>.<session id>.<token>`. */
export interface SessionRef {
  accountId: string;
  id: string;
  /** 256 random bits, base64url; only its SHA-256 is stored. */
  token: string;
}

/** A live session with its user and account. */
export interface SessionUser {
  ref: SessionRef;
  expiresAt: Date;
  user: { id: string; email: string; role: UserRole };
  account: { id: string; name: string; slug: string; status: string };
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const COOKIE_VALUE = new RegExp(`^(${UUID})\\.(${UUID})\\.([A-Za-z0-9_-]{43})$`);

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** The cookie value of a session (signed by the caller). */
export const formatSessionRef = (ref: SessionRef): string => `${ref.accountId}.${ref.id}.${ref.token}`;

/** Reads a cookie value written by {@link formatSessionRef}; `undefined` for anything else. */
export function parseSessionRef(value: string): SessionRef | undefined {
  const match = COOKIE_VALUE.exec(value);
  if (!match) return undefined;
  return { accountId: match[1] as string, id: match[2] as string, token: match[3] as string };
}

/**
 * The session's CSRF token: an HMAC of its secret token, so it needs no storage, differs per session, and
 * cannot be computed by a page that cannot read the (HttpOnly) cookie.
 */
export const csrfTokenOf = (ref: SessionRef): string =>
  createHmac('sha256', ref.token).update('mbuzz-csrf').digest('base64url');

/** Constant-time comparison of a sent CSRF token with the session's. */
export function isCsrfTokenOf(ref: SessionRef, sent: string | undefined): boolean {
  if (sent === undefined) return false;
  const expected = Buffer.from(csrfTokenOf(ref));
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Starts a session for a user who just proved their password: stores the token's digest, records the
 * login, and drops the user's expired sessions.
 */
export async function createSession(
  sql: Sql,
  input: { accountId: string; userId: string },
): Promise<{ ref: SessionRef; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO user_sessions (account_id, user_id, token_digest, expires_at)
    VALUES (${input.accountId}, ${input.userId}, ${digest(token)}, ${expiresAt})
    RETURNING id`;
  await sql`
    WITH expired AS (
      DELETE FROM user_sessions
      WHERE account_id = ${input.accountId} AND user_id = ${input.userId} AND expires_at <= now()
    )
    UPDATE users SET last_login_at = now() WHERE account_id = ${input.accountId} AND id = ${input.userId}`;
  return { ref: { accountId: input.accountId, id: row?.id as string, token }, expiresAt };
}

/** The live session of `ref` with its user and account; `undefined` if unknown, expired or forged. */
export async function findSession(sql: Sql, ref: SessionRef): Promise<SessionUser | undefined> {
  const [row] = await sql<
    {
      token_digest: Buffer;
      expires_at: Date;
      user_id: string;
      email: string;
      role: UserRole;
      name: string;
      slug: string;
      status: string;
    }[]
  >`
    SELECT s.token_digest, s.expires_at, u.id AS user_id, u.email, u.role, a.name, a.slug, a.status
    FROM user_sessions s
    JOIN users u ON u.account_id = s.account_id AND u.id = s.user_id
    JOIN accounts a ON a.id = s.account_id
    WHERE s.account_id = ${ref.accountId} AND s.id = ${ref.id} AND s.expires_at > now()`;
  if (!row) return undefined;
  const stored = Buffer.from(row.token_digest);
  if (!timingSafeEqual(stored, digest(ref.token))) return undefined;
  return {
    ref,
    expiresAt: row.expires_at,
    user: { id: row.user_id, email: row.email, role: row.role },
    account: { id: ref.accountId, name: row.name, slug: row.slug, status: row.status },
  };
}

/** Ends a session (logout); a no-op for an unknown one. */
export async function deleteSession(sql: Sql, ref: Pick<SessionRef, 'accountId' | 'id'>): Promise<void> {
  await sql`DELETE FROM user_sessions WHERE account_id = ${ref.accountId} AND id = ${ref.id}`;
}
