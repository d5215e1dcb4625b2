import { describe, expect, it, vi } from 'vitest';
import { cookieJar, createMemoryTransport, navigationView, subRequestView } from '../testing.js';
import type { Logger } from '../types.js';
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
