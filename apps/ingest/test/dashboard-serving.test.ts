import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/accounts/api-keys.js';
import { DASHBOARD_CSP } from '../src/http/dashboard-routes.js';
import { createUser } from '../src/users/users.js';
import { createTestApp, createTestTenant, testConfig } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// The dashboard's build served at / by the real server (listening, fetched over HTTP), from a small fake
// build in a temp folder (DASHBOARD_DIR), so this does not depend on the front-end's build.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const INDEX =
  '<!doctype html><title>mbuzz</title><script type="module" src="/assets/app-3f9a1c.js"></script>';
const SCRIPT = 'console.log("dashboard");\n';

let db: TestDatabase;
let root: string;
let dist: string;
const apps: FastifyInstance[] = [];

async function listen(overrides: Parameters<typeof testConfig>[0]) {
  const app = createTestApp(db.sql, { config: testConfig(overrides) });
  apps.push(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'mbuzz-dashboard-'));
  dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'app-3f9a1c.js'), SCRIPT);
  writeFileSync(join(dist, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  writeFileSync(join(root, 'secret.txt'), 'outside the build');
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('the dashboard at /', () => {
  let base: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app, url: base } = await listen({ dashboardDir: dist }));
  });

  it('serves index.html at / with the CSP, nosniff, same-origin referrers and no-cache', async () => {
    expect(DASHBOARD_CSP).toBe(CSP);
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    // no-cache means revalidate: the ETag makes that a 304. (Not with fetch(), which sends
    // Cache-Control: no-cache along with If-None-Match.)
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await app.inject({ url: '/', headers: { 'if-none-match': etag as string } });
    expect(again.statusCode).toBe(304);
    const route = await app.inject({ url: '/sources', headers: { 'if-none-match': etag as string } });
    expect(route.statusCode).toBe(304);
  });

  it('answers index.html for the client-side routes (with their query strings)', async () => {
    for (const path of [
      '/login',
      '/sources',
      '/events',
      '/keys',
      '/sources?range=7d&f=channel:is:Paid%20Search',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(INDEX);
      expect(res.headers.get('content-security-policy'), path).toBe(CSP);
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
    }
    const head = await fetch(`${base}/sources`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves hashed assets for a year and other files with no-cache; a missing asset is a 404', async () => {
    const script = await fetch(`${base}/assets/app-3f9a1c.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^(application|text)\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(SCRIPT);
    const robots = await fetch(`${base}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(robots.headers.get('cache-control')).toBe('no-cache');
    const missing = await fetch(`${base}/assets/app-000000.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('never serves a file outside the build', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await fetch(`${base}${path}`);
      expect(await res.text(), path).not.toContain('outside the build');
    }
  });

  it('keeps the API JSON: unknown /api paths are JSON 404s, without the dashboard headers', async () => {
    for (const path of ['/api/v1/nope', '/api/v2/health', '/api', '/api/']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect((await res.json()).code, path).toBe('not_found');
      expect(res.headers.get('content-security-policy'), path).toBeNull();
    }
    const health = await fetch(`${base}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).toBeNull();
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    // Only GET/HEAD of a page get index.html.
    const post = await fetch(`${base}/sources`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect((await post.json()).code).toBe('not_found');
  });
});

describe('without a build', () => {
  it('answers / with a 503 saying to run pnpm build, keeps the API, and serves a build made later', async () => {
    const later = join(root, 'later');
    const { url } = await listen({ dashboardDir: later });
    const res = await fetch(`${url}/sources`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('pnpm build');
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/nope`)).status).toBe(404);

    mkdirSync(later);
    writeFileSync(join(later, 'index.html'), INDEX);
    const built = await fetch(`${url}/`);
    expect(built.status).toBe(200);
    expect(await built.text()).toBe(INDEX);
    expect(await (await fetch(`${url}/keys`)).text()).toBe(INDEX);
  });
});

describe('DASHBOARD=false', () => {
  it('serves no dashboard and no login; reports still answer read API keys', async () => {
    const tenant = await createTestTenant(db.sql, 'Headless');
    await createUser(db.sql, {
      accountId: tenant.account.id,
      email: 'hal@headless.example',
      role: 'admin',
      password: 'correct horse battery staple',
    });
    const read = await createApiKey(db.sql, {
      accountId: tenant.account.id,
      environment: 'live',
      scope: 'read',
    });
    const { url } = await listen({ dashboard: false, dashboardDir: dist });

    for (const path of ['/', '/sources', '/assets/app-3f9a1c.js', '/api/v1/auth/me', '/api/v1/keys']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(404);
      expect((await res.json()).code, path).toBe('not_found');
      expect(res.headers.get('content-security-policy'), path).toBeNull();
    }
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'hal@headless.example', password: 'correct horse battery staple' }),
    });
    expect(login.status).toBe(404);
    expect(login.headers.get('set-cookie')).toBeNull();

    const query = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${read.key}` },
      body: JSON.stringify({ date_range: 'all', metrics: ['sessions'] }),
    });
    expect(query.status).toBe(200);
    expect((await query.json()).results).toEqual([{ dimensions: [], metrics: [0] }]);
    const recent = await fetch(`${url}/api/v1/events/recent`, {
      headers: { authorization: `Bearer ${read.key}` },
    });
    expect(recent.status).toBe(200);
    const anonymous = await fetch(`${url}/api/v1/events/recent`);
    expect((await anonymous.json()).code).toBe('missing_api_key');
  });
});
