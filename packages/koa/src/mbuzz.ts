import type { CloseResult, MbuzzClient, MbuzzOptions, RequestTracking } from '@mbuzz/core';
import { createClient } from '@mbuzz/core/node';
import type { Context, Next } from 'koa';
import { closeOnSignals } from './close-on-signals.js';
import { reporterFor } from './reporter-for.js';
import { requestViewOf } from './request-view.js';
import { trackResponse } from './track-response.js';

/** What `ctx.state.mbuzz` offers a route: this request's identity and `track()`. */
export type MbuzzRequestContext = Pick<RequestTracking, 'visitorId' | 'sessionId' | 'track'>;

/** The state `mbuzz()` adds, for apps that type their state: `new Koa<MbuzzState>()`. */
export interface MbuzzState {
  /** This request's mbuzz identity and `track()`; set by the `mbuzz()` middleware. */
  mbuzz: MbuzzRequestContext;
}

declare module 'koa' {
  interface DefaultState extends MbuzzState {}
}

/** Options of `mbuzz()`: every `@mbuzz/core` option, plus shutdown handling. */
export interface MbuzzKoaOptions extends MbuzzOptions {
  /**
   * Flush the queue on SIGTERM/SIGINT, then let the process end as it would have (see README).
   * @default false
   */
  handleSignals?: boolean;
  /**
   * How long the signal hook waits for the queue to be delivered.
   * @default 5000
   */
  shutdownTimeoutMs?: number;
}

/** The Koa middleware, with the client behind it. */
export interface MbuzzMiddleware {
  (ctx: Context, next: Next): Promise<void>;
  /** The `@mbuzz/core` client: `track()` outside a request, `flush()`. */
  readonly client: MbuzzClient;
  /** Flush the queue (bounded by `timeoutMs`), stop timers and remove the signal hook. Never rejects. */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
}

const UNTRACKED: MbuzzRequestContext = Object.freeze({
  visitorId: undefined,
  sessionId: undefined,
  track: () => {},
});

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
  const { handleSignals = false, shutdownTimeoutMs = 5000, ...coreOptions } = options ?? {};
  const client = createClient(coreOptions);
  const report = reporterFor(coreOptions);

  // Cookies go on in `writeHead` and the page view is decided when the response is finished, both on the
  // raw response: that covers Koa's own respond(), its error handler (which clears headers set earlier
  // and picks the final status), `ctx.respond = false` and streamed bodies alike.
  const middleware = (ctx: Context, next: Next) => {
    // Mounted twice on one request's path (app and router): the first one tracks, or cookies and the
    // page view would be doubled.
    if (ctx.state.mbuzz !== undefined) return next();
    ctx.state.mbuzz = UNTRACKED;
    try {
      const tracking = client.begin(requestViewOf(ctx));
      ctx.state.mbuzz = tracking;
      if (tracking.isNavigation) trackResponse(ctx.res, tracking, report);
    } catch (error) {
      report(error);
    }
    return next();
  };

  const removeSignalHook = handleSignals
    ? closeOnSignals((o) => client.close(o), shutdownTimeoutMs)
    : () => {};
  return Object.assign(middleware, {
    client,
    close(closeOptions?: { timeoutMs?: number }) {
      removeSignalHook();
      return client.close(closeOptions);
    },
  });
}
