import type { MbuzzError, MbuzzOptions } from '@mbuzz/core';
import {
  BROWSER_USER_AGENT,
  cookieJar,
  createMemoryTransport,
  type MemoryTransport,
  navigationView,
} from '@mbuzz/core/testing';
import type * as NextServer from 'next/server';
import { describe, expect, it } from 'vitest';
import { withMbuzz } from '../src/with-mbuzz.js';

const ORIGIN = 'https://shop.example';
/** What a browser sends when it loads a page. */
const NAVIGATION = navigationView(ORIGIN).headers as Record<string, string>;

/**
 * The adapter's behaviour against one Next.js version's real `NextRequest` / `NextResponse` /
 * `NextFetchEvent` (the test file decides which `next/server` the adapter imports). `NextFetchEvent` is
 * a type-only export of `next/server`, so the test files pass the class from Next's dist.
 */
export function defineCases(
  label: string,
  next: typeof NextServer,
  NextFetchEvent: typeof NextServer.NextFetchEvent,
) {
  const { NextRequest, NextResponse } = next;

  function setup(options: MbuzzOptions = {}, app?: NextServer.NextMiddleware) {
    const transport = createMemoryTransport();
    const middleware = withMbuzz({ transport, ...options }, app);
    const waited: Promise<unknown>[] = [];
    async function run(path: string, headers: Record<string, string> = NAVIGATION, method = 'GET') {
      const request = new NextRequest(`${ORIGIN}${path}`, { headers, method });
      const event = new NextFetchEvent({
        request,
        page: '/',
        context: { waitUntil: (promise: Promise<unknown>) => void waited.push(promise) },
      });
      return (await middleware(request, event)) ?? undefined;
    }
    async function delivered(): Promise<MemoryTransport['events']> {
      await Promise.all(waited);
      return transport.events;
    }
    return { run, delivered, waited, transport };
  }

  /** The `x-middleware-*` headers Next itself writes for `NextResponse.next({ request: { headers } })`. */
  function encodedBy(next: typeof NextResponse, headers: Headers) {
    return middlewareHeaders(next.next({ request: { headers } }).headers);
  }
  function middlewareHeaders(headers: Headers) {
    const entries = [...headers].filter(([name]) => name.startsWith('x-middleware-request-'));
    // Next reads the override list as a set.
    const listed = headers.get('x-middleware-override-headers')?.split(',').sort().join(',');
    return { ...Object.fromEntries(entries), 'x-middleware-override-headers': listed };
  }

  describe(`withMbuzz on ${label}`, () => {
    it('sets the cookies on the response and forwards them on the request of a first navigation', async () => {
      const { run, delivered, waited } = setup();
      const headers = { ...NAVIGATION, cookie: 'theme=dark', referer: 'https://www.google.com/' };
      const response = await run('/pricing?utm_source=google&utm_campaign=spring', headers);
      expect(response?.status).toBe(200);
      expect(response?.headers.get('x-middleware-next')).toBe('1');

      const setCookies = response?.headers.getSetCookie() ?? [];
      expect(setCookies.map((c) => c.split('=')[0])).toEqual(['_mbuzz_vid', '_mbuzz_sid']);
      for (const cookie of setCookies) expect(cookie).toMatch(/; Secure/i);
      const jar = cookieJar(setCookies);

      // Exactly what Next writes for `NextResponse.next({ request: { headers } })` with the new cookie header,
      // so Server Components of this request read the new ids with cookies().
      const expected = new Headers(headers);
      expected.set('cookie', `theme=dark; _mbuzz_vid=${jar._mbuzz_vid}; _mbuzz_sid=${jar._mbuzz_sid}`);
      expect(middlewareHeaders(response?.headers as Headers)).toEqual(encodedBy(NextResponse, expected));

      expect(waited).toHaveLength(1);
      const events = await delivered();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        event_type: 'page_view',
        visitor_id: jar._mbuzz_vid,
        properties: {
          url: `${ORIGIN}/pricing?utm_source=google&utm_campaign=spring`,
          path: '/pricing',
          referrer: 'https://www.google.com/',
          utm_source: 'google',
          utm_campaign: 'spring',
        },
      });
    });

    it('adds a cookie header to the request of a visitor who sent none', async () => {
      const { run } = setup();
      const response = await run('/');
      const jar = cookieJar(response?.headers.getSetCookie() ?? []);
      const expected = new Headers(NAVIGATION);
      expected.set('cookie', `_mbuzz_vid=${jar._mbuzz_vid}; _mbuzz_sid=${jar._mbuzz_sid}`);
      expect(middlewareHeaders(response?.headers as Headers)).toEqual(encodedBy(NextResponse, expected));
    });

    it('records the host the visitor used, not the one Next listens on', async () => {
      const { run, delivered } = setup();
      const viaProxy = { ...NAVIGATION, host: '127.0.0.1:3000', 'x-forwarded-host': 'www.shop.example' };
      const first = await run('/?utm_source=x', viaProxy);
      const jar = cookieJar(first?.headers.getSetCookie() ?? []);
      const cookie = `_mbuzz_vid=${jar._mbuzz_vid}; _mbuzz_sid=${jar._mbuzz_sid}`;
      await run('/about', { ...viaProxy, cookie, referer: 'https://www.shop.example/?utm_source=x' });
      const events = await delivered();
      expect(events.map((e) => e.properties.url)).toEqual([
        'https://www.shop.example/?utm_source=x',
        'https://www.shop.example/about',
      ]);
      // An internal link is not an external referrer: the session goes on.
      expect(events[1]?.session_id).toBe(events[0]?.session_id);
    });

    it('keeps a returning visitor’s id and replaces only the mbuzz cookies on the request', async () => {
      const { run, delivered } = setup();
      const first = await run('/');
      const jar = cookieJar(first?.headers.getSetCookie() ?? []);
      const cookie = `a=1; _mbuzz_vid=${jar._mbuzz_vid}; _mbuzz_sid=${jar._mbuzz_sid}; b=2`;
      const second = await run('/about', { ...NAVIGATION, cookie });
      const forwarded = second?.headers.get('x-middleware-request-cookie') ?? '';
      expect(forwarded).toMatch(/^a=1; b=2; _mbuzz_vid=[0-9a-f]{64}; _mbuzz_sid=/);
      expect(cookieJar(second?.headers.getSetCookie() ?? [])._mbuzz_vid).toBe(jar._mbuzz_vid);
      const events = await delivered();
      expect(events.map((e) => e.visitor_id)).toEqual([jar._mbuzz_vid, jar._mbuzz_vid]);
      expect(events[1]?.session_id).toBe(events[0]?.session_id);
    });

    it('keeps the request headers, response headers and cookies the app middleware set', async () => {
      const { run } = setup({}, (request) => {
        const headers = new Headers(request.headers);
        headers.set('x-tenant', 'acme');
        headers.delete('accept');
        const response = NextResponse.next({ request: { headers }, headers: { 'x-app': 'yes' } });
        response.cookies.set('theme', 'dark');
        return response;
      });
      const response = await run('/', { ...NAVIGATION, cookie: 'a=1' });
      expect(response?.headers.get('x-app')).toBe('yes');
      expect(response?.headers.get('x-middleware-request-x-tenant')).toBe('acme');
      const listed = response?.headers.get('x-middleware-override-headers')?.split(',') ?? [];
      expect(listed).toContain('x-tenant');
      expect(listed).toContain('cookie');
      expect(listed).not.toContain('accept');
      expect(response?.headers.get('x-middleware-request-cookie')).toMatch(
        /^a=1; _mbuzz_vid=[0-9a-f]{64}; _mbuzz_sid=/,
      );
      expect(response?.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual([
        'theme',
        '_mbuzz_vid',
        '_mbuzz_sid',
      ]);
    });

    it('passes an app redirect through uncounted, and the next page keeps the landing UTM', async () => {
      const { run, delivered } = setup({}, (request) =>
        request.nextUrl.pathname === '/promo'
          ? NextResponse.redirect(new URL('/pricing', request.url), 302)
          : undefined,
      );
      const redirect = await run('/promo?utm_source=newsletter&utm_campaign=may');
      expect(redirect?.status).toBe(302);
      expect(redirect?.headers.get('location')).toBe(`${ORIGIN}/pricing`);
      expect(redirect?.headers.has('x-middleware-request-cookie')).toBe(false);
      const jar = cookieJar(redirect?.headers.getSetCookie() ?? []);
      expect(Object.keys(jar)).toEqual(['_mbuzz_vid', '_mbuzz_sid']);
      expect(await delivered()).toEqual([]);

      const cookie = `_mbuzz_vid=${jar._mbuzz_vid}; _mbuzz_sid=${jar._mbuzz_sid}`;
      await run('/pricing', {
        ...NAVIGATION,
        cookie,
        referer: `${ORIGIN}/promo?utm_source=newsletter&utm_campaign=may`,
      });
      const events = await delivered();
      expect(events).toHaveLength(1);
      expect(events[0]?.properties).toMatchObject({
        path: '/pricing',
        utm_source: 'newsletter',
        utm_campaign: 'may',
      });
    });

    it('handles a Response.redirect (immutable headers) from the app', async () => {
      const { run } = setup({}, () => Response.redirect(`${ORIGIN}/pricing`, 307));
      const response = await run('/old');
      expect(response?.status).toBe(307);
      expect(response?.headers.get('location')).toBe(`${ORIGIN}/pricing`);
      expect(response?.headers.getSetCookie()).toHaveLength(2);
    });

    it('forwards the cookies through an app rewrite and records the visitor’s URL', async () => {
      const { run, delivered } = setup({}, (request) =>
        NextResponse.rewrite(new URL('/landing/b', request.url)),
      );
      const response = await run('/landing?utm_source=x');
      expect(response?.headers.get('x-middleware-rewrite')).toBe(`${ORIGIN}/landing/b`);
      expect(response?.headers.get('x-middleware-request-cookie')).toMatch(/^_mbuzz_vid=/);
      const [event] = await delivered();
      expect(event?.properties.url).toBe(`${ORIGIN}/landing?utm_source=x`);
    });

    it('records nothing when the app middleware answers with an error page', async () => {
      const { run, delivered } = setup({}, () => new Response('gone', { status: 410 }));
      const response = await run('/');
      expect(response?.status).toBe(410);
      expect(await response?.text()).toBe('gone');
      expect(response?.headers.getSetCookie()).toEqual([]);
      expect(await delivered()).toEqual([]);
    });

    it('leaves sub-requests, prefetches, RSC fetches, Next assets and bots untouched', async () => {
      const appResponse = NextResponse.next({ headers: { 'x-app': '1' } });
      const { run, delivered, waited } = setup({}, () => appResponse);
      const cases: Array<[string, Record<string, string>, string?]> = [
        ['/_next/static/chunks/main.js', { ...NAVIGATION, accept: '*/*' }],
        ['/assets/app.css', NAVIGATION],
        [
          '/api/ping',
          {
            accept: '*/*',
            'sec-fetch-mode': 'cors',
            'sec-fetch-dest': 'empty',
            'user-agent': BROWSER_USER_AGENT,
          },
        ],
        // A client-side (<Link>) navigation is a fetch with `RSC: 1`, with or without Sec-Fetch metadata.
        [
          '/pricing',
          {
            accept: '*/*',
            'sec-fetch-mode': 'cors',
            'sec-fetch-dest': 'empty',
            rsc: '1',
            'user-agent': BROWSER_USER_AGENT,
          },
        ],
        ['/pricing', { accept: 'text/html', rsc: '1', 'user-agent': BROWSER_USER_AGENT }],
        ['/pricing', { ...NAVIGATION, rsc: '1', 'next-router-prefetch': '1' }],
        ['/pricing', { ...NAVIGATION, purpose: 'prefetch' }],
        ['/pricing', { ...NAVIGATION, 'sec-purpose': 'prefetch;prerender' }],
        [
          '/',
          {
            ...NAVIGATION,
            'user-agent': 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
          },
        ],
        ['/signup', NAVIGATION, 'POST'],
      ];
      for (const [path, headers, method] of cases) {
        const response = await run(path, headers, method);
        expect(response, path).toBe(appResponse);
        expect(response?.headers.getSetCookie(), path).toEqual([]);
      }
      expect(waited).toEqual([]);
      expect(await delivered()).toEqual([]);
    });

    it('returns nothing for an untracked request when there is no app middleware', async () => {
      const { run } = setup();
      expect(await run('/api/ping', { accept: 'application/json' })).toBeUndefined();
    });

    it('never fails a request when delivery and the onError hook throw', async () => {
      const errors: unknown[] = [];
      const { run, waited } = setup({
        transport: {
          send() {
            throw new Error('transport exploded');
          },
        },
        maxRetries: 0,
        onError(error) {
          errors.push(error);
          throw new Error('hook exploded');
        },
        logger: { warn() {}, error() {} },
      });
      const response = await run('/?utm_source=x');
      expect(response?.headers.get('x-middleware-next')).toBe('1');
      expect(response?.headers.getSetCookie()).toHaveLength(2);
      // The flush handed to waitUntil settles, and fulfilled: a rejection would fail the platform's task.
      expect(waited).toHaveLength(1);
      await expect(Promise.all(waited)).resolves.toEqual([undefined]);
      expect(errors.length).toBeGreaterThan(0);
    });

    it('reports a failure of its own to onError and the logger, and the request goes on', async () => {
      const errors: MbuzzError[] = [];
      const warnings: unknown[] = [];
      const middleware = withMbuzz({
        transport: createMemoryTransport(),
        onError: (error) => errors.push(error),
        logger: { warn: (...args: unknown[]) => warnings.push(args), error() {} },
      });
      const request = new NextRequest(`${ORIGIN}/`, { headers: NAVIGATION });
      const broken = () => {
        throw new Error('waitUntil broke');
      };
      const event = new NextFetchEvent({ request, page: '/', context: { waitUntil: broken } });
      expect(await middleware(request, event)).toBeUndefined();
      expect(errors.map((e) => [e.code, e.message, (e.cause as Error).message])).toEqual([
        ['internal', '[mbuzz] the Next.js adapter failed', 'waitUntil broke'],
      ]);
      expect(warnings).toHaveLength(1);
    });
  });
}
