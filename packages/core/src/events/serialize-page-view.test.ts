import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PendingLanding } from '../identity/session-cookie.js';
import { type PageViewInput, serializePageView } from './build-event.js';
import { ATTRIBUTION_KEYS, type Attribution } from './read-attribution.js';

const ID = '01936f6e-8b2a-7c3d-9e4f-5a6b7c8d9e0f';
const AT = '2026-11-25T10:30:45.123Z';

/** The event object as the SDK built it before writing the JSON directly: the reference. */
function referenceEvent(input: PageViewInput) {
  const properties: Record<string, unknown> = { url: input.url, path: input.path };
  let referrer = input.referrer;
  if (input.carried !== undefined) {
    referrer ??= input.carried.referrer;
    if (input.carried.landingUrl !== undefined) properties.landing_url = input.carried.landingUrl;
  }
  if (referrer !== undefined && referrer !== '') properties.referrer = referrer;
  if (input.userAgent !== undefined) properties.user_agent = input.userAgent;
  const attribution = input.attribution ?? input.carried?.attribution;
  if (attribution !== undefined) Object.assign(properties, attribution);
  return {
    event_id: ID,
    event_type: 'page_view',
    visitor_id: input.visitorId,
    session_id: input.sessionId,
    timestamp: AT,
    properties,
  };
}

// Any text: quotes, backslashes, control characters, non-ASCII, lone and paired surrogates.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    'a"b',
    'c\\d',
    '\u0000\u001f',
    '\u2028',
    'Grüße ☀',
    '\ud83d\ude00',
    '\ud800',
    'x\udc00y',
  ),
);
const attribution: fc.Arbitrary<Attribution | undefined> = fc.option(
  fc.dictionary(fc.constantFrom(...ATTRIBUTION_KEYS), text, { minKeys: 1 }),
  { nil: undefined },
);
const carried: fc.Arbitrary<PendingLanding | undefined> = fc.option(
  fc.record(
    {
      attribution,
      referrer: fc.option(text, { nil: undefined }),
      landingUrl: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

describe('serializePageView', () => {
  it('writes exactly JSON.stringify of the page-view event, for any input', () => {
    fc.assert(
      fc.property(
        fc.record({
          visitorId: fc.constant('a'.repeat(64)),
          sessionId: fc.constant('b'.repeat(32)),
          url: text,
          path: text,
          referrer: fc.option(text, { nil: undefined }),
          userAgent: fc.option(text, { nil: undefined }),
          attribution,
          carried,
        }),
        (input) => {
          expect(serializePageView(input, ID, AT)).toBe(JSON.stringify(referenceEvent(input)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
