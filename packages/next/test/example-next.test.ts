import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BROWSER_USER_AGENT, cookieJar, navigationView } from '@mbuzz/core/testing';
import {
  type SendInit,
  type Sink,
  type SpawnedApp,
  send as sendTo,
  spawnApp,
  startSink,
} from '@mbuzz/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The one real Next.js run: examples/next built with `next build` (reused when `pnpm test` has just
 * built it through turbo) and served by its server.js, delivering to a local HTTP sink.
 */
const exampleDir = fileURLToPath(new URL('../../../examples/next/', import.meta.url));
const NAVIGATION = navigationView('http://example.test/').headers as Record<string, string>;

let sink: Sink | undefined;
let app: SpawnedApp | undefined;

function send(path: string, headers: SendInit['headers'] = {}, method = 'GET', body?: string) {
  return sendTo(`${app?.origin}${path}`, { headers, method, body });
}

const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

beforeAll(async () => {
  sink = await startSink();
  if (!existsSync(`${exampleDir}.next/BUILD_ID`)) {
    execFileSync('pnpm', ['run', 'build'], { cwd: exampleDir, stdio: 'ignore' });
  }
  app = await spawnApp(['server.js'], {
    cwd: exampleDir,
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      NEXT_TELEMETRY_DISABLED: '1',
      MBUZZ_API_URL: sink.url,
      MBUZZ_API_KEY: `sk_test_${'ab'.repeat(16)}`,
    },
  });
}, 600_000);

afterAll(async () => {
  if (app && app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  await sink?.close();
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

    app?.child.kill('SIGTERM');
    expect((await app?.exited)?.code).toBe(0);

    const received = sink?.events ?? [];
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
