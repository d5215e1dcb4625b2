import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WireEvent } from '@mbuzz/core';
import { BROWSER_USER_AGENT, cookieJar } from '@mbuzz/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The one real Next.js run: examples/next built with `next build` (reused when `pnpm test` has just
 * built it through turbo) and served by its server.js, delivering to a local HTTP sink.
 */
const exampleDir = fileURLToPath(new URL('../../../examples/next/', import.meta.url));
const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'user-agent': BROWSER_USER_AGENT,
};

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  setCookies: string[];
  body: string;
}

let sink: Server;
const received: WireEvent[] = [];
let app: ChildProcess | undefined;
let base = '';

function send(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          setCookies: res.headers['set-cookie'] ?? [],
          body: text,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

beforeAll(async () => {
  sink = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const { events } = JSON.parse(text) as { events: WireEvent[] };
      received.push(...events);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkPort = (sink.address() as AddressInfo).port;

  if (!existsSync(`${exampleDir}.next/BUILD_ID`)) {
    execFileSync('pnpm', ['run', 'build'], { cwd: exampleDir, stdio: 'ignore' });
  }
  app = spawn(process.execPath, ['server.js'], {
    cwd: exampleDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      NEXT_TELEMETRY_DISABLED: '1',
      MBUZZ_API_URL: `http://127.0.0.1:${sinkPort}/api/v1`,
      MBUZZ_API_KEY: `sk_test_${'ab'.repeat(16)}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    app?.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    app?.once('exit', (code) => reject(new Error(`example exited early (${code}): ${out}`)));
  });
}, 600_000);

afterAll(async () => {
  if (app?.exitCode === null) app.kill('SIGKILL');
  await new Promise((resolve) => sink?.close(resolve));
});

describe('examples/next (next build + server.js)', () => {
  it('tracks the page loads, forwards the new ids to Server Components, and flushes on SIGTERM', async () => {
    // Lands on the redirect route from a newsletter link.
    const promo = await send('/promo?utm_source=newsletter&utm_campaign=may', {
      ...NAVIGATION,
      referer: 'https://news.example/',
    });
    expect(promo.status).toBe(302);
    expect(promo.headers.location).toMatch(/\/pricing$/);
    let jar = cookieJar(promo.setCookies);
    expect(Object.keys(jar)).toEqual(['_mbuzz_vid', '_mbuzz_sid']);

    const pricing = await send('/pricing', { ...NAVIGATION, cookie: cookieHeader(jar) });
    expect(pricing.status).toBe(200);
    expect(pricing.body).toContain('<h1>Pricing</h1>');
    jar = cookieJar(pricing.setCookies, jar);

    // Sub-requests of the page, router fetches, a bot and a missing page: nothing recorded, no cookie.
    const fetchHeaders = {
      accept: '*/*',
      'sec-fetch-mode': 'cors',
      'sec-fetch-dest': 'empty',
      'user-agent': BROWSER_USER_AGENT,
    };
    const others = await Promise.all([
      send('/assets/app.css', { accept: 'text/css,*/*;q=0.1', 'user-agent': BROWSER_USER_AGENT }),
      send('/api/ping', { ...fetchHeaders, cookie: cookieHeader(jar) }),
      // Next strips `RSC` and `Next-Router-Prefetch` before the proxy runs: the matcher's `missing`
      // skips prefetches, and a client-side navigation's fetch is no document load.
      send('/about', { ...NAVIGATION, rsc: '1', 'next-router-prefetch': '1' }),
      send('/about', { ...fetchHeaders, rsc: '1' }),
      send('/about', { ...NAVIGATION, purpose: 'prefetch' }),
      send('/about', {
        ...NAVIGATION,
        'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      }),
      send('/nope', NAVIGATION),
    ]);
    // (Next answers an RSC request without its `_rsc` cache-busting parameter with a 307 to one.)
    expect(others.map((a) => a.status)).toEqual([200, 200, 307, 307, 200, 200, 404]);
    for (const answer of others) expect(answer.setCookies).toEqual([]);

    const signup = await send(
      '/signup',
      { ...NAVIGATION, cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      'POST',
      'plan=pro',
    );
    expect(signup.status).toBe(303);
    expect(signup.headers.location).toBe('/welcome');

    const home = await send('/', { ...NAVIGATION, cookie: cookieHeader(jar) });
    expect(home.setCookies).toHaveLength(2);

    // A new visitor's first page: the Server Component already reads the id minted by the proxy.
    const welcome = await send('/welcome', NAVIGATION);
    const minted = cookieJar(welcome.setCookies)._mbuzz_vid;
    expect(minted).toMatch(/^[0-9a-f]{64}$/);
    expect(welcome.body).toContain(`<code id="visitor-id">${minted}</code>`);

    const exited = new Promise<number | null>((resolve) => app?.once('exit', resolve));
    app?.kill('SIGTERM');
    expect(await exited).toBe(0);

    const byType = (type: string) => received.filter((e) => e.event_type === type);
    expect(
      byType('page_view')
        .map((e) => e.properties.path)
        .sort(),
    ).toEqual(['/', '/pricing', '/welcome']);
    const pricingView = byType('page_view').find((e) => e.properties.path === '/pricing');
    expect(pricingView).toMatchObject({
      visitor_id: jar._mbuzz_vid,
      properties: { utm_source: 'newsletter', utm_campaign: 'may' },
    });
    expect(byType('signup')).toHaveLength(1);
    expect(byType('signup')[0]).toMatchObject({
      visitor_id: jar._mbuzz_vid,
      session_id: pricingView?.session_id,
      properties: { plan: 'pro' },
    });
    expect(byType('page_view').find((e) => e.properties.path === '/welcome')?.visitor_id).toBe(minted);
    expect(received).toHaveLength(4);
  }, 120_000);
});
