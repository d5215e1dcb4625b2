import { type CookieJar, createCookieJar } from './cookie-jar.js';
import { type RawResponse, sendRequest } from './http-request.js';

export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
export const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const DOCUMENT_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

type FetchSite = 'cross-site' | 'same-origin' | 'same-site' | 'none';

/** One request/response of a navigation; a redirected navigation has several. */
export interface Hop {
  method: string;
  /** Path and query, e.g. `/?utm_source=x`. */
  path: string;
  status: number;
  setCookies: string[];
}

export interface Navigation {
  hops: Hop[];
  /** URL of the document finally shown (after redirects). */
  url: string;
  body: string;
}

export interface SubRequest {
  path: string;
  dest: 'style' | 'script' | 'image' | 'empty' | 'document';
  mode: 'no-cors' | 'cors' | 'navigate';
  /** The page that made the request (its Referer). */
  referer: string;
  /** A sub-request sent before the first response came back has no cookies yet. */
  withCookies?: boolean;
  extraHeaders?: Record<string, string>;
}

/** A scripted browser: one cookie jar, Chrome's navigation headers, redirects followed by hand. */
export interface BrowserLikeClient {
  readonly jar: CookieJar;
  /** A top-level navigation (link click, address bar, form submit), following redirects. */
  navigate(
    path: string,
    options: { referer?: string; site: FetchSite; method?: 'GET' | 'POST'; form?: Record<string, string> },
  ): Promise<Navigation>;
  /** A request a page makes (asset, XHR, prefetch). Its Set-Cookie is stored, as a browser would. */
  subrequest(request: SubRequest): Promise<RawResponse>;
}

/**
 * @example
 * const browser = createBrowserLikeClient('http://127.0.0.1:4000');
 * const landing = await browser.navigate('/?utm_source=x', { referer: 'https://news.example.org/', site: 'cross-site' });
 */
export function createBrowserLikeClient(origin: string, userAgent = CHROME_UA): BrowserLikeClient {
  const jar = createCookieJar();
  const common = () => ({
    'user-agent': userAgent,
    'accept-language': 'en-US,en;q=0.9',
    'accept-encoding': 'identity',
    'sec-ch-ua-mobile': '?0',
    'sec-ch-ua-platform': '"Linux"',
  });

  return {
    jar,
    async navigate(path, options) {
      const hops: Hop[] = [];
      let method = options.method ?? 'GET';
      let body = options.form ? new URLSearchParams(options.form).toString() : undefined;
      let url = new URL(path, origin).toString();
      for (let redirects = 0; ; redirects++) {
        const response = await sendRequest(
          method,
          url,
          {
            ...common(),
            host: new URL(url).host,
            accept: DOCUMENT_ACCEPT,
            'upgrade-insecure-requests': '1',
            'sec-fetch-mode': 'navigate',
            'sec-fetch-dest': 'document',
            'sec-fetch-site': options.site,
            'sec-fetch-user': '?1',
            // A browser keeps the initiator's Referer across the redirects of one navigation.
            referer: options.referer,
            cookie: jar.header(),
            ...(body !== undefined
              ? { 'content-type': 'application/x-www-form-urlencoded', origin, 'cache-control': 'max-age=0' }
              : {}),
          },
          body,
        );
        jar.store(response.setCookies);
        const { pathname, search } = new URL(url);
        hops.push({
          method,
          path: pathname + search,
          status: response.status,
          setCookies: response.setCookies,
        });
        const location = response.headers.location;
        if (response.status < 300 || response.status >= 400 || typeof location !== 'string') {
          return { hops, url, body: response.body };
        }
        if (redirects >= 5) throw new Error(`too many redirects from ${path}`);
        url = new URL(location, url).toString();
        // 301/302/303 turn a POST into a GET without a body (what browsers do).
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
        }
      }
    },
    async subrequest(request) {
      const url = new URL(request.path, origin).toString();
      const response = await sendRequest('GET', url, {
        ...common(),
        host: new URL(url).host,
        accept:
          request.dest === 'style'
            ? 'text/css,*/*;q=0.1'
            : request.dest === 'document'
              ? DOCUMENT_ACCEPT
              : request.dest === 'image'
                ? 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8'
                : '*/*',
        'sec-fetch-mode': request.mode,
        'sec-fetch-dest': request.dest,
        'sec-fetch-site': 'same-origin',
        referer: request.referer,
        cookie: request.withCookies === false ? undefined : jar.header(),
        ...request.extraHeaders,
      });
      jar.store(response.setCookies);
      return response;
    },
  };
}
