import type { CookieToSet, RequestView } from '../types.js';

/** A current desktop Chrome: not a bot. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface ViewInit {
  /** Default `GET`. */
  method?: string;
  /** Added to (and overriding) the defaults; names are lower-cased. `undefined` removes a default. */
  headers?: Record<string, string | string[] | undefined>;
  /** Sent as a `Cookie` header (`RequestView.cookies` stays unset, as with frameworks that do not parse). */
  cookies?: Record<string, string>;
}

/**
 * A RequestView of a browser loading a page (Sec-Fetch navigate/document, HTML Accept, Chrome UA).
 *
 * @example
 * ```ts
 * const view = navigationView('https://shop.example/?utm_source=x', { headers: { referer: 'https://www.google.com/' } });
 * ```
 */
export function navigationView(url: string, init: ViewInit = {}): RequestView {
  return buildView(url, init, {
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': 'document',
    'sec-fetch-site': 'none',
    'user-agent': BROWSER_USER_AGENT,
  });
}

/** A RequestView of a `fetch()` from page script (Sec-Fetch cors/empty): never a page view. */
export function subRequestView(url: string, init: ViewInit = {}): RequestView {
  return buildView(url, init, {
    accept: '*/*',
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
    'sec-fetch-site': 'same-origin',
    'user-agent': BROWSER_USER_AGENT,
  });
}

/**
 * Cookies as a browser would keep them after these Set-Cookie answers (name → value), to send on the
 * next request. A cookie with `Max-Age=0` is removed.
 *
 * @example
 * ```ts
 * let jar = cookieJar(tracking.cookies(200));
 * const next = navigationView('https://shop.example/pricing', { cookies: jar });
 * ```
 */
export function cookieJar(
  setCookies: Array<CookieToSet | string>,
  jar: Record<string, string> = {},
): Record<string, string> {
  const next = { ...jar };
  for (const item of setCookies) {
    const header = typeof item === 'string' ? item : item.header;
    const [pair = '', ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const removed = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
    if (removed) delete next[name];
    else next[name] = pair.slice(eq + 1).trim();
  }
  return next;
}

function buildView(url: string, init: ViewInit, defaults: Record<string, string>): RequestView {
  const headers: RequestView['headers'] = { ...defaults };
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  if (init.cookies !== undefined && Object.keys(init.cookies).length > 0) {
    headers.cookie = Object.entries(init.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }
  return { method: init.method ?? 'GET', url, headers };
}
