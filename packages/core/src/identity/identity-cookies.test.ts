import { describe, expect, it } from 'vitest';
import { createClient } from '../client/create-client.js';
import { createMemoryTransport } from '../testing/create-memory-transport.js';
import { navigationView } from '../testing/request-views.js';
import { buildIdentityCookie } from './build-identity-cookie.js';
import { generateSessionId, generateVisitorId, isSessionId, isVisitorId } from './random-hex.js';
import { readCookie } from './read-identity-cookies.js';
import { formatSessionCookie, parseSessionCookie, sourceFingerprint } from './session-cookie.js';

const client = createClient({ transport: createMemoryTransport() });
const VID = 'a'.repeat(64);
const SID = 'b'.repeat(32);

describe('identity cookies on the response', () => {
  it('https: HttpOnly, SameSite=Lax, Path=/, Secure, 2 years / 30 minutes', () => {
    const [vid, sid] = client.begin(navigationView('https://shop.example/')).cookies(200);
    expect(vid?.header).toMatch(
      /^_mbuzz_vid=[0-9a-f]{64}; Max-Age=63072000; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(sid?.header).toMatch(
      /^_mbuzz_sid=[0-9a-f]{32}(\.[0-9a-z-]*)?; Max-Age=1800; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(vid?.options).toEqual({
      maxAgeSeconds: 63072000,
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
    });
    expect(sid?.options.maxAgeSeconds).toBe(1800);
  });

  it('http: no Secure (the browser would drop the cookie)', () => {
    const cookies = client.begin(navigationView('http://localhost:3000/')).cookies(200);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie.header).not.toContain('Secure');
      expect(cookie.options.secure).toBe(false);
    }
  });

  it('refreshes valid cookies with the same ids', () => {
    const cookies = client
      .begin(navigationView('https://shop.example/', { cookies: { _mbuzz_vid: VID, _mbuzz_sid: SID } }))
      .cookies(200);
    expect(cookies.map((c) => c.value)).toEqual([VID, SID]);
  });

  it('reads cookies the adapter already parsed', () => {
    const view = {
      ...navigationView('https://shop.example/'),
      cookies: { _mbuzz_vid: VID, _mbuzz_sid: SID },
    };
    const tracking = client.begin(view);
    expect([tracking.visitorId, tracking.sessionId]).toEqual([VID, SID]);
  });

  it('falls back to the Cookie header when the parsed cookies do not have ours', () => {
    const view = {
      ...navigationView('https://shop.example/', { cookies: { _mbuzz_vid: VID, _mbuzz_sid: SID } }),
      cookies: new Map() as unknown as Record<string, string>,
    };
    const tracking = client.begin(view);
    expect([tracking.visitorId, tracking.sessionId]).toEqual([VID, SID]);
  });

  it('reads a Cookie header split in several (HTTP/2)', () => {
    const view = navigationView('https://shop.example/', {
      headers: { cookie: [`_mbuzz_vid=${VID}`, `theme=dark; _mbuzz_sid=${SID}`] },
    });
    const tracking = client.begin(view);
    expect([tracking.visitorId, tracking.sessionId]).toEqual([VID, SID]);
  });

  it.each([
    ['upper-case hex', VID.toUpperCase(), SID.toUpperCase()],
    ['too short', 'abc', 'def'],
    ['wire-breaking characters', `${'a'.repeat(63)}"`, `${'b'.repeat(31)} `],
    ['injection attempt', `${VID}; Path=/evil`, `${SID}\r\nSet-Cookie: x=y`],
    ['empty', '', ''],
  ])('replaces malformed values (%s) with fresh ids', (_name, vid, sid) => {
    const tracking = client.begin(
      navigationView('https://shop.example/', {
        headers: { cookie: `_mbuzz_vid=${encodeURIComponent(vid)}; _mbuzz_sid=${encodeURIComponent(sid)}` },
      }),
    );
    expect(tracking.visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(tracking.visitorId).not.toBe(vid);
    expect(tracking.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(tracking.sessionId).not.toBe(sid);
  });

  it('keeps a valid session id whose state is garbage', () => {
    const tracking = client.begin(
      navigationView('https://shop.example/', { cookies: { _mbuzz_vid: VID, _mbuzz_sid: `${SID}.!!!.@@@` } }),
    );
    expect(tracking.sessionId).toBe(SID);
  });
});

describe('ids', () => {
  it('are lowercase hex of the documented length, from Web Crypto, and do not repeat', () => {
    const visitors = new Set(Array.from({ length: 2000 }, generateVisitorId));
    const sessions = new Set(Array.from({ length: 2000 }, generateSessionId));
    expect(visitors.size).toBe(2000);
    expect(sessions.size).toBe(2000);
    for (const id of visitors) expect(isVisitorId(id)).toBe(true);
    for (const id of sessions) expect(isSessionId(id)).toBe(true);
  });
});

describe('session cookie value', () => {
  it('round-trips id, fingerprints and a pending landing (unicode included)', () => {
    const cookie = {
      sessionId: SID,
      fingerprints: [
        sourceFingerprint({ utm_source: 'x' }, undefined),
        sourceFingerprint(undefined, 'google.com'),
      ],
      pending: {
        attribution: { utm_source: 'Frühling ☀', utm_campaign: 'a b&c=d' },
        referrer: 'https://www.google.com/',
        landingUrl: 'https://shop.example/go?utm_source=Fr%C3%BChling',
      },
    };
    const value = formatSessionCookie(cookie);
    expect(value).toMatch(/^[0-9a-f]{32}\.[0-9a-z-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(value)).toBe(value);
    expect(parseSessionCookie(value)).toEqual(cookie);
  });

  it('caps the pending landing so the Set-Cookie header stays under 4096 bytes', () => {
    const long = 'x'.repeat(500);
    const value = formatSessionCookie({
      sessionId: SID,
      fingerprints: ['abc'],
      pending: {
        attribution: Object.fromEntries(
          [
            'utm_source',
            'utm_medium',
            'utm_campaign',
            'utm_content',
            'utm_term',
            'gclid',
            'fbclid',
            'msclkid',
            'ttclid',
          ].map((k) => [k, long]),
        ),
        referrer: `https://r.example/${long}${long}`,
        landingUrl: `https://shop.example/${long}${long}`,
      },
    });
    expect(buildIdentityCookie('_mbuzz_sid', value, 1800, true).header.length).toBeLessThan(4096);
    const parsed = parseSessionCookie(value);
    expect(parsed?.pending?.attribution?.utm_source?.startsWith('xxx')).toBe(true);
  });

  it('stores each fingerprint once, at most four', () => {
    const value = formatSessionCookie({
      sessionId: SID,
      fingerprints: ['a', '', 'b', 'a', 'c', 'd', 'e'],
      pending: undefined,
    });
    expect(value).toBe(`${SID}.a-b-c-d`);
    expect(formatSessionCookie({ sessionId: SID, fingerprints: [''], pending: undefined })).toBe(SID);
    expect(parseSessionCookie(`${SID}.a-b-c-d-e-f`)?.fingerprints).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fingerprints depend on the source, not on order', () => {
    expect(sourceFingerprint(undefined, undefined)).toBe('');
    expect(sourceFingerprint({ utm_source: 'a', utm_medium: 'b' }, 'x.com')).toBe(
      sourceFingerprint({ utm_medium: 'b', utm_source: 'a' }, 'y.com'),
    );
    expect(sourceFingerprint({ utm_source: 'a' }, undefined)).not.toBe(
      sourceFingerprint({ utm_source: 'b' }, undefined),
    );
    expect(sourceFingerprint(undefined, 'a.com')).not.toBe(sourceFingerprint(undefined, 'b.com'));
  });
});

describe('readCookie', () => {
  it.each([
    ['_mbuzz_vid=abc', 'abc'],
    ['a=1; _mbuzz_vid=abc; b=2', 'abc'],
    ['a=1;_mbuzz_vid=abc', 'abc'],
    ['x_mbuzz_vid=evil; _mbuzz_vid=good', 'good'],
    ['_mbuzz_vid_old=evil; _mbuzz_vid=good', 'good'],
    ['a=_mbuzz_vid=evil; _mbuzz_vid=good', 'good'],
    ['_mbuzz_vid=first; _mbuzz_vid=second', 'first'],
    ['_mbuzz_vid = spaced ', 'spaced'],
    ['_mbuzz_vid="quoted"', 'quoted'],
    ['_mbuzz_vid=a%20b', 'a b'],
    ['_mbuzz_vid=%E0%A4%A', '%E0%A4%A'],
    ['_mbuzz_vid=', ''],
    ['other=1', undefined],
    ['_mbuzz_vid', undefined],
  ])('%j → %j', (header, expected) => {
    expect(readCookie(header, '_mbuzz_vid')).toBe(expected);
  });
});
