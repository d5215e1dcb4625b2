import { readFileSync } from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import type https from 'node:https';
import type { MbuzzError, Transport, WireEvent } from '@mbuzz/core';
import { cookieJar, createMemoryTransport, navigationView, subRequestView } from '@mbuzz/core/testing';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MbuzzExpressOptions, type MbuzzMiddleware, mbuzz } from '../src/index.js';
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

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
] as const)('%s', (_name, express) => {
  let served: Served | undefined;
  let closeClient: (() => Promise<unknown>) | undefined;

  afterEach(async () => {
    await served?.close();
    await closeClient?.();
    served = undefined;
    closeClient = undefined;
  });

  /** A real Express app on a real server, with the middleware on a memory transport. */
  async function start(
    options: MbuzzExpressOptions = {},
    setup: {
      /** Before the middleware (settings). */
      configure?: (app: express5.Express) => void;
      /** Right after the middleware, before the test routes. */
      routes?: (app: express5.Express, middleware: MbuzzMiddleware) => void;
      /** Serve over HTTPS with this certificate. */
      tls?: https.ServerOptions;
    } = {},
  ) {
    const transport = createMemoryTransport();
    const middleware = mbuzz({ transport, flushIntervalMs: 60_000, ...options });
    closeClient = () => middleware.close({ timeoutMs: 1000 });
    const app = express();
    setup.configure?.(app);
    app.use(middleware);
    setup.routes?.(app, middleware);
    const page = (title: string) => (req: express5.Request, res: express5.Response) => {
      res.send(`<h1>${title}</h1><p id="ids">${req.mbuzz.visitorId} ${req.mbuzz.sessionId}</p>`);
    };
    app.get('/', page('home'));
    app.get('/pricing', page('pricing'));
    app.get('/promo', (_req, res) => res.redirect('/pricing'));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/assets/app.css', (_req, res) => res.type('css').send('body{}'));
    app.get('/api/ping', (_req, res) => res.json({ ok: true }));
    app.get('/with-cookies', (_req, res) => {
      res.cookie('theme', 'dark');
      res.append('Set-Cookie', 'lang=fr; Path=/');
      res.send('<p>cookies</p>');
    });
    app.get('/write-head', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['raw=1; Path=/'] });
      res.end('<p>raw</p>');
    });
    app.get('/stream', (_req, res) => {
      res.type('html');
      res.write('<p>one</p>');
      setImmediate(() => res.end('<p>two</p>'));
    });
    app.post('/signup', express.urlencoded({ extended: false }), (req, res) => {
      req.mbuzz.track('signup', { plan: req.body.plan });
      res.redirect(303, '/welcome');
    });
    served = await serve(app, setup.tls);
    const origin = served.origin;
    const server = served;
    return {
      origin,
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

  it('marks the cookies Secure and records the https URL behind a trusted proxy', async () => {
    const { origin, events } = await start({}, { configure: (app) => app.set('trust proxy', 'loopback') });
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };
    const answer = await navigate(`${origin}/?utm_source=x`, { headers: forwarded });

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

  it('records no page view for a 404 or a 500, and sets no cookie on them', async () => {
    const { origin, events } = await start();
    const missing = await navigate(`${origin}/missing?utm_source=x`);
    const failed = await navigate(`${origin}/boom?utm_source=x`);

    expect([missing.status, failed.status]).toEqual([404, 500]);
    expect(mbuzzCookies([...missing.setCookies, ...failed.setCookies])).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('records no page view for a redirect; the page it leads to carries the landing UTM', async () => {
    const { origin, events } = await start();
    const landing = `${origin}/promo?utm_source=newsletter&utm_campaign=launch`;
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

  it("tracks req.mbuzz.track('signup', { plan }) with the visitor's cookie identity", async () => {
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

  it("keeps the app's own Set-Cookie headers, however they were set", async () => {
    const { origin } = await start();
    for (const [path, own] of [
      ['/with-cookies', ['theme=dark; Path=/', 'lang=fr; Path=/']],
      ['/write-head', ['raw=1; Path=/']],
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
    const logger = { warn: vi.fn(), error: vi.fn() };
    const { origin, middleware } = await start({ transport: throwing, onError, logger });

    const answer = await navigate(`${origin}/?utm_source=x`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('home');
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

    client.begin = (view) => {
      const tracking = realBegin(view);
      return Object.assign(Object.create(tracking), {
        cookies: () => {
          throw new Error('cookies broke');
        },
        end: () => {
          throw new Error('end broke');
        },
      });
    };
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

  it('records nothing when the visitor leaves before any header is sent', async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { origin, events } = await start(
      {},
      {
        routes: (app) => {
          app.get('/slow', (_req, res: ServerResponse) => {
            arrived();
            res.once('close', () => {});
          });
        },
      },
    );
    const gone = send(`${origin}/slow`, {
      headers: navigationView(`${origin}/slow`).headers,
      abortAfter: arrival,
    });
    await expect(gone).rejects.toThrow();
    expect(await events()).toEqual([]);
  });

  it('tracks once when the same middleware is mounted twice on the path (app and router)', async () => {
    const { origin, events } = await start(
      {},
      {
        routes: (app, middleware) => {
          const router = express.Router();
          router.use(middleware);
          router.get('/twice', (req, res) => {
            res.send(`<p>${req.mbuzz.visitorId}</p>`);
          });
          app.use(router);
        },
      },
    );
    const answer = await navigate(`${origin}/twice`);

    expect(mbuzzCookies(answer.setCookies)).toHaveLength(2);
    expect(answer.body).toContain(cookieValue(answer.setCookies, '_mbuzz_vid'));
    expect((await events()).map((e) => e.properties.path)).toEqual(['/twice']);
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
