import type { MbuzzClient, RequestView } from '@mbuzz/core';
import { createNodeAdapter, type NodeAdapterOptions, type RequestContext } from '@mbuzz/core/node';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** What a handler sees as `request.mbuzz`: the request's identity and `track()` with it. */
export type MbuzzRequest = RequestContext;

/**
 * Options of the plugin: every `@mbuzz/core` option, plus how long `app.close()` waits for delivery
 * (`shutdownTimeoutMs`, default 5000). Signals are the app's to handle: close the app on SIGTERM.
 */
export interface MbuzzFastifyOptions extends Omit<NodeAdapterOptions, 'handleSignals'> {}

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

const plugin: FastifyPluginCallback<MbuzzFastifyOptions> = (app, options, done) => {
  // Fastify answers on Node's ServerResponse (`reply.raw`): the same response side as Express and Koa,
  // so cookies go on right before the headers are written and the page view is decided when it closes.
  const { client, shutdown, trackRequest } = createNodeAdapter(
    { ...options, handleSignals: false },
    'Fastify',
  );

  app.decorate('mbuzz', client);
  // Declared without a value so every request object keeps one shape (Fastify takes no object as a
  // request decoration); onRequest sets the real value before any handler runs.
  app.decorateRequest('mbuzz');

  app.addHook('onRequest', (request, reply, next) => {
    request.mbuzz = trackRequest(() => requestView(request), reply.raw);
    next();
  });

  // app.close() delivers what is queued, bounded by shutdownTimeoutMs.
  app.addHook('onClose', async () => {
    await shutdown();
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
