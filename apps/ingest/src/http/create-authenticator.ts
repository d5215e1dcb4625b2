import type { FastifyBaseLogger } from 'fastify';
import type { Sql } from 'postgres';
import {
  API_KEY_PATTERN,
  type ApiKeyScope,
  apiKeyPrefix,
  digestApiKey,
  type Environment,
} from '../accounts/api-keys.js';
import { isConnectionError } from '../db/is-connection-error.js';
import type { SessionUser } from '../users/sessions.js';
import type { UserRole } from '../users/users.js';
import { ApiError, unavailable } from './api-error.js';

/** Who is calling: set on `request.auth` for authenticated routes. */
export interface AuthContext {
  keyId: string;
  keyPrefix: string;
  accountId: string;
  accountName: string;
  environment: Environment;
  /** What the key may do: `ingest` sends events, `read` queries reports. */
  scope: ApiKeyScope;
  /** Set when a dashboard login session (not an API key) authenticated the request. */
  user?: { id: string; email: string; role: UserRole };
}

/**
 * The AuthContext of a dashboard login session: its account's live data, read-only. `keyId` is
 * `user:<id>` (per-user rate limits), `keyPrefix` is `session`.
 */
export function sessionAuthContext(session: SessionUser): AuthContext {
  return {
    keyId: `user:${session.user.id}`,
    keyPrefix: 'session',
    accountId: session.account.id,
    accountName: session.account.name,
    environment: 'live',
    scope: 'read',
    user: session.user,
  };
}

interface KeyRecord extends AuthContext {
  revoked: boolean;
  accountStatus: string;
}

interface CacheEntry {
  expiresAt: number;
  record: Promise<KeyRecord | null>;
  /** The key's id once the lookup has found it. */
  keyId?: string;
}

export interface AuthenticatorOptions {
  sql: Sql;
  logger?: FastifyBaseLogger;
  /** How long a lookup (hit or miss) is reused; at most 5 s so a revocation is seen within 5 s. */
  cacheTtlMs?: number;
  /** Minimum interval between `last_used_at` writes for one key. */
  lastUsedIntervalMs?: number;
  /** Bound on cached keys, so random keys cannot grow memory without limit. */
  maxCacheEntries?: number;
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/**
 * Turns an `Authorization` header into an {@link AuthContext} or an `ApiError` (401 codes of docs/api.md).
 * Lookups by key digest are cached in memory; concurrent lookups of one key share one query.
 */
export function createAuthenticator(options: AuthenticatorOptions) {
  const { sql, logger } = options;
  const ttlMs = Math.min(options.cacheTtlMs ?? 5000, 5000);
  const lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
  const maxEntries = options.maxCacheEntries ?? 10_000;
  const cache = new Map<string, CacheEntry>();
  const lastUsedWrites = new Map<string, number>();

  const lookup = (digest: Buffer): Promise<KeyRecord | null> =>
    sql<
      {
        id: string;
        key_prefix: string;
        account_id: string;
        environment: Environment;
        scope: ApiKeyScope;
        revoked: boolean;
        name: string;
        status: string;
      }[]
    >`
      SELECT k.id, k.key_prefix, k.account_id, k.environment, k.scope, k.revoked_at IS NOT NULL AS revoked,
             a.name, a.status
      FROM api_keys k JOIN accounts a ON a.id = k.account_id
      WHERE k.key_digest = ${digest}`.then(([row]) =>
      row
        ? {
            keyId: row.id,
            keyPrefix: row.key_prefix,
            accountId: row.account_id,
            accountName: row.name,
            environment: row.environment,
            scope: row.scope,
            revoked: row.revoked,
            accountStatus: row.status,
          }
        : null,
    );

  const cachedLookup = (key: string): Promise<KeyRecord | null> => {
    const digest = digestApiKey(key);
    const cacheKey = digest.toString('base64');
    const now = Date.now();
    const hit = cache.get(cacheKey);
    if (hit && hit.expiresAt > now) return hit.record;
    if (hit) cache.delete(cacheKey);
    const record = lookup(digest);
    // A failed lookup is not cached: the next request tries the database again.
    record.catch(() => {
      if (cache.get(cacheKey)?.record === record) cache.delete(cacheKey);
    });
    const entry: CacheEntry = { expiresAt: now + ttlMs, record };
    record.then(
      (found) => {
        if (found) entry.keyId = found.keyId;
      },
      () => {},
    );
    cache.set(cacheKey, entry);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return record;
  };

  // Off the hot path: not awaited, at most once per interval per key, failures only logged.
  const touchLastUsed = (record: KeyRecord): void => {
    const now = Date.now();
    if (now - (lastUsedWrites.get(record.keyId) ?? 0) < lastUsedIntervalMs) return;
    lastUsedWrites.set(record.keyId, now);
    sql`UPDATE api_keys SET last_used_at = now() WHERE account_id = ${record.accountId} AND id = ${record.keyId}`.catch(
      (error: unknown) => {
        logger?.warn(
          { keyPrefix: record.keyPrefix, code: (error as { code?: string }).code },
          'could not record last_used_at',
        );
      },
    );
  };

  return {
    async authenticate(header: string | undefined): Promise<AuthContext> {
      if (header === undefined || header.trim() === '') {
        throw new ApiError(401, 'missing_api_key', 'missing Authorization header: send "Bearer sk_…"');
      }
      const key = BEARER.exec(header)?.[1];
      if (key === undefined || !API_KEY_PATTERN.test(key)) {
        throw new ApiError(
          401,
          'malformed_api_key',
          'Authorization must be "Bearer sk_test_…" or "Bearer sk_live_…"',
        );
      }
      let record: KeyRecord | null;
      try {
        record = await cachedLookup(key);
      } catch (error) {
        if (isConnectionError(error)) throw unavailable();
        throw error;
      }
      if (record === null)
        throw new ApiError(401, 'invalid_api_key', `unknown API key ${apiKeyPrefix(key)}…`);
      if (record.revoked)
        throw new ApiError(401, 'revoked_api_key', `API key ${record.keyPrefix}… was revoked`);
      if (record.accountStatus !== 'active') {
        throw new ApiError(401, 'account_suspended', 'the account of this API key is not active');
      }
      touchLastUsed(record);
      const { revoked: _r, accountStatus: _s, ...context } = record;
      return context;
    },
    /**
     * Forgets the cached lookups of one key (and any lookup still running), so this instance refuses a
     * key it revoked at once; other instances do within the cache lifetime.
     */
    forget(keyId: string): void {
      for (const [cacheKey, entry] of cache) {
        if (entry.keyId === undefined || entry.keyId === keyId) cache.delete(cacheKey);
      }
    },
    /** Forgets every cached lookup (tests, or after a bulk revocation). */
    clear(): void {
      cache.clear();
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

/**
 * Refuses a caller whose key lacks `scope` with 403 `insufficient_scope`.
 *
 * @example
 * app.addHook('preHandler', async (request) => requireScope(request.auth, 'read'));
 */
export function requireScope(auth: AuthContext | null, scope: ApiKeyScope): AuthContext {
  if (!auth) throw new Error('route reached without authentication');
  if (auth.scope !== scope) {
    if (auth.user) {
      throw new ApiError(
        403,
        'insufficient_scope',
        `a login session can only read reports; this endpoint needs an API key with the "${scope}" scope`,
      );
    }
    throw new ApiError(
      403,
      'insufficient_scope',
      `API key ${auth.keyPrefix}… has the "${auth.scope}" scope; this endpoint needs a key with the "${scope}" scope`,
    );
  }
  return auth;
}
