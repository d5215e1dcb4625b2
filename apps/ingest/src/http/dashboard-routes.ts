import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The dashboard's Content-Security-Policy: only its own origin, no inline script or style, no framing.
 * (The dashboard's build has no inline code; uPlot sets styles through the CSSOM, which CSP allows.)
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `/api`, `/api/…` and `/api?…`: the JSON API, never the dashboard. */
export const isApiPath = (url: string): boolean => /^\/api(?:[/?#]|$)/.test(url);

/** Built assets carry a content hash in their name: cached for a year. Everything else revalidates. */
const ASSETS = /^\/assets\//;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The security headers of every dashboard response (pages, assets, their 404s). */
export function setDashboardHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', DASHBOARD_CSP);
  reply.header('referrer-policy', 'same-origin');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

export interface DashboardRoutesOptions {
  /** The dashboard's build (absolute), with `index.html` and `assets/`. */
  dir: string;
}

/**
 * Serves the dashboard's build at `/` and answers the root 404s: a GET (or HEAD) of a path outside
 * `/api/` that is not a file is a client-side route and gets `index.html`; anything else is the JSON
 * 404 `jsonNotFound`. Without a build (`pnpm build` not run) those pages are a 503 saying so — the API
 * works all the same, and a build made later is served without a restart.
 */
export function dashboardRoutes(
  app: FastifyInstance,
  options: DashboardRoutesOptions,
  jsonNotFound: (request: FastifyRequest, reply: FastifyReply) => void,
): void {
  const { dir } = options;
  const index = join(dir, 'index.html');
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new Error(`DASHBOARD_DIR ${dir} is not a folder`);
  }
  if (!existsSync(index)) {
    app.log.warn(
      { dir },
      'the dashboard is not built: / answers 503 until `pnpm build` (or `pnpm --filter @mbuzz/dashboard build`) makes it',
    );
  }

  app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    // Cache-Control is ours (below), not send's `public, max-age=0`.
    cacheControl: false,
    dotfiles: 'ignore',
    suppressWarning: true,
    allowedPath: (pathName) => !isApiPath(pathName),
    setHeaders: (reply, path) => {
      const relative = path.slice(dir.length).replaceAll('\\', '/');
      reply.header('cache-control', ASSETS.test(relative) ? IMMUTABLE : 'no-cache');
    },
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const page = (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(path);
    // A missing hashed asset is an old build's: a 404, not the app's HTML under a script's name.
    if (!page || ASSETS.test(path)) return jsonNotFound(request, reply);
    if (!existsSync(index)) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(
          'The mbuzz dashboard is not built.\n\n' +
            'Run `pnpm build` (or `pnpm --filter @mbuzz/dashboard build`) in the repository, then reload this page.\n' +
            'The ingest API under /api/v1 works meanwhile.\n',
        );
    }
    return reply.code(200).header('cache-control', 'no-cache').sendFile('index.html');
  });
}
