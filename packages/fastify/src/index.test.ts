import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import type { MbuzzClient, MbuzzError, MbuzzOptions } from '@mbuzz/core';
import {
  BROWSER_USER_AGENT,
  cookieJar,
  createMemoryTransport,
  type MemoryTransport,
} from '@mbuzz/core/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import mbuzz from './index.js';

const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'user-agent': BROWSER_USER_AGENT,
};
const XHR = {
  accept: '*/*',
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'user-agent': BROWSER_USER_AGENT,
};

interface Answer {
  status: number;
  setCookies: string[];
  location: string | undefined;
  body: string;
}

let app: FastifyInstance | undefined;
let base = '';

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A real server on a random port, with the plugin and a few routes. */
async function start(
  options: MbuzzOptions & { shutdownTimeoutMs?: number } = {},
  fastifyOptions = {},
  withCookiePlugin = false,
) {
  const transport = createMemoryTransport();
  app = Fastify(fastifyOptions);
  if (withCookiePlugin) await app.register(fastifyCookie);
  await app.register(mbuzz, { transport, ...options });
  app.get('/', () => 'home');
  app.get('/pricing', (request) => ({
    visitorId: request.mbuzz.visitorId,
    sessionId: request.mbuzz.sessionId,
  }));
  app.get('/promo', (_request, reply) => reply.redirect('/pricing', 302));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/themed', (_request, reply) => reply.header('set-cookie', 'theme=dark; Path=/').send('themed'));
  app.get('/jar', (_request, reply) => {
    reply.setCookie('theme', 'dark');
    return 'jar';
  });
  app.post('/signup', (request, reply) => {
    request.mbuzz.track('signup', { plan: 'pro' });
    return reply.redirect('/welcome', 303);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return transport;
}

/** node:http rather than fetch: fetch forces `Sec-Fetch-Mode: cors`, and a browser navigation is what we need. */
function send(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          setCookies: res.headers['set-cookie'] ?? [],
          location: res.headers.location,
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

async function delivered(transport: MemoryTransport) {
  await app?.mbuzz.flush();
  return transport.events;
}

describe('@mbuzz/fastify', () => {
  it('records a navigation as a page view with its UTM and sets both cookies', async () => {
    const transport = await start();
    const answer = await send('/?utm_source=google&utm_medium=cpc&utm_campaign=spring', {
      ...NAVIGATION,
      referer: 'https://www.google.com/',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('home');

    const [visitor, session] = answer.setCookies;
    expect(visitor).toMatch(/^_mbuzz_vid=[0-9a-f]{64}; /);
    expect(session).toMatch(/^_mbuzz_sid=[0-9a-f]{32}/);
    for (const cookie of [visitor, session]) {
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=Lax/i);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/; Secure/i);
    }

    const events = await delivered(transport);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.event_type).toBe('page_view');
    expect(event?.visitor_id).toBe(cookieJar(answer.setCookies)._mbuzz_vid);
    expect(event?.properties).toMatchObject({
      url: `${base}/?utm_source=google&utm_medium=cpc&utm_campaign=spring`,
      path: '/',
      referrer: 'https://www.google.com/',
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'spring',
    });
  });

  it('marks cookies Secure and records https behind a trusted TLS proxy', async () => {
    const transport = await start({}, { trustProxy: true });
    const answer = await send('/', {
      ...NAVIGATION,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'shop.example',
    });
    expect(answer.setCookies).toHaveLength(2);
    for (const cookie of answer.setCookies) expect(cookie).toMatch(/; Secure/i);
    const [event] = await delivered(transport);
    expect(event?.properties.url).toBe('https://shop.example/');
  });

  it('ignores X-Forwarded-Proto without trustProxy', async () => {
    const transport = await start();
    const answer = await send('/', { ...NAVIGATION, 'x-forwarded-proto': 'https' });
    for (const cookie of answer.setCookies) expect(cookie).not.toMatch(/; Secure/i);
    const [event] = await delivered(transport);
    expect(event?.properties.url).toBe(`${base}/`);
  });

  it('gives sub-requests, prefetches and bots neither an event nor a cookie', async () => {
    const transport = await start();
    const answers = await Promise.all([
      send('/', XHR),
      // An old browser without Sec-Fetch metadata, making a jQuery XHR.
      send('/', {
        accept: 'text/html, */*',
        'x-requested-with': 'XMLHttpRequest',
        'user-agent': BROWSER_USER_AGENT,
      }),
      send('/', { ...NAVIGATION, 'sec-purpose': 'prefetch' }),
      send('/', { ...NAVIGATION, purpose: 'prefetch' }),
      send('/', {
        ...NAVIGATION,
        'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      }),
      send('/assets/app.css', { ...NAVIGATION, accept: 'text/css' }),
      send('/favicon.ico', NAVIGATION),
    ]);
    for (const answer of answers) expect(answer.setCookies).toEqual([]);
    expect(await delivered(transport)).toEqual([]);
  });

  it('records no page view and sets no cookie for 404 and 500 answers', async () => {
    const transport = await start();
    const missing = await send('/nope', NAVIGATION);
    const failed = await send('/boom', NAVIGATION);
    expect(missing.status).toBe(404);
    expect(failed.status).toBe(500);
    expect([...missing.setCookies, ...failed.setCookies]).toEqual([]);
    expect(await delivered(transport)).toEqual([]);
  });

  it('does not count a redirect, and the page after it keeps the landing UTM', async () => {
    const transport = await start();
    const redirect = await send('/promo?utm_source=newsletter&utm_campaign=may', NAVIGATION);
    expect(redirect.status).toBe(302);
    expect(redirect.location).toBe('/pricing');
    expect(redirect.setCookies).toHaveLength(2);
    expect(await delivered(transport)).toEqual([]);

    const next = await send('/pricing', {
      ...NAVIGATION,
      cookie: cookieHeader(cookieJar(redirect.setCookies)),
      referer: `${base}/promo?utm_source=newsletter&utm_campaign=may`,
    });
    const events = await delivered(transport);
    expect(events).toHaveLength(1);
    expect(events[0]?.properties).toMatchObject({
      path: '/pricing',
      utm_source: 'newsletter',
      utm_campaign: 'may',
    });
    expect(events[0]?.visitor_id).toBe(cookieJar(next.setCookies)._mbuzz_vid);
  });

  it('exposes the ids as request.mbuzz and tracks a POST with the cookie identity', async () => {
    const transport = await start();
    const landing = await send('/', NAVIGATION);
    const jar = cookieJar(landing.setCookies);
    const page = await send('/pricing', { ...NAVIGATION, cookie: cookieHeader(jar) });
    const ids = JSON.parse(page.body) as { visitorId: string; sessionId: string };
    expect(ids.visitorId).toBe(jar._mbuzz_vid);

    // A form post is a navigation too, but not a GET: it keeps the ids and sets no cookie.
    const signup = await send(
      '/signup',
      { ...NAVIGATION, cookie: cookieHeader(cookieJar(page.setCookies, jar)) },
      'POST',
    );
    expect(signup.status).toBe(303);
    expect(signup.setCookies).toEqual([]);
    const events = await delivered(transport);
    expect(events.map((e) => e.event_type)).toEqual(['page_view', 'page_view', 'signup']);
    expect(events[2]).toMatchObject({
      visitor_id: ids.visitorId,
      session_id: ids.sessionId,
      properties: { plan: 'pro' },
    });
    expect(events[1]?.session_id).toBe(ids.sessionId);
  });

  it('keeps the Set-Cookie headers the app sets itself', async () => {
    await start();
    const answer = await send('/themed', NAVIGATION);
    expect(answer.body).toBe('themed');
    expect(answer.setCookies).toHaveLength(3);
    expect(answer.setCookies[0]).toBe('theme=dark; Path=/');
    expect(answer.setCookies.slice(1).map((c) => c.split('=')[0])).toEqual(['_mbuzz_vid', '_mbuzz_sid']);
  });

  it('works beside @fastify/cookie: its cookies and ours are all sent, and its parsed cookies are read', async () => {
    const transport = await start({}, {}, true);
    const first = await send('/jar', NAVIGATION);
    expect(first.setCookies.map((c) => c.split('=')[0]).sort()).toEqual([
      '_mbuzz_sid',
      '_mbuzz_vid',
      'theme',
    ]);
    const jar = cookieJar(first.setCookies);
    const second = await send('/pricing', { ...NAVIGATION, cookie: cookieHeader(jar) });
    expect(JSON.parse(second.body).visitorId).toBe(jar._mbuzz_vid);
    const events = await delivered(transport);
    expect(events.map((e) => e.visitor_id)).toEqual([jar._mbuzz_vid, jar._mbuzz_vid]);
  });

  it('never breaks a reply when delivery and the onError hook throw', async () => {
    const errors: unknown[] = [];
    const transport = await start({
      transport: {
        send() {
          throw new Error('transport exploded');
        },
      },
      maxRetries: 0,
      onError(error) {
        errors.push(error);
        throw new Error('hook exploded');
      },
      logger: { warn() {}, error() {} },
    });
    const answers = await Promise.all([
      send('/', NAVIGATION),
      send('/pricing', NAVIGATION),
      send('/promo', NAVIGATION),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 302]);
    expect(answers[0]?.body).toBe('home');
    await app?.mbuzz.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(transport.events).toEqual([]);
  });

  it('reports an SDK failure inside a hook to onError and the logger, and the reply goes on', async () => {
    const errors: MbuzzError[] = [];
    const warnings: unknown[] = [];
    await start({
      onError: (error) => errors.push(error),
      logger: { warn: (...args: unknown[]) => warnings.push(args), error() {} },
    });
    vi.spyOn(app?.mbuzz as MbuzzClient, 'begin').mockImplementation(() => {
      throw new Error('sdk bug');
    });
    const answer = await send('/pricing', NAVIGATION);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({});
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['internal', '[mbuzz] the Fastify adapter failed'],
    ]);
    expect(errors[0]?.cause).toEqual(new Error('sdk bug'));
    expect(warnings).toHaveLength(1);
  });

  it('delivers what is queued when the app closes', async () => {
    const transport = await start({ flushIntervalMs: 3_600_000 });
    await send('/?utm_source=x', NAVIGATION);
    await send('/pricing', XHR);
    expect(transport.events).toEqual([]);
    await app?.close();
    app = undefined;
    expect(transport.events.map((e) => e.event_type)).toEqual(['page_view']);
  });

  it('bounds that last delivery by shutdownTimeoutMs (default 5000)', async () => {
    for (const [options, timeoutMs] of [
      [{}, 5000],
      [{ shutdownTimeoutMs: 1234 }, 1234],
    ] as const) {
      await start(options);
      const close = vi.spyOn(app?.mbuzz as MbuzzClient, 'close');
      await app?.close();
      app = undefined;
      expect(close).toHaveBeenCalledWith({ timeoutMs });
    }
  });

  it('exposes the client as app.mbuzz for events outside a request', async () => {
    const transport = await start();
    app?.mbuzz.track({ eventType: 'invoice_paid', visitorId: 'a'.repeat(64), properties: { cents: 900 } });
    const [event] = await delivered(transport);
    expect(event).toMatchObject({
      event_type: 'invoice_paid',
      visitor_id: 'a'.repeat(64),
      properties: { cents: 900 },
    });
  });
});
