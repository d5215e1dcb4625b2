import { describe, expect, it, vi } from 'vitest';
import { cookieJar, createMemoryTransport, navigationView, subRequestView } from '../testing.js';
import type { Logger, MbuzzError } from '../types.js';
import { createClient } from './create-client.js';

function silentLogger() {
  return { warn: vi.fn(), error: vi.fn() } satisfies Logger;
}

describe('createClient', () => {
  it('records a page view with identity, url properties and UTM through the transport', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    const tracking = client.begin(
      navigationView('https://shop.example/pricing?utm_source=google&utm_campaign=spring+sale', {
        headers: { referer: 'https://www.google.com/' },
      }),
    );
    expect(tracking.isNavigation).toBe(true);
    expect(tracking.visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(tracking.sessionId).toMatch(/^[0-9a-f]{32}$/);
    const cookies = tracking.cookies(200);
    expect(cookies.map((c) => c.name)).toEqual(['_mbuzz_vid', '_mbuzz_sid']);
    tracking.end(200);
    await client.flush();

    expect(transport.events).toHaveLength(1);
    const event = transport.events[0];
    expect(event).toMatchObject({
      event_type: 'page_view',
      visitor_id: tracking.visitorId,
      session_id: tracking.sessionId,
      properties: {
        url: 'https://shop.example/pricing?utm_source=google&utm_campaign=spring+sale',
        path: '/pricing',
        referrer: 'https://www.google.com/',
        utm_source: 'google',
        utm_campaign: 'spring sale',
      },
    });
    expect(event?.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(event?.timestamp ?? '').toISOString()).toBe(event?.timestamp);
    await client.close();
  });

  it('keeps the visitor across requests and counts end() once', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    const first = client.begin(navigationView('https://shop.example/'));
    const jar = cookieJar(first.cookies(200));
    first.end(200);
    first.end(200);
    const second = client.begin(navigationView('https://shop.example/pricing', { cookies: jar }));
    second.end(200);
    await client.flush();
    expect(transport.events.map((e) => e.properties.path)).toEqual(['/', '/pricing']);
    expect(transport.events[1]?.visitor_id).toBe(first.visitorId);
    expect(transport.events[1]?.session_id).toBe(first.sessionId);
    await client.close();
  });

  it('does not count redirects or error pages as page views', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    for (const status of [301, 302, 303, 307, 308, 404, 500])
      client.begin(navigationView('https://shop.example/x')).end(status);
    client.begin(navigationView('https://shop.example/ok')).end(200);
    await client.flush();
    expect(transport.events.map((e) => e.properties.path)).toEqual(['/ok']);
    await client.close();
  });

  it('counts a 304 (a reload revalidated against the browser cache) as a page view', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    const tracking = client.begin(navigationView('https://shop.example/cached'));
    expect(tracking.cookies(304)).toHaveLength(2);
    tracking.end(304);
    await client.flush();
    expect(transport.events.map((e) => e.properties.path)).toEqual(['/cached']);
    await client.close();
  });

  it('gives sub-requests no cookies, and tracks with the identity of their cookies', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    const page = client.begin(navigationView('https://shop.example/'));
    const jar = cookieJar(page.cookies(200));
    page.end(200);
    const post = client.begin(
      subRequestView('https://shop.example/signup', { method: 'POST', cookies: jar }),
    );
    expect(post.isNavigation).toBe(false);
    expect(post.cookies(200)).toEqual([]);
    expect(post.visitorId).toBe(page.visitorId);
    expect(post.sessionId).toBe(page.sessionId);
    post.track('signup', { plan: 'pro' });
    post.end(200);
    await client.flush();
    expect(transport.events.map((e) => e.event_type)).toEqual(['page_view', 'signup']);
    expect(transport.events[1]).toMatchObject({
      visitor_id: page.visitorId,
      session_id: page.sessionId,
      properties: { plan: 'pro' },
    });
    await client.close();
  });

  it('tracks a sub-request without cookies under a fresh visitor id that is not persisted', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    const api = client.begin(subRequestView('https://shop.example/api/order', { method: 'POST' }));
    expect(api.visitorId).toBeUndefined();
    api.track('order');
    api.track('paid');
    expect(api.visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(api.sessionId).toBeUndefined();
    expect(api.cookies(200)).toEqual([]);
    await client.flush();
    expect(transport.events.map((e) => e.visitor_id)).toEqual([api.visitorId, api.visitorId]);
    expect(transport.events[0]).not.toHaveProperty('session_id');
    await client.close();
  });

  it('bots, prefetches and skipped paths get no cookies and no page view', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger(), skipPaths: ['/admin'] });
    const views = [
      navigationView('https://shop.example/', {
        headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
      }),
      navigationView('https://shop.example/', { headers: { 'sec-purpose': 'prefetch' } }),
      navigationView('https://shop.example/admin/users'),
      navigationView('https://shop.example/up'),
      navigationView('https://shop.example/logo.svg'),
    ];
    for (const view of views) {
      const tracking = client.begin(view);
      expect(tracking.isNavigation).toBe(false);
      expect(tracking.cookies(200)).toEqual([]);
      tracking.end(200);
    }
    await client.flush();
    expect(transport.events).toEqual([]);
    await client.close();
  });

  it('after close(), calls are harmless and nothing more is sent', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    client.begin(navigationView('https://shop.example/')).end(200);
    await expect(client.close()).resolves.toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(() => client.begin(navigationView('https://shop.example/')).end(200)).not.toThrow();
    expect(() => client.track({ eventType: 'late', visitorId: 'v' })).not.toThrow();
    await expect(client.flush()).resolves.toBeUndefined();
    await expect(client.close()).resolves.toMatchObject({ sent: 1 });
    expect(transport.events).toHaveLength(1);
  });

  it('client.track queues an event for an explicit identity', async () => {
    const transport = createMemoryTransport();
    const client = createClient({ transport, logger: silentLogger() });
    client.track({
      eventType: 'invoice_paid',
      visitorId: 'user:42',
      properties: { amount: 10 },
      timestamp: new Date('2025-01-01T00:00:00Z'),
    });
    await client.flush();
    expect(transport.events[0]).toMatchObject({
      event_type: 'invoice_paid',
      visitor_id: 'user:42',
      timestamp: '2025-01-01T00:00:00.000Z',
      properties: { amount: 10 },
    });
    await client.close();
  });
});

describe('createClient never hurts the host', () => {
  it('reports bad input to onError and drops it, keeping the valid events', async () => {
    const transport = createMemoryTransport();
    const errors: MbuzzError[] = [];
    const client = createClient({ transport, logger: silentLogger(), onError: (e) => errors.push(e) });
    const tracking = client.begin(navigationView('https://shop.example/'));
    const garbage: unknown[] = [
      () => tracking.track('', {}),
      () => tracking.track('x'.repeat(101)),
      () => tracking.track('ok', [] as unknown as Record<string, unknown>),
      () => tracking.track('ok', new Map() as unknown as Record<string, unknown>),
      () => tracking.track(42 as unknown as string),
      () => client.track(null as never),
      () => client.track({ eventType: 'x', visitorId: 'bad id with spaces' }),
      () => client.track({ eventType: 'x', visitorId: 'v', timestamp: 'yesterday' }),
      () => client.track({ eventType: 'x', visitorId: 'v', timestamp: new Date(Number.NaN) }),
      () => client.begin(null as never).end(200),
      () => client.begin({ url: 5 } as never).cookies(200),
    ];
    for (const call of garbage) expect(() => (call as () => void)()).not.toThrow();
    tracking.track('valid');
    tracking.end(200);
    await client.flush();
    expect(errors).toHaveLength(garbage.length);
    expect(errors.every((e) => e.name === 'MbuzzError' && e.code === 'rejected')).toBe(true);
    expect(transport.events.map((e) => e.event_type)).toEqual(['valid', 'page_view']);
    await client.close();
  });

  it('contains a throwing onError and a throwing logger', async () => {
    const transport = createMemoryTransport();
    const client = createClient({
      transport,
      onError: () => {
        throw new Error('hook broke');
      },
      logger: {
        warn: () => {
          throw new Error('logger broke');
        },
        error: () => {
          throw new Error('logger broke');
        },
      },
    });
    expect(() => client.begin(navigationView('https://shop.example/')).track('')).not.toThrow();
    transport.failWith = { code: 'http', status: 400, retryable: false };
    client.begin(navigationView('https://shop.example/')).end(200);
    await expect(client.flush()).resolves.toBeUndefined();
    await expect(client.close({ timeoutMs: 100 })).resolves.toMatchObject({ pending: 0 });
  });

  it('survives a transport that throws or rejects', async () => {
    const errors: MbuzzError[] = [];
    const client = createClient({
      transport: {
        send: () => {
          throw new Error('boom');
        },
      },
      logger: silentLogger(),
      onError: (e) => errors.push(e),
    });
    client.begin(navigationView('https://shop.example/')).end(200);
    await expect(client.flush()).resolves.toBeUndefined();
    const result = await client.close({ timeoutMs: 50 });
    expect(result.sent).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('without an API key: warns once, and every call is a no-op', async () => {
    const logger = silentLogger();
    const errors: MbuzzError[] = [];
    const client = createClient({ apiKey: '', logger, onError: (e) => errors.push(e) });
    expect(client.enabled).toBe(false);
    const tracking = client.begin(navigationView('https://shop.example/'));
    expect(tracking.cookies(200)).toEqual([]);
    tracking.track('x');
    tracking.end(200);
    client.track({ eventType: 'x', visitorId: 'v' });
    await expect(client.flush()).resolves.toBeUndefined();
    await expect(client.close()).resolves.toEqual({ sent: 0, dropped: 0, pending: 0 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/no API key/);
    expect(errors.map((e) => e.code)).toEqual(['config']);
  });

  it('with a malformed key: warns once without echoing the key', () => {
    const logger = silentLogger();
    const client = createClient({ apiKey: 'sk_live_NOTHEX', logger });
    expect(client.enabled).toBe(false);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/malformed/);
    expect(String(logger.warn.mock.calls[0]?.[0])).not.toContain('NOTHEX');
  });

  it('enabled: false is silent', () => {
    const logger = silentLogger();
    const client = createClient({ enabled: false, transport: createMemoryTransport(), logger });
    expect(client.enabled).toBe(false);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
