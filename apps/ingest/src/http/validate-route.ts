import type { FastifyInstance } from 'fastify';

/** GET /validate — tells a key's owner which account and environment the key belongs to. */
export function validateRoute(app: FastifyInstance): void {
  app.get('/validate', { config: { rateLimit: {} } }, async (request) => {
    const auth = request.auth;
    if (!auth) throw new Error('validate route reached without authentication');
    return {
      valid: true,
      account: { id: auth.accountId, name: auth.accountName },
      environment: auth.environment,
    };
  });
}
