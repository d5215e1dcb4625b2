import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Sql } from 'postgres';
import {
  MAX_PASSWORD_LENGTH,
  prepareDummyDigest,
  verifyAgainstDummy,
  verifyPassword,
} from '../users/passwords.js';
import { createSession, csrfTokenOf, deleteSession, formatSessionRef } from '../users/sessions.js';
import { findLoginCandidate, normalizeEmail } from '../users/users.js';
import { ApiError } from './api-error.js';
import { authenticateSession, clearSessionCookie, readSessionRef, setSessionCookie } from './session-auth.js';

/** Login attempts are counted per email and per IP over this window. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export interface AuthRoutesOptions {
  sql: Sql;
  /** Attempts per email per window. */
  perEmailMax: number;
  /** Attempts per client IP per window. */
  perIpMax: number;
}

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^\s*application\/json\s*(;|$)/i.test(contentType);

const WRONG = 'email or password is wrong';

/**
 * What the dashboard needs of the account beyond its name: its time zone (`null` = UTC) and whether it
 * has any stored session of live / test traffic (its empty state). Two index probes on
 * sessions (account_id, is_test, …).
 */
async function accountOverview(sql: Sql, accountId: string) {
  const [row] = await sql<{ timezone: string | null; live: boolean; test: boolean }[]>`
    SELECT settings->>'timezone' AS timezone,
      EXISTS (SELECT 1 FROM sessions WHERE account_id = a.id AND is_test = false) AS live,
      EXISTS (SELECT 1 FROM sessions WHERE account_id = a.id AND is_test = true) AS test
    FROM accounts a WHERE a.id = ${accountId}`;
  return { timezone: row?.timezone ?? null, data: { live: row?.live ?? false, test: row?.test ?? false } };
}

/** The body of the login's answer and of GET /auth/me. */
async function sessionAnswer(
  sql: Sql,
  session: {
    ref: Parameters<typeof csrfTokenOf>[0];
    expiresAt: Date;
    user: { id: string; email: string; role: string };
    account: { id: string; name: string; slug: string };
  },
) {
  const overview = await accountOverview(sql, session.account.id);
  const { id, name, slug } = session.account;
  return {
    user: { id: session.user.id, email: session.user.email, role: session.user.role },
    account: { id, name, slug, timezone: overview.timezone },
    data: overview.data,
    csrf_token: csrfTokenOf(session.ref),
    expires_at: session.expiresAt.toISOString(),
  };
}

/** The counter key of an email: hashed, so Redis never holds addresses. Any string counts, valid or not. */
function emailKey(body: unknown): string {
  const raw = (body as { email?: unknown }).email;
  const email = typeof raw === 'string' ? (normalizeEmail(raw) ?? raw.trim().toLowerCase()) : '';
  return `login-email:${createHash('sha256').update(email).digest('hex').slice(0, 32)}`;
}

/**
 * The dashboard's login: `POST /auth/login`, `POST /auth/logout`, `GET /auth/me`. Needs `@fastify/cookie`
 * (with the session secrets) and `@fastify/rate-limit` registered on `app` or above it.
 */
export function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): void {
  const { sql } = options;
  // Hash the dummy now, so the first unknown email is not slower than a wrong password.
  void prepareDummyDigest();
  const perIp = app.createRateLimit({
    max: options.perIpMax,
    timeWindow: LOGIN_WINDOW_MS,
    keyGenerator: (request) => `login-ip:${request.ip}`,
  });
  const perEmail = app.createRateLimit({
    max: options.perEmailMax,
    timeWindow: LOGIN_WINDOW_MS,
    keyGenerator: (request) => emailKey(request.body),
  });
  const refuseIfLimited = async (request: FastifyRequest) => {
    const results = await Promise.all([perIp(request), perEmail(request)]);
    const exceeded = results.filter((r) => !r.isAllowed && r.isExceeded);
    if (exceeded.length === 0) return;
    const retryAfter = Math.max(1, ...exceeded.map((r) => (r.isAllowed ? 0 : r.ttlInSeconds)));
    throw new ApiError(429, 'rate_limited', `too many login attempts, retry in ${retryAfter} seconds`, {
      'retry-after': String(retryAfter),
    });
  };

  app.post('/auth/login', async (request, reply) => {
    if (!isJson(request.headers['content-type'])) {
      throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    const body = request.body as { email?: unknown; password?: unknown } | null;
    if (
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body) ||
      typeof body.email !== 'string' ||
      typeof body.password !== 'string' ||
      body.email.length > 1000 ||
      body.password.length > MAX_PASSWORD_LENGTH
    ) {
      throw new ApiError(
        400,
        'invalid_body',
        `body must be a JSON object with "email" and "password" strings (a password has at most ${MAX_PASSWORD_LENGTH} characters)`,
      );
    }
    await refuseIfLimited(request);

    const candidate = await findLoginCandidate(sql, body.email);
    // Unknown email or wrong password: the same answer after the same work.
    const ok = candidate
      ? await verifyPassword(candidate.passwordDigest, body.password)
      : await verifyAgainstDummy(body.password);
    if (!candidate || !ok) throw new ApiError(401, 'invalid_credentials', WRONG);
    if (candidate.account.status !== 'active') {
      throw new ApiError(401, 'account_suspended', 'the account of this user is not active');
    }

    // A login replaces the session this browser had, if any.
    const previous = readSessionRef(request);
    if (previous) await deleteSession(sql, previous);
    const session = await createSession(sql, { accountId: candidate.account.id, userId: candidate.user.id });
    setSessionCookie(request, reply, formatSessionRef(session.ref));
    return sessionAnswer(sql, { ...session, user: candidate.user, account: candidate.account });
  });

  app.post('/auth/logout', async (request, reply) => {
    // No live session: nothing to protect or end; the cookie is cleared all the same.
    const ref = readSessionRef(request);
    if (ref) {
      let live = true;
      try {
        await authenticateSession(sql, request, { csrf: true });
      } catch (error) {
        if (!(error instanceof ApiError) || error.code === 'invalid_csrf_token' || error.statusCode >= 500) {
          throw error;
        }
        live = error.code === 'account_suspended';
      }
      if (live) await deleteSession(sql, ref);
    }
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get('/auth/me', async (request) => {
    return sessionAnswer(sql, await authenticateSession(sql, request));
  });
}
