import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';

/** GET /health — no key, no rate limit; 503 when the database does not answer within `timeoutMs`. */
export function healthRoute(
  app: FastifyInstance,
  deps: { sql: Sql; version: string; timeoutMs: number },
): void {
  app.get('/health', async (request, reply) => {
    const ok = await databaseAnswers(deps.sql, deps.timeoutMs).catch((error: unknown) => {
      request.log.warn({ code: (error as { code?: string }).code }, 'health check: database unreachable');
      return false;
    });
    if (ok) return { status: 'ok', version: deps.version, database: 'ok' };
    reply.code(503).header('retry-after', '1');
    return { status: 'unavailable', version: deps.version, database: 'unreachable' };
  });
}

async function databaseAnswers(sql: Sql, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = sql`SELECT 1`.then(() => true);
  // If the timer wins, the query may still settle later; keep its rejection from going unhandled.
  query.catch(() => {});
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
