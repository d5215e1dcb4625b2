import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Sql } from 'postgres';
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  type ApiKeySummary,
  createApiKey,
  type Environment,
  getApiKey,
  listApiKeys,
  revokeApiKeyById,
} from '../accounts/api-keys.js';
import { ApiError } from './api-error.js';
import { type Authenticator, sessionAuthContext } from './create-authenticator.js';
import { authenticateSession } from './session-auth.js';

/** Longest description of a key created in the dashboard. */
export const MAX_KEY_DESCRIPTION_LENGTH = 200;

const ENVIRONMENTS: readonly Environment[] = ['test', 'live'];
const BODY_FIELDS = ['environment', 'scope', 'description'];

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^\s*application\/json\s*(;|$)/i.test(contentType);

/** A key as the API shows it: never the key itself nor its digest. */
export function keyJson(key: ApiKeySummary) {
  return {
    id: key.id,
    prefix: key.prefix,
    environment: key.environment,
    scope: key.scope,
    description: key.description,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Validates the body of POST /keys; every failure is a 400 `invalid_body` naming the field. */
function parseCreateBody(body: unknown): {
  environment: Environment;
  scope: ApiKeyScope;
  description: string | undefined;
} {
  const bad = (message: string) => new ApiError(400, 'invalid_body', message);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw bad(
      'body must be a JSON object: {"environment": "test"|"live", "scope": "ingest"|"read", "description"?: "…"}',
    );
  }
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!BODY_FIELDS.includes(name)) {
      throw bad(`${name.slice(0, 50)}: unknown field; allowed: environment, scope, description`);
    }
  }
  const { environment, scope, description } = fields;
  if (!ENVIRONMENTS.includes(environment as Environment)) {
    throw bad('environment: must be "test" or "live"');
  }
  if (!API_KEY_SCOPES.includes(scope as ApiKeyScope)) {
    throw bad('scope: must be "ingest" (sends events) or "read" (queries reports)');
  }
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw bad('description: must be a string');
  }
  const text = typeof description === 'string' ? description.trim() : '';
  if ([...text].length > MAX_KEY_DESCRIPTION_LENGTH) {
    throw bad(`description: must be at most ${MAX_KEY_DESCRIPTION_LENGTH} characters`);
  }
  return {
    environment: environment as Environment,
    scope: scope as ApiKeyScope,
    description: text === '' ? undefined : text,
  };
}

/**
 * The dashboard's key management: `GET /keys`, `POST /keys`, `DELETE /keys/:id`, for a login session of
 * an admin (a viewer gets 403 `forbidden`, an API key 403 `insufficient_scope`; POST and DELETE need the
 * session's `X-CSRF-Token`). Needs `@fastify/cookie` (with the session secrets) on `app` or above it.
 */
export function keysRoutes(app: FastifyInstance, deps: { sql: Sql; authenticator: Authenticator }): void {
  const { sql, authenticator } = deps;

  // Before the rate-limit hook of the routes, so limits count per user.
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.headers.authorization !== undefined) {
      // A valid key is refused for what it is; an invalid one with its 401.
      const key = await authenticator.authenticate(request.headers.authorization);
      throw new ApiError(
        403,
        'insufficient_scope',
        `API key ${key.keyPrefix}… cannot manage keys: log in to the dashboard as an admin`,
      );
    }
    const session = await authenticateSession(sql, request);
    request.auth = sessionAuthContext(session);
    if (session.user.role !== 'admin') {
      throw new ApiError(403, 'forbidden', 'only an admin of the account can manage API keys');
    }
  });

  const accountOf = (request: FastifyRequest): string => {
    if (!request.auth) throw new Error('route reached without authentication');
    return request.auth.accountId;
  };

  app.get('/keys', { config: { rateLimit: {} } }, async (request) => {
    const keys = await listApiKeys(sql, accountOf(request));
    // Active keys first, each group newest first (listApiKeys' order; sort is stable).
    keys.sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
    return { keys: keys.map(keyJson) };
  });

  app.post('/keys', { config: { rateLimit: {} } }, async (request, reply) => {
    if (!isJson(request.headers['content-type'])) {
      throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    const input = parseCreateBody(request.body);
    const accountId = accountOf(request);
    const created = await createApiKey(sql, {
      accountId,
      ...input,
      ...(input.description === undefined ? {} : { description: input.description }),
    });
    const key = await getApiKey(sql, accountId, created.id);
    if (!key) throw new Error('a created key was not found');
    request.log.info(
      { keyPrefix: key.prefix, scope: key.scope, environment: key.environment },
      'API key created',
    );
    return reply.code(201).send({ key: keyJson(key), secret: created.key });
  });

  app.delete('/keys/:id', { config: { rateLimit: {} } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const accountId = accountOf(request);
    if (!(await revokeApiKeyById(sql, accountId, id))) {
      throw new ApiError(404, 'not_found', `no API key ${id.slice(0, 60)} in this account`);
    }
    // This instance refuses the key from now on; the others within their cache lifetime (≤ 5 s).
    authenticator.forget(id);
    request.log.info({ keyId: id }, 'API key revoked');
    return reply.code(204).send();
  });
}
