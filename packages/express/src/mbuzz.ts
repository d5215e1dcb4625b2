import type { CloseResult, MbuzzClient, MbuzzOptions, RequestTracking } from '@mbuzz/core';
import { createClient } from '@mbuzz/core/node';
import type { NextFunction, Request, Response } from 'express';
import { closeOnSignals } from './close-on-signals.js';
import { reporterFor } from './reporter-for.js';
import { requestViewOf } from './request-view.js';
import { trackResponse } from './track-response.js';

/** What `req.mbuzz` offers a route handler: this request's identity and `track()`. */
export type MbuzzRequestContext = Pick<RequestTracking, 'visitorId' | 'sessionId' | 'track'>;

declare global {
  namespace Express {
    interface Request {
      /** This request's mbuzz identity and `track()`; set by the `mbuzz()` middleware. */
      mbuzz: MbuzzRequestContext;
    }
  }
}

/** Options of `mbuzz()`: every `@mbuzz/core` option, plus shutdown handling. */
export interface MbuzzExpressOptions extends MbuzzOptions {
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

/** The Express middleware, with the client behind it. */
export interface MbuzzMiddleware {
  (req: Request, res: Response, next: NextFunction): void;
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
 * Tracks every real page view of an Express 4 or 5 app, with UTM attribution, and sets the
 * first-party visitor and session cookies. Never throws into the app.
 *
 * @example
 * import express from 'express';
 * import { mbuzz } from '@mbuzz/express';
 *
 * const app = express();
 * app.use(mbuzz({ apiKey: process.env.MBUZZ_API_KEY, handleSignals: true }));
 * app.post('/signup', (req, res) => {
 *   req.mbuzz.track('signup', { plan: req.body.plan });
 *   res.redirect(303, '/welcome');
 * });
 */
export function mbuzz(options: MbuzzExpressOptions = {}): MbuzzMiddleware {
  const { handleSignals = false, shutdownTimeoutMs = 5000, ...coreOptions } = options ?? {};
  const client = createClient(coreOptions);
  const report = reporterFor(coreOptions);

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    // Mounted twice on one request's path (app and router): the first one tracks, or cookies and the
    // page view would be doubled.
    if (req.mbuzz !== undefined) return next();
    req.mbuzz = UNTRACKED;
    try {
      const tracking = client.begin(requestViewOf(req));
      req.mbuzz = tracking;
      if (tracking.isNavigation) trackResponse(res, tracking, report);
    } catch (error) {
      report(error);
    }
    next();
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
