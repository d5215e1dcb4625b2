import { Readable } from 'node:stream';
import type { MbuzzOptions } from '@mbuzz/core';
import { createMemoryTransport } from '@mbuzz/core/testing';
import {
  type AppSetup,
  cookieValue,
  mbuzzCookies,
  navigate,
  runNodeAdapterTests,
  useServedApps,
} from '@mbuzz/test-kit';
import Koa3, { type Context } from 'koa';
import Koa2 from 'koa2';
import { describe, expect, it } from 'vitest';
import { type MbuzzMiddleware, mbuzz } from '../src/index.js';

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
  const serveApp = useServedApps();

  /** A real Koa app on a real server, with the middleware on a memory transport. */
  async function start(
    options: MbuzzOptions = {},
    setup: AppSetup & {
      /** Right after the middleware, before the test routes. */
      extra?: (app: Koa3, middleware: MbuzzMiddleware) => void;
    } = {},
  ) {
    const transport = createMemoryTransport();
    const middleware = mbuzz({ transport, flushIntervalMs: 60_000, ...options });
    const app = new Koa();
    app.silent = true; // the thrown errors are on purpose
    if (setup.trustProxy) app.proxy = true;
    app.use(middleware);
    setup.extra?.(app, middleware);
    app.use(routes);
    return serveApp(app.callback(), { middleware, transport, tls: setup.tls });
  }

  runNodeAdapterTests({
    start,
    contextName: 'ctx.state.mbuzz',
    errors: [
      ['/missing', 404],
      ['/boom', 500],
      ['/thrown-404', 404],
    ],
    redirects: [
      ['ctx.redirect()', '/promo'],
      ['a thrown 302', '/thrown-redirect'],
    ],
    ownCookies: [
      ['/with-cookies', ['theme=dark; path=/', 'lang=fr; Path=/']],
      ['/raw', ['raw=1; Path=/']],
      ['/stream', []],
    ],
  });

  it('tracks once when the same middleware is mounted twice on the path', async () => {
    const { origin, events } = await start({}, { extra: (app, middleware) => app.use(middleware) });
    const answer = await navigate(`${origin}/`);

    expect(mbuzzCookies(answer.setCookies)).toHaveLength(2);
    expect(answer.body).toContain(cookieValue(answer.setCookies, '_mbuzz_vid'));
    expect((await events()).map((e) => e.properties.path)).toEqual(['/']);
  });
});
