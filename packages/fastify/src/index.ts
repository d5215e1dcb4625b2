import type { MbuzzClient, MbuzzOptions, RequestTracking, RequestView } from '@mbuzz/core';
import { createAdapterReporter, createClient } from '@mbuzz/core/node';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** What a handler sees as `request.mbuzz`: the request's identity and `track()` with it. */
export interface MbuzzRequest {
  /** Visitor id from the `_mbuzz_vid` cookie, or minted for a navigation; undefined for a sub-request without cookies. */
  readonly visitorId: string | undefined;
  /** Session id for this request. */
  readonly sessionId: string | undefined;
  /** Queue a custom event with this request's identity, e.g. `request.mbuzz.track('signup', { plan })`. Never throws. */
  track(eventType: string, properties?: Record<string, unknown>): void;
}

/** Options of the plugin: every `@mbuzz/core` option, plus how long `app.close()` waits for delivery. */
export interface MbuzzFastifyOptions extends MbuzzOptions {
  /** How long `app.close()` waits for queued events to be delivered before giving up on them. Default 5000. */
  shutdownTimeoutMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** mbuzz identity and `track()` for this request (set by `@mbuzz/fastify` in `onRequest`). */
    mbuzz: MbuzzRequest;
  }
  interface FastifyInstance {
    /** The mbuzz client, for `app.mbuzz.track({ eventType, visitorId })` outside a request. */
    mbuzz: MbuzzClient;
  }
}

/** Builds core's neutral view; `protocol` and `host` honour Fastify's `trustProxy`. */
function requestView(request: FastifyRequest): RequestView {
  return {
    method: request.method,
    url: `${request.protocol}://${request.host}${request.url}`,
    headers: request.headers,
    // Present when @fastify/cookie is registered; core parses `headers.cookie` otherwise.
    cookies: (request as { cookies?: Record<string, string | undefined> }).cookies,
  };
}

const untracked: MbuzzRequest = { visitorId: undefined, sessionId: undefined, track() {} };

const plugin: FastifyPluginCallback<MbuzzFastifyOptions> = (app, options, done) => {
  const { shutdownTimeoutMs = 5000, ...clientOptions } = options;
  const client = createClient(clientOptions);
  // An SDK failure inside a hook goes where every other failure goes (logger, onError), like Express/Koa.
  const report = createAdapterReporter(clientOptions, 'Fastify');

  app.decorate('mbuzz', client);
  // null first so every request object keeps one shape; the real value is set in onRequest.
  app.decorateRequest('mbuzz', null as unknown as MbuzzRequest);

  // Core never throws; the try/catch blocks make sure an SDK bug still cannot fail a reply.
  app.addHook('onRequest', (request, _reply, next) => {
    try {
      request.mbuzz = client.begin(requestView(request));
    } catch (error) {
      request.mbuzz = untracked;
      report(error);
    }
    next();
  });

  // onSend runs once the status is final and before the headers are written.
  app.addHook('onSend', (request, reply, payload, next) => {
    try {
      const cookies = (request.mbuzz as RequestTracking | null)?.cookies?.(reply.statusCode) ?? [];
      // reply.header('set-cookie', …) appends to cookies the app already set.
      for (const cookie of cookies) reply.header('set-cookie', cookie.header);
    } catch (error) {
      report(error);
    }
    next(null, payload);
  });

  app.addHook('onResponse', (request, reply, next) => {
    try {
      (request.mbuzz as RequestTracking | null)?.end?.(reply.statusCode);
    } catch (error) {
      report(error);
    }
    next();
  });

  app.addHook('onClose', async () => {
    await client.close({ timeoutMs: shutdownTimeoutMs });
  });

  done();
};

/**
 * Fastify plugin tracking every real page view, with UTM attribution, into mbuzz.
 *
 * @example
 * import Fastify from 'fastify';
 * import mbuzz from '@mbuzz/fastify';
 *
 * const app = Fastify({ trustProxy: true });
 * await app.register(mbuzz, { apiKey: process.env.MBUZZ_API_KEY });
 * app.post('/signup', async (request, reply) => {
 *   request.mbuzz.track('signup', { plan: 'pro' });
 *   return reply.redirect('/welcome', 303);
 * });
 */
export const mbuzz = fp(plugin, { fastify: '5.x', name: '@mbuzz/fastify' });
export default mbuzz;
export type { MbuzzClient, MbuzzOptions } from '@mbuzz/core';
