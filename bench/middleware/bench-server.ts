import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPeerTracker, type PageViewInput, type PeerName } from './peer-tracker.js';

/**
 * One benchmarked server, in its own process so it never shares an event loop with autocannon:
 * `node --import tsx middleware/bench-server.ts <express|koa|fastify> <bare|mbuzz|posthog|segment>`.
 * Env: SINK_URL (the local analytics sink), MBUZZ_API_KEY. Prints `listening <port> <cpuPort>`: a GET on
 * cpuPort answers `process.cpuUsage()`, so the run can also bill CPU time per request, a figure that
 * holds up better than requests/s when other processes share the machine.
 */
export type Framework = 'express' | 'koa' | 'fastify';
/** `mbuzz-nosend`: the adapter with a transport that answers at once — the request path alone (diagnostic). */
export type Variant = 'bare' | 'mbuzz' | 'mbuzz-nosend' | PeerName;

// A small but real page: what a marketing site's HTML route answers.
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pricing</title>
<link rel="stylesheet" href="/assets/app.css"></head><body><h1>Pricing</h1>
<p>Free for side projects, Pro for teams.</p><a href="/">Home</a> <a href="/about">About</a>
<a href="/signup">Sign up</a><script src="/assets/app.js"></script></body></html>`;

const [framework, variant] = process.argv.slice(2) as [Framework, Variant];
const sinkUrl = process.env.SINK_URL ?? 'http://127.0.0.1:9';
const mbuzzOptions = {
  apiKey: process.env.MBUZZ_API_KEY,
  apiUrl: `${sinkUrl}/api/v1`,
  logger: { warn() {}, error() {} },
  ...(variant === 'mbuzz-nosend'
    ? {
        transport: {
          send: async (events: unknown[]) => ({
            ok: true as const,
            answer: { accepted: events.length, duplicates: 0, rejected: [] },
          }),
        },
      }
    : {}),
};
const withMbuzz = variant === 'mbuzz' || variant === 'mbuzz-nosend';
const peer =
  variant === 'posthog' || variant === 'segment' ? await createPeerTracker(variant, sinkUrl) : undefined;

const inputOf = (
  url: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
): PageViewInput => ({
  url,
  path,
  referrer: headers.referer as string | undefined,
  userAgent: headers['user-agent'] as string | undefined,
  cookie: headers.cookie as string | undefined,
});

async function start(): Promise<number> {
  if (framework === 'express') {
    const { default: express } = await import('express');
    const app = express();
    if (withMbuzz) app.use((await import('@mbuzz/express')).mbuzz(mbuzzOptions));
    if (peer) {
      app.use((req, _res, next) => {
        peer.pageView(
          inputOf(`${req.protocol}://${req.get('host')}${req.originalUrl}`, req.path, req.headers),
        );
        next();
      });
    }
    app.get('/pricing', (_req, res) => {
      res.type('html').send(PAGE);
    });
    return new Promise((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }
  if (framework === 'koa') {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    if (withMbuzz) app.use((await import('@mbuzz/koa')).mbuzz(mbuzzOptions));
    if (peer) {
      app.use(async (ctx, next) => {
        peer.pageView(inputOf(ctx.href, ctx.path, ctx.headers));
        await next();
      });
    }
    app.use((ctx) => {
      if (ctx.method === 'GET' && ctx.path === '/pricing') {
        ctx.type = 'html';
        ctx.body = PAGE;
      }
    });
    return new Promise((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  if (withMbuzz) await app.register((await import('@mbuzz/fastify')).mbuzz, mbuzzOptions);
  if (peer) {
    app.addHook('onRequest', (request, _reply, done) => {
      peer.pageView(
        inputOf(
          `${request.protocol}://${request.host}${request.url}`,
          request.url.split('?')[0] ?? '/',
          request.headers,
        ),
      );
      done();
    });
  }
  app.get('/pricing', (_request, reply) => {
    reply.type('text/html; charset=utf-8').send(PAGE);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

const cpuServer = createServer((_req, res) => res.end(JSON.stringify(process.cpuUsage())));
await new Promise<void>((resolve) => cpuServer.listen(0, '127.0.0.1', resolve));

start().then(
  (port) => console.log(`listening ${port} ${(cpuServer.address() as AddressInfo).port}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

// Measurements are over once the signal comes: exit at once (normal exit, so --cpu-prof can write).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
