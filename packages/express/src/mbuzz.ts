import {
  createNodeAdapter,
  type NodeAdapter,
  type NodeAdapterOptions,
  type RequestContext,
} from '@mbuzz/core/node';
import type { NextFunction, Request, Response } from 'express';
import { requestViewOf } from './request-view.js';

/** What `req.mbuzz` offers a route handler: this request's identity and `track()`. */
export type MbuzzRequestContext = RequestContext;

declare global {
  namespace Express {
    interface Request {
      /** This request's mbuzz identity and `track()`; set by the `mbuzz()` middleware. */
      mbuzz: MbuzzRequestContext;
    }
  }
}

/**
 * Options of `mbuzz()`: every `@mbuzz/core` option, plus shutdown handling (`handleSignals`,
 * `shutdownTimeoutMs`; see README).
 */
export interface MbuzzExpressOptions extends NodeAdapterOptions {}

/** The Express middleware, with the client behind it (`client`, `close()`). */
export interface MbuzzMiddleware extends Pick<NodeAdapter, 'client' | 'close'> {
  (req: Request, res: Response, next: NextFunction): void;
}

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
  const { client, close, trackRequest } = createNodeAdapter(options, 'Express');

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    // Mounted twice on one request's path (app and router): the first one tracks, or cookies and the
    // page view would be doubled.
    if (req.mbuzz === undefined) req.mbuzz = trackRequest(() => requestViewOf(req), res);
    next();
  };

  return Object.assign(middleware, { client, close });
}
