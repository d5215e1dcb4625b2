import { Readable } from 'node:stream';
import fastifyCookie from '@fastify/cookie';
import type { MbuzzClient, MbuzzError, MbuzzOptions } from '@mbuzz/core';
import { cookieJar, createMemoryTransport, subRequestView } from '@mbuzz/core/testing';
import { type AppSetup, navigate, runNodeAdapterTests, send, useServedApps } from '@mbuzz/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MbuzzFastifyOptions, mbuzz } from '../src/index.js';

describe('Fastify 5', () => {
  const serveApp = useServedApps();
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  /** A real Fastify app on a real server, with the plugin on a memory transport. */
  async function start(
    options: MbuzzFastifyOptions = {},
    setup: AppSetup & { withCookiePlugin?: boolean } = {},
  ) {
    const transport = createMemoryTransport();
    const app = Fastify({ trustProxy: setup.trustProxy ? 'loopback' : false });
    apps.push(app);
    if (setup.withCookiePlugin) await app.register(fastifyCookie);
    await app.register(mbuzz, { transport, flushIntervalMs: 60_000, ...options });
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    for (const path of ['/', '/pricing']) {
      app.get(path, (request, reply) =>
        reply
          .type('text/html')
          .send(`<h1>${path}</h1><p id="ids">${request.mbuzz.visitorId} ${request.mbuzz.sessionId}</p>`),
      );
    }
    app.get('/ids', (request) => ({
      visitorId: request.mbuzz.visitorId,
      sessionId: request.mbuzz.sessionId,
    }));
    app.get('/promo', (_request, reply) => reply.redirect('/pricing', 302));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/assets/app.css', (_request, reply) => reply.type('text/css').send('body{}'));
    app.get('/api/ping', () => ({ ok: true }));
    app.get('/themed', (_request, reply) =>
      reply.header('set-cookie', 'theme=dark; Path=/').type('text/html').send('<p>themed</p>'),
    );
    app.get('/hijacked', (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['raw=1; Path=/'] });
      reply.raw.end('<p>raw</p>');
    });
    app.get('/stream', (_request, reply) =>
      reply.type('text/html').send(Readable.from(['<p>one</p>', '<p>two</p>'])),
    );
    app.get('/jar', (_request, reply) => {
      reply.setCookie('theme', 'dark');
      return reply.type('text/html').send('<p>jar</p>');
    });
    app.post('/signup', (request, reply) => {
      request.mbuzz.track('signup', { plan: (request.body as { plan?: string } | undefined)?.plan });
      return reply.redirect('/welcome', 303);
    });
    await app.ready();
    const middleware = { client: app.mbuzz, close: (o?: { timeoutMs?: number }) => app.mbuzz.close(o) };
    const served = await serveApp((req, res) => app.routing(req, res), {
      middleware,
      transport,
      tls: setup.tls,
    });
    return { ...served, app };
  }

  runNodeAdapterTests({
    start: (options?: MbuzzOptions, setup?: AppSetup) => start(options, setup),
    contextName: 'request.mbuzz',
    errors: [
      ['/missing', 404],
      ['/boom', 500],
    ],
    redirects: [['reply.redirect()', '/promo']],
    ownCookies: [
      ['/themed', ['theme=dark; Path=/']],
      ['/hijacked', ['raw=1; Path=/']],
      ['/stream', []],
    ],
  });

  it('works beside @fastify/cookie: its cookies and ours are all sent, and its parsed cookies are read', async () => {
    const { origin, events } = await start({}, { withCookiePlugin: true });
    const first = await navigate(`${origin}/jar`);
    expect(first.setCookies.map((c) => c.split('=')[0]).sort()).toEqual([
      '_mbuzz_sid',
      '_mbuzz_vid',
      'theme',
    ]);
    const jar = cookieJar(first.setCookies);
    const second = await navigate(`${origin}/ids`, { cookies: jar });
    expect(JSON.parse(second.body).visitorId).toBe(jar._mbuzz_vid);
    expect((await events()).map((e) => e.visitor_id)).toEqual([jar._mbuzz_vid, jar._mbuzz_vid]);
  });

  it('reports an SDK failure inside a hook to onError and the logger, and the reply goes on', async () => {
    const errors: MbuzzError[] = [];
    const warnings: unknown[] = [];
    const { origin, app } = await start({
      onError: (error) => errors.push(error),
      logger: { warn: (...args: unknown[]) => warnings.push(args), error() {} },
    });
    vi.spyOn(app.mbuzz, 'begin').mockImplementation(() => {
      throw new Error('sdk bug');
    });
    const answer = await navigate(`${origin}/ids`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({});
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['internal', '[mbuzz] the Fastify adapter failed'],
    ]);
    expect(errors[0]?.cause).toEqual(new Error('sdk bug'));
    expect(warnings).toHaveLength(1);
  });

  it('delivers what is queued when the app closes', async () => {
    const { origin, app, transport, settled } = await start({ flushIntervalMs: 3_600_000 });
    await navigate(`${origin}/?utm_source=x`);
    await send(`${origin}/ids`, { headers: subRequestView(`${origin}/ids`).headers });
    await settled();
    expect(transport.events).toEqual([]);
    await app.close();
    expect(transport.events.map((e) => e.event_type)).toEqual(['page_view']);
  });

  it('bounds that last delivery by shutdownTimeoutMs (default 5000)', async () => {
    for (const [options, timeoutMs] of [
      [{}, 5000],
      [{ shutdownTimeoutMs: 1234 }, 1234],
    ] as const) {
      const { app } = await start(options);
      const close = vi.spyOn(app.mbuzz as MbuzzClient, 'close');
      await app.close();
      expect(close).toHaveBeenCalledWith({ timeoutMs });
    }
  });

  it('exposes the client as app.mbuzz for events outside a request', async () => {
    const { app, events } = await start();
    app.mbuzz.track({ eventType: 'invoice_paid', visitorId: 'a'.repeat(64), properties: { cents: 900 } });
    const [event] = await events();
    expect(event).toMatchObject({
      event_type: 'invoice_paid',
      visitor_id: 'a'.repeat(64),
      properties: { cents: 900 },
    });
  });
});
