import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { createAccount } from '../../src/accounts/accounts.js';
import { createApiKey, type Environment } from '../../src/accounts/api-keys.js';
import { type BuildAppOptions, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';

export const testConfig = (overrides: Partial<Config> = {}): Config => ({
  ...loadConfig({}),
  databaseUrl: 'postgres://unused',
  ...overrides,
});

export function createTestApp(sql: Sql, options: Partial<BuildAppOptions> = {}): FastifyInstance {
  return buildApp({ config: testConfig(), sql, authCacheTtlMs: 0, ...options });
}

/** A fresh account with one key; returns the Authorization header value too. */
export async function createTestTenant(sql: Sql, name = 'Tenant', environment: Environment = 'live') {
  const account = await createAccount(sql, { name });
  const key = await createApiKey(sql, { accountId: account.id, environment });
  return { account, key, authorization: `Bearer ${key.key}` };
}

let counter = 0;
/** A valid wire event; ids are unique per call unless given. */
export function makeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const hex = counter.toString(16).padStart(12, '0');
  return {
    event_id: `01936f6e-8b2a-7c3d-9e4f-${hex}`,
    event_type: 'page_view',
    visitor_id: 'v1',
    session_id: 's1',
    timestamp: '2025-11-06T10:30:45.123Z',
    properties: { url: 'https://example.com/', path: '/' },
    ...overrides,
  };
}

export function postEvents(app: FastifyInstance, authorization: string, body: unknown) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { authorization, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
