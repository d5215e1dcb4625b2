import { CLICK_ID_KEYS, UTM_KEYS } from '@mbuzz/core';
import fc from 'fast-check';

/** One generated request to POST /api/v1/events: raw body bytes and the headers that go with it. */
export interface HostileRequest {
  body: string | Uint8Array;
  contentType: string | undefined;
  /** `valid` uses the tenant's key; the others try the auth path. */
  auth: 'valid' | 'missing' | 'malformed' | 'unknown';
}

/** Values a prototype-polluting key tries to plant; any of them seen later would prove pollution. */
export const POLLUTION_MARK = 'POLLUTED';
const pollution = {
  polluted: POLLUTION_MARK,
  events: [{ event_type: POLLUTION_MARK, visitor_id: POLLUTION_MARK }],
  session_id: POLLUTION_MARK,
  timestamp: '2001-01-01T00:00:00Z',
  event_id: '00000000-0000-4000-8000-00000000dead',
  url: `https://polluted.example/?utm_source=${POLLUTION_MARK}`,
};

const anyString = fc.string({ unit: 'binary', maxLength: 40 });
const idLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
  anyString,
  fc.string({ minLength: 250, maxLength: 300 }),
);
const jsonScalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  anyString,
  fc.constantFrom('\u0000', '\ud800', 'a\udc00b', '\uffff', '\u2028', '🦄'),
);
const jsonValue = fc.oneof(
  { depthSize: 'small' },
  jsonScalar,
  fc.json({ maxDepth: 3, stringUnit: 'binary' }).map((text) => JSON.parse(text) as unknown),
);
const isoTimestamp = fc
  .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A dangerous key with a payload, written into JSON text by hand (an object literal cannot hold it). */
const dangerousKey = fc.constantFrom('__proto__', '\\u005f_proto__', 'constructor', 'prototype');
const dangerousPayload = fc.constantFrom(
  JSON.stringify(pollution),
  JSON.stringify({ prototype: pollution }),
  JSON.stringify({ __proto__: null, ...pollution }),
);

const properties = fc.oneof(
  fc.dictionary(
    fc.oneof(
      fc.constantFrom('url', 'path', 'referrer', ...UTM_KEYS, ...CLICK_ID_KEYS, 'plan', 'user_agent'),
      anyString,
    ),
    jsonValue,
    { maxKeys: 8 },
  ),
  jsonScalar,
  fc.array(jsonScalar, { maxLength: 3 }),
);

/** Event-shaped objects: mostly near-valid, with wrong types, bad values and unknown fields mixed in. */
const eventLike = fc.record(
  {
    event_id: fc.oneof(fc.uuid(), fc.uuid({ version: 7 }), idLike, fc.integer(), fc.constant(null)),
    event_type: fc.oneof(
      fc.constantFrom('page_view', 'signup'),
      anyString,
      fc.string({ minLength: 101, maxLength: 120 }),
      fc.integer(),
    ),
    visitor_id: fc.oneof(idLike, fc.integer(), fc.constant(null)),
    session_id: fc.oneof(idLike, fc.constant(null), fc.boolean()),
    timestamp: fc.oneof(isoTimestamp, anyString, fc.integer(), fc.constant(null)),
    properties,
    extra_field: jsonValue,
  },
  { requiredKeys: [] },
);

/** JSON text of an object with a dangerous key spliced in (at the top level or inside an event). */
const withDangerousKey = fc
  .tuple(dangerousKey, dangerousPayload, fc.array(eventLike, { maxLength: 3 }), fc.boolean())
  .map(([key, payload, events, inside]) => {
    const eventsJson = JSON.stringify(events);
    if (!inside) return `{"${key}":${payload},"events":${eventsJson}}`;
    return `{"events":[{"event_type":"page_view","visitor_id":"v1","properties":{"${key}":${payload}}}]}`;
  });

const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.array(eventLike, { maxLength: 12 }).map((events) => JSON.stringify({ events })),
  withDangerousKey,
  fc.json({ maxDepth: 4, stringUnit: 'binary' }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  // Valid JSON with bytes that are not UTF-8 spliced into a string.
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.array(eventLike, { maxLength: 2 }))
    .map(([bytes, events]) => {
      const text = JSON.stringify({ events, note: 'X' });
      const at = text.indexOf('X');
      const encoder = new TextEncoder();
      const head = encoder.encode(text.slice(0, at));
      const tail = encoder.encode(text.slice(at + 1));
      return Uint8Array.from([...head, ...bytes, ...tail]);
    }),
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    undefined,
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'application/json; charset=latin1',
    '',
  ),
);

const auth = fc.oneof(
  { weight: 12, arbitrary: fc.constant('valid' as const) },
  fc.constantFrom('missing' as const, 'malformed' as const, 'unknown' as const),
);

/**
 * Generated hostile requests for POST /api/v1/events.
 *
 * @example
 * fc.assert(fc.asyncProperty(hostileRequest, async (request) => { … }), { numRuns: 10_000 });
 */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({ body, contentType, auth });
