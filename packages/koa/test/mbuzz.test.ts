import { readFileSync } from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import { Readable } from 'node:stream';
import type { MbuzzError, Transport, WireEvent } from '@mbuzz/core';
import { cookieJar, createMemoryTransport, navigationView, subRequestView } from '@mbuzz/core/testing';
import Koa3, { type Context } from 'koa';
import Koa2 from 'koa2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MbuzzKoaOptions, type MbuzzMiddleware, mbuzz } from '../src/index.js';
import { type SendInit, send } from './send.js';
import { type Served, serve } from './serve.js';

const TLS = {
  cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url)),
  key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
};
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const COOKIE_SHAPE = /^_mbuzz_(vid|sid)=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax(; Secure)?$/;

const mbuzzCookies = (setCookies: string[]) => setCookies.filter((c) => c.startsWith('_mbuzz_'));
const cookieValue = (setCookies: string[], name: string) =>
  setCookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

/** The routes of the test app, without a router: what matters is Koa's own request/response cycle. */
async function routes(ctx: Context): Promise<void> {
  const page = () => {
    ctx.body = `<h1>${ctx.path}</h1><p id="ids">${ctx.state.mbuzz.visitorId} ${ctx.state.mbuzz.sessionId}</p>`;
  };
  switch (`${ctx.method} ${ctx.path}`) {
    case 'GET /':
    case 'GET /pricing':
      return page();
    case 'GET /promo':
      return ctx.redirect('/pricing');
    case 'GET /boom':
      ctx.body = '<p>half-built page</p>';
      throw new Error('boom');
    case 'GET /thrown-404':
      return ctx.throw(404, 'no such thing');
    case 'GET /thrown-redirect':
      throw Object.assign(new Error('moved'), {
        status: 302,
        expose: true,
        headers: { location: '/pricing' },
      });
    case 'GET /assets/app.css':
      ctx.type = 'css';
      ctx.body = 'body{}';
      return;
    case 'GET /api/ping':
      ctx.body = { ok: true };
      return;
    case 'GET /with-cookies':
      ctx.cookies.set('theme', 'dark', { signed: false, httpOnly: false });
      ctx.append('Set-Cookie', 'lang=fr; Path=/');
      ctx.body = '<p>cookies</p>';
      return;
    case 'GET /raw':
      ctx.respond = false;
      ctx.res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['raw=1; Path=/'] });
      ctx.res.end('<p>raw</p>');
      return;
    case 'GET /stream':
      ctx.type = 'html';
      ctx.body = Readable.from(['<p>one</p>', '<p>two</p>']);
      return;
    case 'POST /signup': {
      let raw = '';
      for await (const chunk of ctx.req) raw += chunk;
      ctx.state.mbuzz.track('signup', { plan: new URLSearchParams(raw).get('plan') });
      ctx.status = 303;
      ctx.redirect('/welcome');
      return;
    }
  }
}

describe.each([
  ['Koa 2', Koa2],
  ['Koa 3', Koa3],
] as const)('%s', (_name, Koa) => {
  let served: Served | undefined;
  let closeClient: (() => Promise<unknown>) | undefined;

  afterEach(async () => {
    await served?.close();
    await closeClient?.();
    served = undefined;
    closeClient = undefined;
  });

  /** A real Koa app on a real server, with the middleware on a memory transport. */
  async function start(
    options: MbuzzKoaOptions = {},
    setup: {
      /** Before the middleware (settings). */
      configure?: (app: Koa3) => void;
      /** Right after the middleware, before the test routes. */
      extra?: (app: Koa3, middleware: MbuzzMiddleware) => void;
      /** Serve over HTTPS with this certificate. */
      tls?: https.ServerOptions;
    } = {},
  ) {
    const transport = createMemoryTransport();
    const middleware = mbuzz({ transport, flushIntervalMs: 60_000, ...options });
    closeClient = () => middleware.close({ timeoutMs: 1000 });
    const app = new Koa();
    app.silent = true; // the thrown errors are on purpose
    setup.configure?.(app);
    app.use(middleware);
    setup.extra?.(app, middleware);
    app.use(routes);
    served = await serve(app.callback(), setup.tls);
    const server = served;
    return {
      origin: served.origin,
      transport,
      middleware,
      /** Events delivered once every response so far is finished and the queue flushed. */
      async events(): Promise<WireEvent[]> {
        await server.settled();
        await middleware.client.flush();
        return transport.events;
      },
    };
  }

  const navigate = (url: string, init: Parameters<typeof navigationView>[1] = {}) =>
    send(url, { headers: navigationView(url, init).headers });

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

  it('sets Secure cookies behind a TLS-terminating proxy (app.proxy) without throwing', async () => {
    const { origin, events } = await start(
      {},
      {
        configure: (app) => {
          app.proxy = true;
        },
      },
    );
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

  it('ignores X-Forwarded-Proto without app.proxy, and keeps the port of the Host', async () => {
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

  it('records no page view when downstream middleware throws or a route is missing (final status)', async () => {
    const { origin, events } = await start();
    const answers = await Promise.all(
      ['/missing', '/boom', '/thrown-404'].map((path) => navigate(`${origin}${path}?utm_source=x`)),
    );

    expect(answers.map((a) => a.status)).toEqual([404, 500, 404]);
    expect(mbuzzCookies(answers.flatMap((a) => a.setCookies))).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it.each([
    ['ctx.redirect()', '/promo'],
    ['a thrown 302', '/thrown-redirect'],
  ])('records no page view for %s; the page it leads to carries the landing UTM', async (_how, path) => {
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
  });

  it("tracks ctx.state.mbuzz.track('signup', { plan }) with the visitor's cookie identity", async () => {
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

  it("keeps the app's own Set-Cookie headers, with ctx.respond = false and streamed bodies too", async () => {
    const { origin, events } = await start();
    for (const [path, own] of [
      ['/with-cookies', ['theme=dark; path=/', 'lang=fr; Path=/']],
      ['/raw', ['raw=1; Path=/']],
      ['/stream', []],
    ] as const) {
      const answer = await navigate(`${origin}${path}`);
      expect(answer.status, path).toBe(200);
      expect(
        answer.setCookies.filter((c) => !c.startsWith('_mbuzz_')),
        path,
      ).toEqual(own);
      expect(mbuzzCookies(answer.setCookies), path).toHaveLength(2);
    }
    expect((await events()).map((e) => e.properties.path)).toEqual(['/with-cookies', '/raw', '/stream']);
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
    const { origin, middleware } = await start({ transport: throwing, onError, logger });

    const answer = await navigate(`${origin}/?utm_source=x`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<h1>/</h1>');
    expect(mbuzzCookies(answer.setCookies)).toHaveLength(2);
    await served?.settled();
    await expect(middleware.client.flush()).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalled();
  });

  it("contains a failure of the adapter's own calls into core", async () => {
    const errors: MbuzzError[] = [];
    const { origin, middleware } = await start({
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
    await served?.settled();
    expect(uncooked.status).toBe(200);
    expect(mbuzzCookies(uncooked.setCookies)).toEqual([]);
    expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([
      ['internal', 'begin broke'],
      ['internal', 'cookies broke'],
      ['internal', 'end broke'],
    ]);
  });

  it('tracks once when the same middleware is mounted twice on the path', async () => {
    const { origin, events } = await start({}, { extra: (app, middleware) => app.use(middleware) });
    const answer = await navigate(`${origin}/`);

    expect(mbuzzCookies(answer.setCookies)).toHaveLength(2);
    expect(answer.body).toContain(cookieValue(answer.setCookies, '_mbuzz_vid'));
    expect((await events()).map((e) => e.properties.path)).toEqual(['/']);
  });

  it('close() delivers what is still queued', async () => {
    const { origin, transport, middleware } = await start();
    await navigate(`${origin}/`);
    await served?.settled();
    expect(transport.events).toEqual([]);

    const result = await middleware.close({ timeoutMs: 2000 });
    expect(result).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(transport.events.map((e) => e.event_type)).toEqual(['page_view']);
  });
});
