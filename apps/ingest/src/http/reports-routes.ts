import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { InvalidQueryError, parseQuery } from '../reports/parse-query.js';
import { MAX_RECENT_EVENTS, recentEvents } from '../reports/recent-events.js';
import { type QueryScope, runQuery } from '../reports/run-query.js';
import { toCsvLines } from '../reports/to-csv.js';
import { ApiError } from './api-error.js';
import { requireScope } from './create-authenticator.js';

const wantsCsv = (accept: string | undefined) => accept !== undefined && /\btext\/csv\b/i.test(accept);

/**
 * POST /query (report query, JSON or CSV) and GET /events/recent (live view). Both need the `read` scope;
 * a test key reads test data, a live key live data.
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
    let plan: ReturnType<typeof parseQuery>;
    try {
      plan = parseQuery(request.body);
    } catch (error) {
      if (error instanceof InvalidQueryError) throw new ApiError(400, 'invalid_query', error.message);
      throw error;
    }
    const answer = await runQuery(deps.sql, await scopeOf(auth.accountId, auth.environment === 'test'), plan);
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
      throw new ApiError(400, 'invalid_query', `limit: must be an integer from 1 to ${MAX_RECENT_EVENTS}`);
    }
    const events = await recentEvents(
      deps.sql,
      { accountId: auth.accountId, isTest: auth.environment === 'test' },
      limit,
    );
    return { events };
  });
}
