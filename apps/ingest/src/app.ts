import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { Redis } from 'ioredis';
import type { Sql } from 'postgres';
import packageJson from '../package.json' with { type: 'json' };
import type { Config } from './config.js';
import { createBatchWriter } from './events/create-batch-writer.js';
import { ApiError, unavailable } from './http/api-error.js';
import { authRoutes } from './http/auth-routes.js';
import {
  type AuthContext,
  createAuthenticator,
  requireScope,
  sessionAuthContext,
} from './http/create-authenticator.js';
import { dashboardRoutes, isApiPath, setDashboardHeaders } from './http/dashboard-routes.js';
import { errorHandler } from './http/error-handler.js';
import { eventsRoute } from './http/events-route.js';
import { healthRoute } from './http/health-route.js';
import { keysRoutes } from './http/keys-routes.js';
import { parseJsonBody } from './http/parse-json-body.js';
import { reportsRoutes } from './http/reports-routes.js';
import { authenticateSession, hasSessionCookie } from './http/session-auth.js';
import { validateRoute } from './http/validate-route.js';
import { randomSessionSecret } from './users/session-secret.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key and account; set on authenticated routes before the handler runs. */
    auth: AuthContext | null;
  }
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface BuildAppOptions {
  config: Config;
  sql: Sql;
  /** A pino logger; without one the app logs nothing. */
  logger?: FastifyBaseLogger;
  /** Shared rate-limit counters. Without one, `config.redisUrl` is used if set, else in-process counters. */
  redis?: Redis;
  /** Lifetime of cached key lookups (≤ 5000 ms). Tests shorten it. */
  authCacheTtlMs?: number;
  /** How long a request waits for a free database slot before a 503 (default 2000 ms). */
  dbQueueTimeoutMs?: number;
  /** Health check database timeout (default 1000 ms). */
  healthTimeoutMs?: number;
}

/**
 * Builds the ingest HTTP app (routes under `/api/v1`). It never listens; `startServer` or `app.inject`
 * drive it. The caller owns `sql` and closes it after `app.close()`.
 *
 * @example
 * const app = buildApp({ config: loadConfig(), sql });
 * const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const { config, sql } = options;
  const { trustProxy } = config;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind a load balancer: the client's IP (login limits) and protocol (the cookie's Secure).
    // (A hop count as the function Fastify would make of it: its types take no number.)
    trustProxy:
      typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    // One access-log line per request (below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Our own 503 (envelope + Retry-After) replaces Fastify's while closing.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    if (config.dashboard && !isApiPath(request.url)) setDashboardHeaders(reply);
    if (closing) {
      reply.header('connection', 'close');
      throw unavailable('server is shutting down, retry later');
    }
  });

  // Fail fast instead of queueing while Redis is away: with skipOnError the request then goes through
  // uncounted rather than waiting on ioredis' reconnect loop.
  const ownRedis =
    !options.redis && config.redisUrl
      ? new Redis(config.redisUrl, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 1000,
          commandTimeout: 500,
        })
      : undefined;
  const redis = options.redis ?? ownRedis;
  if (ownRedis) {
    let reported = false; // ioredis emits an error per reconnect attempt: log the first of a streak
    ownRedis.on('error', (error) => {
      if (!reported) app.log.warn({ error: error.message }, 'redis unavailable: rate limits not enforced');
      reported = true;
    });
    ownRedis.on('ready', () => {
      reported = false;
    });
    app.addHook('onClose', async () => {
      await ownRedis.quit().catch(() => ownRedis.disconnect());
    });
  }

  // Without SESSION_SECRET (tests, programmatic use) sessions are signed with a secret of this app only;
  // startServer() passes a persisted one for the embedded database.
  const sessionSecrets = config.sessionSecrets ?? [randomSessionSecret()];
  const authenticator = createAuthenticator({ sql, logger: app.log, cacheTtlMs: options.authCacheTtlMs });
  // Group commit: batches arriving while every slot is busy share the next statement. One connection of
  // the pool stays free of ingest work, so key lookups and health checks never queue behind it.
  const writer = createBatchWriter({
    sql,
    // The pool's real size: the embedded database has one connection whatever DATABASE_POOL_MAX says.
    maxConcurrent: Math.max(1, (sql.options?.max ?? config.databasePoolMax) - 1),
    queueTimeoutMs: options.dbQueueTimeoutMs ?? 2000,
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        keyPrefix: request.auth?.keyPrefix,
        userId: request.auth?.user?.id,
      },
      'request',
    );
  });

  app.decorateRequest('auth', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.setErrorHandler(errorHandler);
  const jsonNotFound = (request: FastifyRequest, reply: FastifyReply) => {
    reply.code(404).send({
      error: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`,
      code: 'not_found',
    });
  };
  // The dashboard's files at /, its client-side routes answered with index.html; else the JSON 404.
  if (config.dashboard) dashboardRoutes(app, { dir: config.dashboardDir }, jsonNotFound);
  else app.setNotFoundHandler(jsonNotFound);

  app.register(rateLimit, {
    global: false,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    ...(redis ? { redis, nameSpace: 'mbuzz-ratelimit:' } : {}),
    // A Redis outage must not take ingestion down with it: count nothing rather than refuse everything.
    skipOnError: true,
    keyGenerator: (request) => request.auth?.keyId ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `rate limit of ${context.max} requests exceeded, retry in ${context.after}`,
      ),
  });

  app.register(
    async (api) => {
      healthRoute(api, { sql, version: packageJson.version, timeoutMs: options.healthTimeoutMs ?? 1000 });
      api.register(async (authenticated) => {
        // Runs before the rate-limit hook (route hooks come after scope hooks), so limits key on the API key.
        authenticated.addHook('onRequest', async (request) => {
          request.auth = await authenticator.authenticate(request.headers.authorization);
        });
        authenticated.register(async (ingest) => {
          ingest.addHook('preHandler', async (request) => {
            requireScope(request.auth, 'ingest');
          });
          eventsRoute(ingest, { writer });
        });
        validateRoute(authenticated);
      });
      // The dashboard's scope: only here are cookies read. Login, logout, me — and the reports, which take
      // a read API key or, without an Authorization header, a login session. With DASHBOARD=false there
      // is no login at all: the reports take read keys only.
      if (config.dashboard) {
        api.register(async (dashboard) => {
          await dashboard.register(cookie, { secret: sessionSecrets });
          authRoutes(dashboard, {
            sql,
            perEmailMax: config.loginRateLimitMax,
            perIpMax: config.loginRateLimitIpMax,
          });
          // Key management: admins' login sessions only.
          dashboard.register(async (keys) => keysRoutes(keys, { sql, authenticator }));
          dashboard.register(async (reading) => {
            reading.addHook('onRequest', async (request) => {
              request.auth =
                request.headers.authorization === undefined && hasSessionCookie(request)
                  ? sessionAuthContext(await authenticateSession(sql, request))
                  : await authenticator.authenticate(request.headers.authorization);
            });
            reportsRoutes(reading, { sql });
          });
        });
      } else {
        api.register(async (reading) => {
          reading.addHook('onRequest', async (request) => {
            request.auth = await authenticator.authenticate(request.headers.authorization);
          });
          reportsRoutes(reading, { sql });
        });
      }
    },
    { prefix: '/api/v1' },
  );

  return app;
}
