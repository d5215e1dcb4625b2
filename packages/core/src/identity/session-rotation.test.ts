import { describe, expect, it } from 'vitest';
import { createClient } from '../client/create-client.js';
import { createMemoryTransport } from '../testing/create-memory-transport.js';
import { cookieJar, navigationView, type ViewInit } from '../testing/request-views.js';
import type { WireEvent } from '../types.js';

/** A browser: keeps cookies between navigations like a real one would. */
function browser() {
  const transport = createMemoryTransport();
  const client = createClient({ transport, logger: { warn() {}, error() {} } });
  let jar: Record<string, string> = {};
  return {
    transport,
    get jar() {
      return jar;
    },
    /** Cookies expire (30 minutes without a page view). */
    expireSession() {
      const { _mbuzz_sid: _, ...rest } = jar;
      jar = rest;
    },
    async visit(url: string, init: ViewInit = {}, status = 200) {
      const tracking = client.begin(navigationView(url, { ...init, cookies: { ...jar, ...init.cookies } }));
      const cookies = tracking.cookies(status);
      jar = cookieJar(cookies, jar);
      tracking.end(status);
      await client.flush();
      return { tracking, cookies, event: transport.events.at(-1) as WireEvent };
    },
  };
}

const google = { headers: { referer: 'https://www.google.com/' } };

describe('sessions', () => {
  it('first visit: new visitor and session; internal navigation keeps both', async () => {
    const b = browser();
    const first = await b.visit('https://shop.example/');
    const second = await b.visit('https://shop.example/pricing', {
      headers: { referer: 'https://shop.example/' },
    });
    const third = await b.visit('https://www.shop.example:8443/about', {
      headers: { referer: 'https://shop.example/pricing' },
    });
    const direct = await b.visit('https://shop.example/contact');
    expect(new Set([first, second, third, direct].map((v) => v.tracking.visitorId)).size).toBe(1);
    expect(new Set([first, second, third, direct].map((v) => v.tracking.sessionId)).size).toBe(1);
  });

  it('expiry: a new session for the same visitor', async () => {
    const b = browser();
    const first = await b.visit('https://shop.example/');
    b.expireSession();
    const later = await b.visit('https://shop.example/');
    expect(later.tracking.visitorId).toBe(first.tracking.visitorId);
    expect(later.tracking.sessionId).not.toBe(first.tracking.sessionId);
  });

  it('other UTM values start a new session', async () => {
    const b = browser();
    const first = await b.visit('https://shop.example/?utm_source=newsletter');
    const other = await b.visit('https://shop.example/?utm_source=newsletter&utm_campaign=b');
    expect(other.tracking.sessionId).not.toBe(first.tracking.sessionId);
    expect(other.tracking.visitorId).toBe(first.tracking.visitorId);
  });

  it('a click id starts a new session', async () => {
    const b = browser();
    const first = await b.visit('https://shop.example/');
    const ad = await b.visit('https://shop.example/?gclid=abc123');
    expect(ad.tracking.sessionId).not.toBe(first.tracking.sessionId);
    expect(ad.event.properties.gclid).toBe('abc123');
  });

  it('an external referrer starts a new session; the same one again keeps it', async () => {
    const b = browser();
    const first = await b.visit('https://shop.example/');
    const fromGoogle = await b.visit('https://shop.example/blog', google);
    const again = await b.visit('https://shop.example/blog', {
      headers: { referer: 'https://google.com/search?q=x' },
    });
    const fromBing = await b.visit('https://shop.example/blog', {
      headers: { referer: 'https://www.bing.com/' },
    });
    expect(fromGoogle.tracking.sessionId).not.toBe(first.tracking.sessionId);
    expect(again.tracking.sessionId).toBe(fromGoogle.tracking.sessionId);
    expect(fromBing.tracking.sessionId).not.toBe(fromGoogle.tracking.sessionId);
  });

  it('reloading the same landing link keeps the session', async () => {
    const b = browser();
    const url = 'https://shop.example/pricing?utm_source=google&utm_medium=cpc&gclid=xyz';
    const landing = await b.visit(url, google);
    const reload = await b.visit(url, google);
    const internal = await b.visit('https://shop.example/signup', { headers: { referer: url } });
    const reloadNoReferrer = await b.visit(url);
    expect(reload.tracking.sessionId).toBe(landing.tracking.sessionId);
    expect(internal.tracking.sessionId).toBe(landing.tracking.sessionId);
    expect(reloadNoReferrer.tracking.sessionId).toBe(landing.tracking.sessionId);
  });

  it('UTM order and encoding do not matter for the same link', async () => {
    const b = browser();
    const a = await b.visit('https://shop.example/?utm_source=a+b&utm_medium=x');
    const same = await b.visit('https://shop.example/?utm_medium=x&utm_source=a%20b');
    expect(same.tracking.sessionId).toBe(a.tracking.sessionId);
  });
});

describe('redirects carry the landing attribution', () => {
  it('/go?utm → 302 → /pricing: one page view, with the UTM, in the same session', async () => {
    const b = browser();
    const go = await b.visit('https://shop.example/go?utm_source=x&utm_campaign=launch', google, 302);
    expect(b.transport.events).toHaveLength(0);
    expect(b.jar._mbuzz_sid).toContain('.'); // pending state stored

    const pricing = await b.visit('https://shop.example/pricing', google);
    expect(b.transport.events).toHaveLength(1);
    expect(pricing.tracking.sessionId).toBe(go.tracking.sessionId);
    expect(pricing.tracking.visitorId).toBe(go.tracking.visitorId);
    expect(pricing.event.properties).toEqual({
      url: 'https://shop.example/pricing',
      path: '/pricing',
      referrer: 'https://www.google.com/',
      user_agent: expect.any(String),
      utm_source: 'x',
      utm_campaign: 'launch',
      landing_url: 'https://shop.example/go?utm_source=x&utm_campaign=launch',
    });

    // Consumed: later pages of the session carry nothing from the landing, and the session stays.
    const reload = await b.visit('https://shop.example/pricing', google);
    const next = await b.visit('https://shop.example/signup', {
      headers: { referer: 'https://shop.example/pricing' },
    });
    expect(reload.tracking.sessionId).toBe(go.tracking.sessionId);
    expect(next.tracking.sessionId).toBe(go.tracking.sessionId);
    expect(reload.event.properties).not.toHaveProperty('utm_source');
    expect(next.event.properties).not.toHaveProperty('landing_url');
  });

  it('the destination may arrive without a referrer (stripped by policy) and still takes the landing', async () => {
    const b = browser();
    const go = await b.visit('https://shop.example/go?utm_source=x', google, 301);
    const dest = await b.visit('https://shop.example/pricing');
    expect(dest.tracking.sessionId).toBe(go.tracking.sessionId);
    expect(dest.event.properties).toMatchObject({ utm_source: 'x', referrer: 'https://www.google.com/' });
  });

  it('a chain of redirects carries the landing to the first real page', async () => {
    const b = browser();
    const go = await b.visit('http://shop.example/go?gclid=abc', google, 301);
    await b.visit('https://shop.example/go', google, 302);
    const dest = await b.visit('https://shop.example/pricing', google);
    expect(b.transport.events).toHaveLength(1);
    expect(dest.tracking.sessionId).toBe(go.tracking.sessionId);
    expect(dest.event.properties.gclid).toBe('abc');
  });

  it('an error page in between does not consume the landing', async () => {
    const b = browser();
    await b.visit('https://shop.example/go?utm_source=x', google, 302);
    const missing = await b.visit('https://shop.example/missing', google, 404);
    expect(missing.cookies).toEqual([]);
    const dest = await b.visit('https://shop.example/pricing', google);
    expect(dest.event.properties.utm_source).toBe('x');
  });

  it('a different external site after the redirect is a new visit, not the landing', async () => {
    const b = browser();
    const go = await b.visit('https://shop.example/go?utm_source=x', google, 302);
    const other = await b.visit('https://shop.example/pricing', {
      headers: { referer: 'https://news.example/' },
    });
    expect(other.tracking.sessionId).not.toBe(go.tracking.sessionId);
    expect(other.event.properties).not.toHaveProperty('utm_source');
  });

  it('a redirected landing with its own new UTM is a new source', async () => {
    const b = browser();
    const go = await b.visit('https://shop.example/go?utm_source=x', google, 302);
    const other = await b.visit('https://shop.example/?utm_source=y', google);
    expect(other.tracking.sessionId).not.toBe(go.tracking.sessionId);
    expect(other.event.properties.utm_source).toBe('y');
  });

  it('without the status at cookies() time, nothing is carried (adapters pass it when they know it)', () => {
    const client = createClient({ transport: createMemoryTransport() });
    const tracking = client.begin(navigationView('https://shop.example/go?utm_source=x', google));
    const [, unknown] = tracking.cookies();
    const [, redirect] = tracking.cookies(302);
    expect(unknown?.value.split('.')).toHaveLength(2); // id and fingerprint, no pending landing
    expect(redirect?.value.split('.')).toHaveLength(3);
  });
});
