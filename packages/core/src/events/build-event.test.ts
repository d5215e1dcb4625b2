import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../types.js';
import { buildCustomEvent, isoTimestamp, type PageViewInput, serializePageView } from './build-event.js';
import { createEventId } from './create-event-id.js';
import { readAttribution } from './read-attribution.js';

const ids = { visitorId: 'a'.repeat(64), sessionId: 'b'.repeat(32) };

/** A page view as the client queues it: its JSON with a new UUIDv7 and the time now, parsed back. */
function buildPageViewEvent(input: PageViewInput): WireEvent {
  const now = Date.now();
  return JSON.parse(serializePageView(input, createEventId(now), isoTimestamp(now))) as WireEvent;
}

describe('readAttribution', () => {
  it.each([
    ['', undefined],
    ['page=2&sort=asc', undefined],
    ['utm_source=google&utm_medium=cpc', { utm_source: 'google', utm_medium: 'cpc' }],
    ['utm_campaign=spring+sale', { utm_campaign: 'spring sale' }],
    ['utm_campaign=spring%20sale%21', { utm_campaign: 'spring sale!' }],
    ['utm_source=&utm_medium=%20&utm_term=x', { utm_term: 'x' }],
    ['utm_source=Google', { utm_source: 'Google' }],
    ['utm_source=a&utm_source=b', { utm_source: 'a' }],
    ['utm_source=%E0%A4%A', { utm_source: '\uFFFD%A' }],
    ['utm_source=%&utm_medium=100%', { utm_source: '%', utm_medium: '100%' }],
    ['utm_source=&utm_source=%20&utm_source=late', { utm_source: 'late' }],
    ['utm_source=%00x&utm_source=y', { utm_source: 'y' }],
    ['utm_source=%20padded%20', { utm_source: ' padded ' }],
    ['utm_source', undefined],
    [
      'gclid=1&gbraid=2&wbraid=3&msclkid=4&fbclid=5&ttclid=6&li_fat_id=7&twclid=8&dclid=9',
      {
        gclid: '1',
        gbraid: '2',
        wbraid: '3',
        msclkid: '4',
        fbclid: '5',
        ttclid: '6',
        li_fat_id: '7',
        twclid: '8',
        dclid: '9',
      },
    ],
    ['utm%5Fsource=x', { utm_source: 'x' }],
    // What follows the first `?` of `/p??utm_source=x`: the server's URLSearchParams skips one `?`.
    ['?utm_source=x', { utm_source: 'x' }],
    ['??utm_source=x', undefined],
  ])('%j → %j', (query, expected) => {
    expect(readAttribution(query)).toEqual(expected);
  });
});

describe('readAttribution agrees with the server (URLSearchParams, first non-blank value)', () => {
  const KEYS = [
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'utm_content',
    'utm_term',
    'gclid',
    'fbclid',
    'li_fat_id',
  ];
  function serverReading(query: string): Record<string, string> | undefined {
    const params = new URLSearchParams(query);
    const out: Record<string, string> = {};
    for (const key of [...KEYS, 'gbraid', 'wbraid', 'msclkid', 'ttclid', 'twclid', 'dclid']) {
      const value = params.getAll(key).find((v) => v.trim() !== '' && !v.includes('\u0000'));
      if (value !== undefined) out[key] = value;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const piece = fc.oneof(
    fc.constantFrom(...KEYS, 'utm_', 'x', 'utm%5Fsource', 'utm_source+', ''),
    fc.string({ maxLength: 6 }),
    fc.constantFrom('%', '%2', '%E0%A4', '%20', '+', '%00', '%C3%A9', '=', ' '),
  );
  const part = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));
  const query = fc
    .array(fc.tuple(part, fc.option(part)), { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&'));

  it('for any query string', () => {
    fc.assert(
      fc.property(query, (q) => {
        expect(readAttribution(q)).toEqual(serverReading(q));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('buildPageViewEvent', () => {
  it('builds the wire event of docs/api.md', () => {
    const before = Date.now();
    const event = buildPageViewEvent({
      ...ids,
      url: 'https://shop.example/pricing?utm_source=google',
      path: '/pricing',
      referrer: 'https://www.google.com/',
      userAgent: 'Mozilla/5.0',
      attribution: { utm_source: 'google' },
      carried: undefined,
    });
    expect(event).toEqual({
      event_id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      event_type: 'page_view',
      visitor_id: ids.visitorId,
      session_id: ids.sessionId,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      properties: {
        url: 'https://shop.example/pricing?utm_source=google',
        path: '/pricing',
        referrer: 'https://www.google.com/',
        user_agent: 'Mozilla/5.0',
        utm_source: 'google',
      },
    });
    expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(before - 1);
  });

  it('omits what the request did not have', () => {
    const event = buildPageViewEvent({
      ...ids,
      url: 'https://a.example/',
      path: '/',
      referrer: undefined,
      userAgent: undefined,
      attribution: undefined,
      carried: undefined,
    });
    expect(event.properties).toEqual({ url: 'https://a.example/', path: '/' });
  });

  it('event ids are UUIDv7, unique and time-ordered', () => {
    const events = Array.from({ length: 1000 }, () =>
      buildPageViewEvent({
        ...ids,
        url: 'https://a.example/',
        path: '/',
        referrer: undefined,
        userAgent: undefined,
        attribution: undefined,
        carried: undefined,
      }),
    );
    const eventIds = events.map((e) => e.event_id);
    expect(new Set(eventIds).size).toBe(1000);
    expect([...eventIds].sort()).toEqual(eventIds);
  });
});

describe('buildCustomEvent', () => {
  it('copies the properties (later changes by the caller do not leak in)', () => {
    const properties = { plan: 'pro' };
    const event = buildCustomEvent({ eventType: 'signup', ...ids, properties });
    properties.plan = 'free';
    expect(event).toMatchObject({
      event_type: 'signup',
      visitor_id: ids.visitorId,
      session_id: ids.sessionId,
      properties: { plan: 'pro' },
    });
  });

  it('accepts null-prototype objects, ISO strings and Dates', () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(buildCustomEvent({ eventType: 'x', ...ids, properties: bare })).toMatchObject({
      properties: { a: 1 },
    });
    expect(
      buildCustomEvent({
        eventType: 'x',
        ...ids,
        properties: undefined,
        timestamp: '2025-11-06T10:30:45.123+01:00',
      }),
    ).toMatchObject({ timestamp: '2025-11-06T10:30:45.123+01:00' });
  });

  it.each([
    ['empty type', { eventType: '' }, /event type/],
    ['type of 101 characters', { eventType: 'x'.repeat(101) }, /event type/],
    ['type not a string', { eventType: 7 as unknown as string }, /event type.*number/],
    ['array properties', { properties: [1] as unknown as Record<string, unknown> }, /plain object.*array/],
    [
      'class instance',
      { properties: new Date() as unknown as Record<string, unknown> },
      /plain object.*Date/,
    ],
    ['string properties', { properties: 'x' as unknown as Record<string, unknown> }, /plain object/],
    ['visitor id with a space', { visitorId: 'a b' }, /visitor id/],
    ['visitor id too long', { visitorId: 'a'.repeat(256) }, /visitor id/],
    ['bad session id', { sessionId: 'a/b' }, /session id/],
    ['bad timestamp', { timestamp: 'tomorrow' }, /timestamp/],
  ])('reports %s', (_name, override, message) => {
    const result = buildCustomEvent({ eventType: 'ok', ...ids, properties: undefined, ...override });
    expect(typeof result).toBe('string');
    expect(result).toMatch(message);
  });

  it('type of exactly 100 characters is fine', () => {
    expect(typeof buildCustomEvent({ eventType: 'x'.repeat(100), ...ids, properties: undefined })).toBe(
      'object',
    );
  });
});
