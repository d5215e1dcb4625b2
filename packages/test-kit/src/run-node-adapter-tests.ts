import http from 'node:http';
import type https from 'node:https';
import type { MbuzzError, MbuzzOptions, Transport } from '@mbuzz/core';
import { cookieJar, navigationView, subRequestView } from '@mbuzz/core/testing';
import { expect, it, vi } from 'vitest';
import { COOKIE_SHAPE, cookieValue, mbuzzCookies } from './cookies.js';
import { navigate, type SendInit, send } from './send.js';
import { TLS } from './tls.js';
import type { ServedApp } from './use-served-apps.js';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** How the shared tests want the app set up, beyond the middleware's options. */
export interface AppSetup {
  /** Trust X-Forwarded-Proto/-Host from the loopback proxy (Express `trust proxy`, Koa `app.proxy`, Fastify `trustProxy`). */
  trustProxy?: boolean;
  /** Serve over HTTPS with this certificate. */
  tls?: https.ServerOptions;
}

/** One framework (and major version) under the shared tests. */
export interface NodeAdapterUnderTest {
  /**
   * Starts a real app with the middleware (options merged over `{ transport, flushIntervalMs: 60_000 }`)
   * and these routes: `GET /` and `/pricing` answer `<h1>{path}</h1><p id="ids">{visitorId} {sessionId}</p>`;
   * `/promo` redirects (302) to `/pricing`; `/boom` throws; `/assets/app.css` is CSS; `/api/ping` is
   * `{ ok: true }`; `POST /signup` tracks `signup` with the form's `plan` and redirects (303) to `/welcome`;
   * plus the routes of `errors`, `redirects` and `ownCookies`.
   */
  start(options?: MbuzzOptions, setup?: AppSetup): Promise<ServedApp>;
  /** Where a route finds the tracking, for the test names: `req.mbuzz`, `ctx.state.mbuzz`. */
  contextName: string;
  /** Routes that end ≥ 400 and their status (`/missing` → 404 and `/boom` → 500 at least). */
  errors: Array<[path: string, status: number]>;
  /** Ways the framework redirects (302 to `/pricing`): how, for the test name, and the path. */
  redirects: Array<[how: string, path: string]>;
  /** 200 pages that set cookies of their own, each way the framework allows, and those cookies. */
  ownCookies: Array<[path: string, cookies: string[]]>;
}

/**
 * The behaviour every Node middleware adapter shares, as `it()`s: call it inside the `describe` of one
 * framework version. Framework-specific cases stay in the adapter's own tests.
 */
export function runNodeAdapterTests(adapter: NodeAdapterUnderTest): void {
  const { start } = adapter;

  it('records a navigation as a page view with its UTM, and sets both identity cookies', async () => {
    const { origin, events } = await start();
    const url = `${origin}/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring_sale`;
    const answer = await navigate(url, { headers: { referer: 'https://www.google.com/' } });

    expect(answer.status).toBe(200);
    const cookies = mbuzzCookies(answer.setCookies);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(COOKIE_SHAPE);
      expect(cookie).not.toContain('Secure');
    }
    const visitorId = cookieValue(cookies, '_mbuzz_vid');
    const sessionId = cookieValue(cookies, '_mbuzz_sid')?.split('.')[0];
    expect(visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.body).toContain(`${visitorId} ${sessionId}`);

    const [event, ...rest] = await events();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      event_type: 'page_view',
      visitor_id: visitorId,
      session_id: sessionId,
      properties: {
        url,
        path: '/pricing',
        referrer: 'https://www.google.com/',
        utm_source: 'google',
        utm_medium: 'cpc',
        utm_campaign: 'spring_sale',
      },
    });
  });

  it('marks the cookies Secure and records the https URL behind a trusted proxy, without throwing', async () => {
    const { origin, events } = await start({}, { trustProxy: true });
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };
    const answer = await navigate(`${origin}/?utm_source=x`, { headers: forwarded });

    expect(answer.status).toBe(200);
    const cookies = mbuzzCookies(answer.setCookies);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) expect(cookie).toMatch(/; Secure$/);
    expect((await events())[0]?.properties.url).toBe('https://shop.example/?utm_source=x');
  });

  it('marks the cookies Secure on a real https server', async () => {
    const { origin, events } = await start({}, { tls: TLS });
    const answer = await navigate(`${origin}/?utm_source=tls`);

    expect(origin).toMatch(/^https:/);
    const cookies = mbuzzCookies(answer.setCookies);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) expect(cookie).toMatch(COOKIE_SHAPE);
    for (const cookie of cookies) expect(cookie).toMatch(/; Secure$/);
    expect((await events())[0]?.properties.url).toBe(`${origin}/?utm_source=tls`);
  });

  it('ignores X-Forwarded-Proto when the proxy is not trusted, and keeps the port of the Host', async () => {
    const { origin, events } = await start();
    const answer = await navigate(`${origin}/`, { headers: { 'x-forwarded-proto': 'https' } });

    for (const cookie of mbuzzCookies(answer.setCookies)) expect(cookie).not.toContain('Secure');
    expect((await events())[0]?.properties.url).toBe(`${origin}/`);
  });

  it('reuses the ids on the next navigation', async () => {
    const { origin, events } = await start();
    const first = await navigate(`${origin}/?utm_source=news`);
    const jar = cookieJar(first.setCookies);
    const second = await navigate(`${origin}/pricing`, { cookies: jar });

    expect(cookieValue(second.setCookies, '_mbuzz_vid')).toBe(jar._mbuzz_vid);
    const [a, b] = await events();
    expect(b?.properties.path).toBe('/pricing');
    expect(b?.visitor_id).toBe(a?.visitor_id);
    expect(b?.session_id).toBe(a?.session_id);
  });

  it('records each page view of a kept-alive connection when its response ends', async () => {
    const { origin, events } = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    try {
      for (const path of ['/', '/pricing', '/']) {
        const url = `${origin}${path}`;
        await send(url, { headers: navigationView(url).headers, agent });
        for (const list of Object.values(agent.freeSockets))
          for (const socket of list ?? []) sockets.add(socket);
      }
      expect(sockets.size).toBe(1);
      expect((await events()).map((e) => e.properties.path)).toEqual(['/', '/pricing', '/']);
    } finally {
      agent.destroy();
    }
  });

  it('gives sub-requests, assets, prefetches, bots and form posts no event and no cookie', async () => {
    const { origin, events } = await start();
    const nav = (path: string, headers: SendInit['headers'] = {}) =>
      navigationView(`${origin}${path}`, { headers }).headers;
    const requests: Array<[string, SendInit]> = [
      ['/api/ping', { headers: subRequestView(`${origin}/api/ping`).headers }],
      ['/api/ping', { headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' } }],
      [
        '/assets/app.css',
        { headers: { accept: 'text/css', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'style' } },
      ],
      ['/assets/app.css', { headers: nav('/assets/app.css') }],
      ['/pricing', { headers: nav('/pricing', { 'sec-purpose': 'prefetch' }) }],
      ['/pricing', { headers: nav('/pricing', { 'user-agent': GOOGLEBOT }) }],
      [
        '/signup',
        {
          method: 'POST',
          headers: nav('/signup', { 'content-type': 'application/x-www-form-urlencoded' }),
          body: 'plan=free',
        },
      ],
    ];
    for (const [path, init] of requests) {
      const answer = await send(`${origin}${path}`, init);
      expect(answer.status, path).toBeLessThan(400);
      expect(mbuzzCookies(answer.setCookies), path).toEqual([]);
    }
    // The form post without a visitor cookie still records its signup, but no page view.
    expect((await events()).map((e) => e.event_type)).toEqual(['signup']);
  });

  it('records no page view for a missing route or a failed one (final status), and sets no cookie', async () => {
    const { origin, events } = await start();
    const answers = [];
    for (const [path] of adapter.errors) answers.push(await navigate(`${origin}${path}?utm_source=x`));

    expect(answers.map((a) => a.status)).toEqual(adapter.errors.map(([, status]) => status));
    expect(mbuzzCookies(answers.flatMap((a) => a.setCookies))).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it.each(adapter.redirects)(
    'records no page view for %s; the page it leads to carries the landing UTM',
    async (_how, path) => {
      const { origin, events } = await start();
      const landing = `${origin}${path}?utm_source=newsletter&utm_campaign=launch`;
      const referer = 'https://mail.example/';
      const redirect = await navigate(landing, { headers: { referer } });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.location).toBe('/pricing');
      const jar = cookieJar(redirect.setCookies);
      expect(Object.keys(jar).sort()).toEqual(['_mbuzz_sid', '_mbuzz_vid']);

      await navigate(`${origin}/pricing`, { cookies: jar, headers: { referer } });
      const [pageView, ...rest] = await events();
      expect(rest).toEqual([]);
      expect(pageView).toMatchObject({
        event_type: 'page_view',
        visitor_id: jar._mbuzz_vid,
        properties: {
          path: '/pricing',
          utm_source: 'newsletter',
          utm_campaign: 'launch',
          landing_url: landing,
          referrer: referer,
        },
      });
    },
  );

  it(`tracks ${adapter.contextName}.track('signup', { plan }) with the visitor's cookie identity`, async () => {
    const { origin, events } = await start();
    const jar = cookieJar((await navigate(`${origin}/?utm_source=ads`)).setCookies);
    const answer = await send(`${origin}/signup`, {
      method: 'POST',
      headers: {
        ...subRequestView(`${origin}/signup`, { cookies: jar }).headers,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'plan=pro',
    });

    expect(answer.status).toBe(303);
    expect(mbuzzCookies(answer.setCookies)).toEqual([]);
    const [pageView, signup] = await events();
    expect(signup).toMatchObject({
      event_type: 'signup',
      visitor_id: pageView?.visitor_id,
      session_id: pageView?.session_id,
      properties: { plan: 'pro' },
    });
  });

  it("keeps the app's own Set-Cookie headers, however they were set (raw writeHead and streams too)", async () => {
    const { origin, events } = await start();
    for (const [path, own] of adapter.ownCookies) {
      const answer = await navigate(`${origin}${path}`);
      expect(answer.status, path).toBe(200);
      expect(
        answer.setCookies.filter((c) => !c.startsWith('_mbuzz_')),
        path,
      ).toEqual(own);
      expect(mbuzzCookies(answer.setCookies), path).toHaveLength(2);
    }
    expect((await events()).map((e) => e.properties.path)).toEqual(adapter.ownCookies.map(([path]) => path));
  });

  it('never breaks a response when the transport, onError or the logger throw', async () => {
    const throwing: Transport = {
      send() {
        throw new Error('transport down');
      },
    };
    const onError = vi.fn(() => {
      throw new Error('onError down');
    });
    const logger = {
      warn: vi.fn(() => {
        throw new Error('logger down');
      }),
      error: vi.fn(),
    };
    const { origin, middleware, settled } = await start({ transport: throwing, onError, logger });

    const answer = await navigate(`${origin}/?utm_source=x`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<h1>/</h1>');
    expect(mbuzzCookies(answer.setCookies)).toHaveLength(2);
    await settled();
    await expect(middleware.client.flush()).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalled();
  });

  it("contains a failure of the adapter's own calls into core", async () => {
    const errors: MbuzzError[] = [];
    const { origin, middleware, settled } = await start({
      onError: (error) => errors.push(error),
      logger: { warn() {}, error() {} },
    });
    const client = middleware.client as { begin: typeof middleware.client.begin };
    const realBegin = client.begin;

    client.begin = () => {
      throw new Error('begin broke');
    };
    const unbegun = await navigate(`${origin}/`);
    expect(unbegun.status).toBe(200);
    expect(unbegun.body).toContain('undefined undefined');

    client.begin = (view) =>
      Object.assign(Object.create(realBegin(view)), {
        cookies: () => {
          throw new Error('cookies broke');
        },
        end: () => {
          throw new Error('end broke');
        },
      });
    const uncooked = await navigate(`${origin}/`);
    await settled();
    expect(uncooked.status).toBe(200);
    expect(mbuzzCookies(uncooked.setCookies)).toEqual([]);
    expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([
      ['internal', 'begin broke'],
      ['internal', 'cookies broke'],
      ['internal', 'end broke'],
    ]);
  });

  it('close() delivers what is still queued', async () => {
    const { origin, transport, middleware, settled } = await start();
    await navigate(`${origin}/`);
    await settled();
    expect(transport.events).toEqual([]);

    const result = await middleware.close({ timeoutMs: 2000 });
    expect(result).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(transport.events.map((e) => e.event_type)).toEqual(['page_view']);
  });
}
