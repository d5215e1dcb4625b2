import type { ServerResponse } from 'node:http';
import onHeaders from 'on-headers';
import type { RequestTracking } from '../types.js';

/**
 * Reported to core when the visitor went away before any header was sent: it is ≥ 400 (nginx's
 * "client closed request"), so no page view is recorded for ids whose cookies never reached the browser.
 */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Sets the identity cookies right before the headers are written — whoever writes them (a handler, a
 * redirect, the framework's error handler, a stream) — so core knows the final status, and appends them
 * to the app's own Set-Cookie values. Ends the tracking once the response is finished, with the status
 * that was actually sent. Nothing here may throw into the response: failures go to `report`.
 * For adapters whose framework hands out Node's `ServerResponse` (Express, Koa's `ctx.res`).
 *
 * @example
 * ```ts
 * const tracking = client.begin(view);
 * if (tracking.isNavigation) trackNodeResponse(res, tracking, report);
 * ```
 */
export function trackNodeResponse(
  res: ServerResponse,
  tracking: RequestTracking,
  report: (error: unknown) => void,
): void {
  onHeaders(res, function setCookies(this: ServerResponse) {
    try {
      const cookies = tracking.cookies(this.statusCode);
      if (cookies.length > 0)
        this.appendHeader(
          'set-cookie',
          cookies.map((cookie) => cookie.header),
        );
    } catch (error) {
      report(error);
    }
  });
  // 'close' follows 'finish', or a connection that went away (Node ≥ 12): one listener, cheaper per
  // request than `on-finished`, which Node 20 no longer needs.
  res.once('close', () => {
    try {
      tracking.end(res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST);
    } catch (error) {
      report(error);
    }
  });
}
