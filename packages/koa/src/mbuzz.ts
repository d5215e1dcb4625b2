import {
  createNodeAdapter,
  type NodeAdapter,
  type NodeAdapterOptions,
  type RequestContext,
} from '@mbuzz/core/node';
import type { Context, Next } from 'koa';
import { requestViewOf } from './request-view.js';

/** What `ctx.state.mbuzz` offers a route: this request's identity and `track()`. */
export type MbuzzRequestContext = RequestContext;

/** The state `mbuzz()` adds, for apps that type their state: `new Koa<MbuzzState>()`. */
export interface MbuzzState {
  /** This request's mbuzz identity and `track()`; set by the `mbuzz()` middleware. */
  mbuzz: MbuzzRequestContext;
}

declare module 'koa' {
  interface DefaultState extends MbuzzState {}
}

/**
 * Options of `mbuzz()`: every `@mbuzz/core` option, plus shutdown handling (`handleSignals`,
 * `shutdownTimeoutMs`; see README).
 */
export interface MbuzzKoaOptions extends NodeAdapterOptions {}

/** The Koa middleware, with the client behind it (`client`, `close()`). */
export interface MbuzzMiddleware extends Pick<NodeAdapter, 'client' | 'close'> {
  (ctx: Context, next: Next): Promise<void>;
}

/**
 * Tracks every real page view of a Koa 2 or 3 app, with UTM attribution, and sets the first-party
 * visitor and session cookies. Never throws into the app; downstream errors pass through untouched.
 *
 * @example
 * import Koa from 'koa';
 * import { mbuzz } from '@mbuzz/koa';
 *
 * const app = new Koa();
 * app.use(mbuzz({ apiKey: process.env.MBUZZ_API_KEY, handleSignals: true }));
 * app.use(async (ctx) => {
 *   if (ctx.path === '/signup' && ctx.method === 'POST') ctx.state.mbuzz.track('signup', { plan: 'pro' });
 * });
 */
export function mbuzz(options: MbuzzKoaOptions = {}): MbuzzMiddleware {
  const { client, close, trackRequest } = createNodeAdapter(options, 'Koa');

  // Cookies go on in `writeHead` and the page view is decided when the response is finished, both on the
  // raw response: that covers Koa's own respond(), its error handler (which clears headers set earlier
  // and picks the final status), `ctx.respond = false` and streamed bodies alike.
  const middleware = (ctx: Context, next: Next) => {
    // Mounted twice on one request's path (app and router): the first one tracks, or cookies and the
    // page view would be doubled.
    if (ctx.state.mbuzz === undefined) ctx.state.mbuzz = trackRequest(() => requestViewOf(ctx), ctx.res);
    return next();
  };

  return Object.assign(middleware, { client, close });
}
