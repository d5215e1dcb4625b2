import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { AmbiguousKeyError, InvalidInputError, NotFoundError } from './errors.js';

export type Environment = 'test' | 'live';

/** What a key may do: `ingest` sends events (the SDK's key), `read` queries reports. */
export type ApiKeyScope = 'ingest' | 'read';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['ingest', 'read'];

/** A freshly created key. `key` is the only time the plain key exists; it is not stored. */
export interface CreatedApiKey {
  id: string;
  key: string;
  prefix: string;
  environment: Environment;
  scope: ApiKeyScope;
}

/** A stored key as listed: never the key nor its digest. */
export interface ApiKeySummary {
  id: string;
  accountId: string;
  prefix: string;
  environment: Environment;
  scope: ApiKeyScope;
  description: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const ENVIRONMENTS: readonly Environment[] = ['test', 'live'];
/** `sk_test_` / `sk_live_` followed by 32 lowercase hex (128 bits). */
export const API_KEY_PATTERN = /^sk_(test|live)_[0-9a-f]{32}$/;
const PREFIX_LENGTH = 12;

/** SHA-256 of the key: the only form a key is stored in. */
export const digestApiKey = (key: string): Buffer => createHash('sha256').update(key).digest();

/** First 12 characters, e.g. `sk_live_3f9a`: enough to recognise a key, too little to use it. */
export const apiKeyPrefix = (key: string): string => key.slice(0, PREFIX_LENGTH);

/**
 * Creates a key for an account. Returns the plain key once.
 *
 * @example
 * const { key, prefix } = await createApiKey(sql, { accountId: account.id, environment: 'test' });
 */
export async function createApiKey(
  sql: Sql,
  input: { accountId: string; environment: Environment; scope?: ApiKeyScope; description?: string },
): Promise<CreatedApiKey> {
  if (!ENVIRONMENTS.includes(input.environment)) {
    throw new InvalidInputError(`environment must be "test" or "live"`);
  }
  const scope = input.scope ?? 'ingest';
  if (!API_KEY_SCOPES.includes(scope)) throw new InvalidInputError('scope must be "ingest" or "read"');
  const accounts = await sql<{ id: string }[]>`
    SELECT id FROM accounts WHERE id::text = ${input.accountId}`;
  if (!accounts[0]) throw new NotFoundError(`no account with id "${input.accountId}"`);

  const key = `sk_${input.environment}_${randomBytes(16).toString('hex')}`;
  const prefix = apiKeyPrefix(key);
  const rows = await sql<{ id: string }[]>`
    INSERT INTO api_keys (account_id, key_digest, key_prefix, environment, scope, description)
    VALUES (${accounts[0].id}, ${digestApiKey(key)}, ${prefix}, ${input.environment}, ${scope},
            ${input.description ?? null})
    RETURNING id`;
  return { id: rows[0]?.id as string, key, prefix, environment: input.environment, scope };
}

interface KeyRow {
  id: string;
  account_id: string;
  key_prefix: string;
  environment: Environment;
  scope: ApiKeyScope;
  description: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The account's keys, newest first, revoked ones included (with `revokedAt`). */
export async function listApiKeys(sql: Sql, accountId: string): Promise<ApiKeySummary[]> {
  const rows = await sql<KeyRow[]>`
    SELECT id, account_id, key_prefix, environment, scope, description, created_at, last_used_at, revoked_at
    FROM api_keys WHERE account_id::text = ${accountId}
    ORDER BY created_at DESC, id`;
  return rows.map(toSummary);
}

/** One key of the account by id; `undefined` for an unknown id, a malformed one or another account's. */
export async function getApiKey(sql: Sql, accountId: string, id: string): Promise<ApiKeySummary | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await sql<KeyRow[]>`
    SELECT id, account_id, key_prefix, environment, scope, description, created_at, last_used_at, revoked_at
    FROM api_keys WHERE account_id::text = ${accountId} AND id = ${id}`;
  return row && toSummary(row);
}

/**
 * Revokes one key of the account by id (the dashboard's revoke). `false` when the account has no such
 * key; revoking a revoked key again changes nothing and is `true`. Every instance refuses the key within
 * 5 s (the auth cache lifetime).
 *
 * @example
 * if (!(await revokeApiKeyById(sql, accountId, id))) throw new NotFoundError('no such key');
 */
export async function revokeApiKeyById(sql: Sql, accountId: string, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const [row] = await sql<{ id: string }[]>`
    UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
    WHERE account_id::text = ${accountId} AND id = ${id}
    RETURNING id`;
  return row !== undefined;
}

function toSummary(r: KeyRow): ApiKeySummary {
  return {
    id: r.id,
    accountId: r.account_id,
    prefix: r.key_prefix,
    environment: r.environment,
    scope: r.scope,
    description: r.description,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/**
 * Revokes the one active key with this prefix (or this full key). Throws {@link NotFoundError} when no
 * active key matches and {@link AmbiguousKeyError} when several do (pass `accountId` to choose).
 * Every instance refuses the key within 5 s (the auth cache lifetime).
 *
 * @example
 * await revokeApiKey(sql, 'sk_live_3f9a'); // { revoked: 1 }
 */
export async function revokeApiKey(
  sql: Sql,
  prefixOrKey: string,
  options: { accountId?: string } = {},
): Promise<{ revoked: number }> {
  const input = prefixOrKey.trim();
  const byKey = API_KEY_PATTERN.test(input);
  if (!byKey && input.length < PREFIX_LENGTH) {
    throw new InvalidInputError(`a key prefix has ${PREFIX_LENGTH} characters, e.g. sk_live_3f9a`);
  }
  const prefix = apiKeyPrefix(input);
  const accountId = options.accountId ?? null;
  const candidates = await sql<{ account_id: string; id: string }[]>`
    SELECT account_id, id FROM api_keys
    WHERE revoked_at IS NULL
      AND ${byKey ? sql`key_digest = ${digestApiKey(input)}` : sql`key_prefix = ${prefix}`}
      AND (${accountId}::text IS NULL OR account_id::text = ${accountId})`;
  if (candidates.length === 0) throw new NotFoundError(`no active API key matches "${prefix}"`);
  if (candidates.length > 1) {
    throw new AmbiguousKeyError(
      `${candidates.length} active API keys start with "${prefix}"; name the account to choose one`,
    );
  }
  const only = candidates[0] as { account_id: string; id: string };
  const result = await sql`
    UPDATE api_keys SET revoked_at = now()
    WHERE account_id = ${only.account_id} AND id = ${only.id} AND revoked_at IS NULL`;
  return { revoked: result.count };
}
