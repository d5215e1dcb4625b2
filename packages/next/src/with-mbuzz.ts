import {
  type CookieToSet,
  createAdapterReporter,
  createClient,
  type MbuzzClient,
  type MbuzzOptions,
} from '@mbuzz/core';
import { type NextMiddleware, type NextRequest, NextResponse } from 'next/server';

/**
 * Wraps a Next.js `middleware.ts` / `proxy.ts` so every real page view is tracked, with UTM attribution.
 *
 * The app's own middleware runs first and its response is kept (a redirect's 3xx status is passed to
 * core so the landing page's UTM survives it). The visitor/session cookies are set on the response and
 * forwarded on the request, so Server Components of the same request read them with `cookies()`.
 * Delivery is handed to `event.waitUntil`, so nothing is lost when the function ends.
 *
 * @example
 * // proxy.ts (Next 16) or middleware.ts (Next 15)
 * import { withMbuzz } from '@mbuzz/next';
 * export default withMbuzz();
 * // Static, so written out here; the README's matcher also skips prefetches.
 * export const config = { matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|.*\\.[a-zA-Z0-9]+$).*)'] };
 */
export function withMbuzz(options: MbuzzOptions = {}, appMiddleware?: NextMiddleware): NextMiddleware {
  // Created on first use: importing the module (e.g. during `next build`) must not read the environment.
  let client: MbuzzClient | undefined;
  // Where the adapter's own failures go, as in every adapter: the logger and onError.
  const report = createAdapterReporter(options, 'Next.js');

  return async (request, event) => {
    const response = (await appMiddleware?.(request, event)) ?? undefined;
    try {
      client ??= createClient(options);
      // Core rules out `/_next/*`, files, prefetches (Next-Router-Prefetch, Purpose), RSC fetches and bots.
      const tracking = client.begin({
        method: request.method,
        url: visitorUrl(request),
        headers: Object.fromEntries(request.headers),
        cookies: Object.fromEntries(request.cookies.getAll().map((c) => [c.name, c.value])),
      });
      if (!tracking.isNavigation) return response;

      let result: Response = response ?? NextResponse.next();
      const cookies = tracking.cookies(result.status);
      if (cookies.length > 0) {
        result = withSetCookies(result, cookies);
        // Only a response that lets rendering continue has a "same request" to forward the cookies to.
        if (result.headers.has('x-middleware-next') || result.headers.has('x-middleware-rewrite')) {
          forwardCookies(request, result.headers, cookies);
        }
      }
      // The page's own status is unknown here: anything the middleware lets through counts as 200.
      tracking.end(result.status);
      event?.waitUntil?.(client.flush());
      return result;
    } catch (error) {
      // Core never throws; this only keeps an SDK bug from failing the visitor's request.
      report(error);
      return response;
    }
  };
}

/**
 * The URL as the visitor saw it. Next builds `request.url` from the server's own hostname and port
 * (`127.0.0.1:3000` behind a proxy), so the host comes from `X-Forwarded-Host` or `Host`; the scheme
 * Next already takes from the socket or `X-Forwarded-Proto`.
 */
function visitorUrl(request: NextRequest): string {
  const forwarded = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  const host = forwarded || request.headers.get('host');
  if (!host) return request.url;
  const url = new URL(request.url);
  return `${url.protocol}//${host}${url.pathname}${url.search}`;
}

function withSetCookies(response: Response, cookies: CookieToSet[]): Response {
  let result = response;
  try {
    result.headers.append('set-cookie', cookies[0]?.header ?? '');
  } catch {
    // Headers of Response.redirect() and of fetch() results are immutable: copy the response.
    result = new Response(response.body, response);
    result.headers.append('set-cookie', cookies[0]?.header ?? '');
  }
  for (const cookie of cookies.slice(1)) result.headers.append('set-cookie', cookie.header);
  return result;
}

/**
 * Rewrites the request's `cookie` header for the rest of this request, the way
 * `NextResponse.next({ request: { headers } })` encodes it: Next replaces the request's headers with
 * exactly those listed in `x-middleware-override-headers`, each carried as `x-middleware-request-<name>`.
 * Headers the app middleware already overrode are kept.
 */
function forwardCookies(request: NextRequest, headers: Headers, cookies: CookieToSet[]): void {
  const listed = headers.get('x-middleware-override-headers');
  const names = listed === null ? [...request.headers.keys()] : listed.split(',').filter(Boolean);
  if (listed === null) {
    for (const name of names) headers.set(`x-middleware-request-${name}`, request.headers.get(name) ?? '');
  }
  const current =
    listed === null ? request.headers.get('cookie') : headers.get('x-middleware-request-cookie');
  const replaced = new Set(cookies.map((c) => c.name));
  const kept = (current ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && !replaced.has(pair.split('=', 1)[0]?.trim() ?? ''));
  // `name=value` exactly as serialized in the Set-Cookie header, so both sides encode alike.
  const added = cookies.map((c) => c.header.split(';', 1)[0] as string);
  headers.set('x-middleware-request-cookie', [...kept, ...added].join('; '));
  if (!names.includes('cookie')) names.push('cookie');
  headers.set('x-middleware-override-headers', names.join(','));
}
