import type { ServerResponse } from 'node:http';
import type { MbuzzOptions } from '@mbuzz/core';
import { createMemoryTransport, navigationView } from '@mbuzz/core/testing';
import {
  type AppSetup,
  cookieValue,
  mbuzzCookies,
  navigate,
  runNodeAdapterTests,
  send,
  useServedApps,
} from '@mbuzz/test-kit';
import express5 from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { type MbuzzMiddleware, mbuzz } from '../src/index.js';

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
] as const)('%s', (_name, express) => {
  const serveApp = useServedApps();

  /** A real Express app on a real server, with the middleware on a memory transport. */
  async function start(
    options: MbuzzOptions = {},
    setup: AppSetup & {
      /** Right after the middleware, before the test routes. */
      routes?: (app: express5.Express, middleware: MbuzzMiddleware) => void;
    } = {},
  ) {
    const transport = createMemoryTransport();
    const middleware = mbuzz({ transport, flushIntervalMs: 60_000, ...options });
    const app = express();
    if (setup.trustProxy) app.set('trust proxy', 'loopback');
    app.use(middleware);
    setup.routes?.(app, middleware);
    const page = (req: express5.Request, res: express5.Response) => {
      res.send(`<h1>${req.path}</h1><p id="ids">${req.mbuzz.visitorId} ${req.mbuzz.sessionId}</p>`);
    };
    app.get('/', page);
    app.get('/pricing', page);
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
    return serveApp(app, { middleware, transport, tls: setup.tls });
  }

  runNodeAdapterTests({
    start,
    contextName: 'req.mbuzz',
    errors: [
      ['/missing', 404],
      ['/boom', 500],
    ],
    redirects: [['res.redirect()', '/promo']],
    ownCookies: [
      ['/with-cookies', ['theme=dark; Path=/', 'lang=fr; Path=/']],
      ['/write-head', ['raw=1; Path=/']],
      ['/stream', []],
    ],
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
});
