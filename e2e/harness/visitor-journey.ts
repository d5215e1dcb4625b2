import {
  type BrowserLikeClient,
  createBrowserLikeClient,
  GOOGLEBOT_UA,
  type Hop,
  type Navigation,
} from './browser-like-client.js';

export const EXTERNAL_REFERRER = 'https://news.example.org/2026/11/launch-week?ref=feed';
export const LANDING_QUERY = '?utm_source=newsletter&utm_medium=email&utm_campaign=launch';
export const SIGNUP_PLAN = 'pro';

/** What the scripted visitor did, and saw, for the database assertions. */
export interface Journey {
  origin: string;
  landingUrl: string;
  /** Every top-level navigation of the visitor, in order (a redirected one has several hops). */
  navigations: Navigation[];
  /** Sub-requests (assets, XHR, prefetches) and what they were answered. */
  subrequests: Array<{
    label: string;
    path: string;
    status: number;
    setCookies: string[];
    withCookies: boolean;
  }>;
  /** Navigations of the crawler, which must leave nothing behind. */
  botHops: Hop[];
  /** The visitor's cookies at the end. */
  cookies: { visitorId: string | undefined; session: string | undefined };
}

/**
 * The hops that are page views by the rules of docs/architecture.md: GET navigations answered 2xx (a redirect is
 * not one, a form POST is not one, the document it redirects to is).
 */
export const pageViewHops = (journey: Journey): Hop[] =>
  journey.navigations
    .flatMap((navigation) => navigation.hops)
    .filter((hop) => hop.method === 'GET' && hop.status >= 200 && hop.status < 300);

/**
 * A visitor lands from a newsletter link, browses, goes through /promo and signs up, while the pages'
 * sub-requests, a cookie-less request racing the first navigation and Googlebot hit the same app.
 *
 * @example
 * const journey = await runVisitorJourney(app.origin);
 */
export async function runVisitorJourney(origin: string): Promise<Journey> {
  const browser = createBrowserLikeClient(origin);
  const bot = createBrowserLikeClient(origin, GOOGLEBOT_UA);
  const journey: Journey = {
    origin,
    landingUrl: `${origin}/${LANDING_QUERY}`,
    navigations: [],
    subrequests: [],
    botHops: [],
    cookies: { visitorId: undefined, session: undefined },
  };
  const sub = async (label: string, request: Parameters<BrowserLikeClient['subrequest']>[0]) => {
    const response = await browser.subrequest(request);
    journey.subrequests.push({
      label,
      path: request.path,
      status: response.status,
      setCookies: response.setCookies,
      withCookies: request.withCookies !== false,
    });
  };
  const botVisit = async (path: string) => {
    const navigation = await bot.navigate(path, { site: 'none' });
    journey.botHops.push(...navigation.hops);
  };
  // What a page's HTML makes the browser fetch: its stylesheet and script, the script's XHR, and
  // speculative prefetches of a link (the browser's, and a framework router's).
  const pageResources = (pageUrl: string, prefetchPath: string) =>
    Promise.all([
      sub('stylesheet', { path: '/assets/app.css', dest: 'style', mode: 'no-cors', referer: pageUrl }),
      sub('script', { path: '/assets/app.js', dest: 'script', mode: 'no-cors', referer: pageUrl }),
      sub('xhr', { path: '/api/ping', dest: 'empty', mode: 'cors', referer: pageUrl }),
      sub('prefetch', {
        path: prefetchPath,
        dest: 'document',
        mode: 'navigate',
        referer: pageUrl,
        extraHeaders: { 'sec-purpose': 'prefetch', accept: 'text/html,*/*;q=0.8' },
      }),
      // What a Next.js <Link> sends to prefetch its target (React Server Components payload).
      sub('router prefetch', {
        path: prefetchPath,
        dest: 'empty',
        mode: 'cors',
        referer: pageUrl,
        extraHeaders: { rsc: '1', 'next-router-prefetch': '1', accept: '*/*' },
      }),
    ]);
  const visit = async (path: string, referer: string, options: { form?: Record<string, string> } = {}) => {
    const navigation = await browser.navigate(path, {
      referer,
      site: 'same-origin',
      ...(options.form ? { method: 'POST' as const, form: options.form } : {}),
    });
    journey.navigations.push(navigation);
    return navigation;
  };

  // 1. Landing, racing a cookie-less stylesheet and XHR (a tab restored with several requests at once)
  //    and the crawler following the same link.
  const [landing] = await Promise.all([
    browser.navigate(`/${LANDING_QUERY}`, { referer: EXTERNAL_REFERRER, site: 'cross-site' }),
    sub('stylesheet without cookies', {
      path: '/assets/app.css',
      dest: 'style',
      mode: 'no-cors',
      referer: journey.landingUrl,
      withCookies: false,
    }),
    sub('xhr without cookies', {
      path: '/api/ping',
      dest: 'empty',
      mode: 'cors',
      referer: journey.landingUrl,
      withCookies: false,
    }),
    botVisit(`/${LANDING_QUERY}`),
  ]);
  journey.navigations.push(landing);
  await Promise.all([pageResources(landing.url, '/pricing'), botVisit('/pricing')]);

  // 2. Two internal links.
  const pricing = await visit('/pricing', landing.url);
  await pageResources(pricing.url, '/about');
  const about = await visit('/about', pricing.url);
  await Promise.all([pageResources(about.url, '/signup'), botVisit('/about')]);

  // 3. Through the redirect: /promo answers 302 to /pricing.
  const promo = await visit('/promo', about.url);
  await pageResources(promo.url, '/signup');

  // 4. Sign up: the form page, then its POST, answered 303 to /welcome.
  const signup = await visit('/signup', promo.url);
  await Promise.all([visit('/signup', signup.url, { form: { plan: SIGNUP_PLAN } }), botVisit('/signup')]);

  journey.cookies = { visitorId: browser.jar.get('_mbuzz_vid'), session: browser.jar.get('_mbuzz_sid') };
  return journey;
}
