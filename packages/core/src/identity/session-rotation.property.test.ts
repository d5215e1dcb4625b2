import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient } from '../client/create-client.js';
import { createMemoryTransport } from '../testing/create-memory-transport.js';
import { cookieJar, navigationView } from '../testing/request-views.js';

const HOST = 'https://shop.example';

/** One step of a browsing session. */
const step = fc.record({
  path: fc.constantFrom('/', '/pricing', '/go', '/blog/post'),
  utm: fc.option(
    fc.constantFrom('utm_source=a', 'utm_source=b&utm_medium=cpc', 'gclid=x1', 'utm_campaign=%C3%A9t%C3%A9'),
    {
      nil: undefined,
    },
  ),
  referrer: fc.constantFrom(
    undefined,
    `${HOST}/`,
    'https://www.google.com/',
    'https://news.example/a',
    'https://www.shop.example:8443/x',
  ),
  status: fc.constantFrom(200, 200, 200, 304, 301, 302, 404, 500),
  sessionExpires: fc.boolean(),
});

describe('identity over any sequence of navigations', () => {
  it('keeps the visitor once stored, never rotates on internal or direct pages, records exactly the page views', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const transport = createMemoryTransport();
        const client = createClient({ transport, logger: { warn() {}, error() {} } });
        let jar: Record<string, string> = {};
        const expected: Array<{ visitorId: string | undefined; sessionId: string | undefined }> = [];
        for (const s of steps) {
          if (s.sessionExpires) delete jar._mbuzz_sid;
          const hadSession = jar._mbuzz_sid !== undefined;
          const visitorBefore = jar._mbuzz_vid;
          const sessionBefore = jar._mbuzz_sid?.split('.')[0];
          const url = `${HOST}${s.path}${s.utm ? `?${s.utm}` : ''}`;
          const tracking = client.begin(
            navigationView(url, { cookies: jar, headers: s.referrer ? { referer: s.referrer } : {} }),
          );
          const cookies = tracking.cookies(s.status);
          for (const cookie of cookies) expect(cookie.header.length).toBeLessThan(4096);
          tracking.end(s.status);

          // Once the browser holds a visitor cookie, it is the visitor for good.
          if (visitorBefore !== undefined) expect(tracking.visitorId).toBe(visitorBefore);
          const external = s.referrer?.includes('google') || s.referrer?.includes('news.example');
          if (hadSession && !s.utm && !external) expect(tracking.sessionId).toBe(sessionBefore);
          if (!hadSession) expect(tracking.sessionId).not.toBe(sessionBefore);

          if (s.status < 400) {
            expect(cookies.map((c) => c.name)).toEqual(['_mbuzz_vid', '_mbuzz_sid']);
            jar = cookieJar(cookies, jar);
            expect(jar._mbuzz_sid?.split('.')[0]).toBe(tracking.sessionId);
          } else {
            expect(cookies).toEqual([]);
          }
          if (s.status < 300 || s.status === 304) {
            expected.push({ visitorId: tracking.visitorId, sessionId: tracking.sessionId });
          }
        }
        await client.flush();
        expect(transport.events.map((e) => ({ visitorId: e.visitor_id, sessionId: e.session_id }))).toEqual(
          expected,
        );
        await client.close();
      }),
      { numRuns: 300 },
    );
  });
});
