import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from 'postgres';
import { isConnectionError } from '../db/is-connection-error.js';
import {
  findSession,
  isCsrfTokenOf,
  parseSessionRef,
  SESSION_TTL_MS,
  type SessionRef,
  type SessionUser,
} from '../users/sessions.js';
import { ApiError, unavailable } from './api-error.js';

/** The dashboard's login cookie (signed `<account_id>.<session id>.<token>`). */
export const SESSION_COOKIE = 'mbuzz_session';
/** The header a cookie-authenticated POST (PUT, PATCH, DELETE) must carry: the session's `csrf_token`. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True over https, or behind a proxy that says so (a spoofed header only hides the cookie from its sender). */
function isHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return request.protocol === 'https' || first === 'https';
}

const cookieOptions = (request: FastifyRequest) =>
  ({
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
  }) as const;

/** Sets the signed session cookie (HttpOnly, SameSite=Lax, Secure over https, 7 days). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string): void {
  reply.setCookie(SESSION_COOKIE, value, {
    ...cookieOptions(request),
    signed: true,
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

/** Whether the request carries a session cookie at all (valid or not). */
export const hasSessionCookie = (request: FastifyRequest): boolean =>
  request.cookies?.[SESSION_COOKIE] !== undefined;

/** The session reference in the request's cookie if its signature holds; `undefined` otherwise. */
export function readSessionRef(request: FastifyRequest): SessionRef | undefined {
  const raw = request.cookies?.[SESSION_COOKIE];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value !== null ? parseSessionRef(unsigned.value) : undefined;
}

/**
 * Turns the session cookie into its live session, or an `ApiError`: 401 `missing_session` /
 * `invalid_session` / `account_suspended`, and — when `csrf` is set — 403 `invalid_csrf_token` unless the
 * `X-CSRF-Token` header holds the session's token. `csrf` defaults to "the method changes state".
 */
export async function authenticateSession(
  sql: Sql,
  request: FastifyRequest,
  options: { csrf?: boolean } = {},
): Promise<SessionUser> {
  if (!hasSessionCookie(request)) {
    throw new ApiError(401, 'missing_session', 'not logged in: POST /api/v1/auth/login first');
  }
  const ref = readSessionRef(request);
  let session: SessionUser | undefined;
  try {
    session = ref && (await findSession(sql, ref));
  } catch (error) {
    if (isConnectionError(error)) throw unavailable();
    throw error;
  }
  if (!session) throw new ApiError(401, 'invalid_session', 'the session has expired or ended: log in again');
  if (session.account.status !== 'active') {
    throw new ApiError(401, 'account_suspended', 'the account of this user is not active');
  }
  const csrf = options.csrf ?? !SAFE_METHODS.has(request.method);
  if (csrf) {
    const header = request.headers[CSRF_HEADER];
    if (!isCsrfTokenOf(session.ref, Array.isArray(header) ? header[0] : header)) {
      throw new ApiError(
        403,
        'invalid_csrf_token',
        'missing or wrong X-CSRF-Token header: send the csrf_token of GET /api/v1/auth/me',
      );
    }
  }
  return session;
}
