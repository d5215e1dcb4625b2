import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import type { Environment } from '../accounts/api-keys.js';
import { eventTypes } from '../reports/event-types.js';
import { InvalidQueryError, parseQuery } from '../reports/parse-query.js';
import { MAX_RECENT_EVENTS, recentEvents } from '../reports/recent-events.js';
import { type QueryScope, runQuery } from '../reports/run-query.js';
import { toCsvLines } from '../reports/to-csv.js';
import { ApiError } from './api-error.js';
import { type AuthContext, requireScope } from './create-authenticator.js';

const invalidQuery = (message: string) => new ApiError(400, 'invalid_query', message);

/**
 * The data a request reads. A login session picks it (`live` by default); an API key reads its own
 * environment's only, so `environment` may repeat it or be left out.
 */
export function environmentOf(auth: AuthContext, requested: unknown): Environment {
  if (requested === undefined) return auth.environment;
  if (requested !== 'live' && requested !== 'test') {
    throw invalidQuery('environment: must be "live" or "test"');
  }
  if (!auth.user && requested !== auth.environment) {
    throw invalidQuery(
      `environment: API key ${auth.keyPrefix}… reads ${auth.environment} data only; send "${auth.environment}" or leave environment out`,
    );
  }
  return requested;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `?environment=` of a GET: one value at most. */
const environmentParam = (request: { query: unknown }): unknown => {
  const raw = (request.query as { environment?: unknown }).environment;
  return Array.isArray(raw) ? null : raw;
};

const wantsCsv = (accept: string | undefined) => accept !== undefined && /\btext\/csv\b/i.test(accept);

/**
 * POST /query (report query, JSON or CSV), GET /events/recent (live view) and GET /event-types. All need
 * the `read` scope; a test key reads test data, a live key live data, a login session the environment it
 * names (`environment`, default live).
 */
export function reportsRoutes(app: FastifyInstance, deps: { sql: Sql }): void {
  const timeZones = new Map<string, { value: string | null; at: number }>();
  const scopeOf = async (accountId: string, isTest: boolean): Promise<QueryScope> => {
    // The account's time zone changes rarely: read it at most once a minute per account.
    let cached = timeZones.get(accountId);
    if (!cached || Date.now() - cached.at > 60_000) {
      const [row] = await deps.sql<{ tz: string | null }[]>`
        SELECT settings->>'timezone' AS tz FROM accounts WHERE id = ${accountId}`;
      cached = { value: row?.tz ?? null, at: Date.now() };
      timeZones.set(accountId, cached);
    }
    return { accountId, isTest, accountTimeZone: cached.value };
  };

  app.post('/query', { config: { rateLimit: {} } }, async (request, reply) => {
    const auth = requireScope(request.auth, 'read');
    // `environment` picks the data; the rest is the query.
    let body = request.body;
    let requested: unknown;
    if (isObject(body) && 'environment' in body) {
      ({ environment: requested, ...body } = body);
    }
    const environment = environmentOf(auth, requested);
    let plan: ReturnType<typeof parseQuery>;
    try {
      plan = parseQuery(body);
    } catch (error) {
      if (error instanceof InvalidQueryError) throw invalidQuery(error.message);
      throw error;
    }
    const answer = await runQuery(deps.sql, await scopeOf(auth.accountId, environment === 'test'), plan);
    if (wantsCsv(request.headers.accept)) {
      const [from, to] = answer.meta.date_range;
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="mbuzz-${from}-${to}.csv"`);
      return reply.send(Readable.from(toCsvLines(answer)));
    }
    return answer;
  });

  app.get('/events/recent', { config: { rateLimit: {} } }, async (request) => {
    const auth = requireScope(request.auth, 'read');
    const raw = (request.query as { limit?: string }).limit;
    const limit = raw === undefined ? 50 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT_EVENTS) {
      throw invalidQuery(`limit: must be an integer from 1 to ${MAX_RECENT_EVENTS}`);
    }
    const environment = environmentOf(auth, environmentParam(request));
    const events = await recentEvents(
      deps.sql,
      { accountId: auth.accountId, isTest: environment === 'test' },
      limit,
    );
    return { events };
  });

  app.get('/event-types', { config: { rateLimit: {} } }, async (request) => {
    const auth = requireScope(request.auth, 'read');
    const environment = environmentOf(auth, environmentParam(request));
    return {
      event_types: await eventTypes(deps.sql, { accountId: auth.accountId, isTest: environment === 'test' }),
    };
  });
}
