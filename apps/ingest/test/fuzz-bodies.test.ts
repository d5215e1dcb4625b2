import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, createTestTenant, makeEvent } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
let app: FastifyInstance;
let authorization: string;
beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql);
  authorization = (await createTestTenant(db.sql, 'Fuzz')).authorization;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

// Strings Postgres cannot store and text that tends to break parsers.
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\ud83d\ude00',
    '%00',
    '__proto__',
    '',
    ' ',
    '\\u0000',
  ),
  fc.string({ maxLength: 300 }),
);

const deepValue = fc.integer({ min: 1, max: 3000 }).map((depth) => {
  let value: unknown = 1;
  for (let n = 0; n < depth; n += 1) value = n % 2 ? [value] : { d: value };
  return value;
});

const jsonish = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 4 }),
  nastyString,
  deepValue,
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

const mutatedEvent = fc
  .record({
    base: fc.constant(null).map(() => makeEvent()),
    drop: fc.subarray(['event_id', 'event_type', 'visitor_id', 'session_id', 'timestamp', 'properties']),
    set: fc.dictionary(
      fc.constantFrom(
        'event_id',
        'event_type',
        'visitor_id',
        'session_id',
        'timestamp',
        'properties',
        'extra',
      ),
      jsonish,
      { maxKeys: 3 },
    ),
    props: fc.dictionary(
      fc.constantFrom('url', 'referrer', 'utm_source', 'gclid', 'custom', '__proto__', 'constructor'),
      jsonish,
      { maxKeys: 3 },
    ),
  })
  .map(({ base, drop, set, props }) => {
    const event: Record<string, unknown> = { ...base, ...set };
    for (const key of drop) delete event[key];
    if (Object.keys(props).length > 0) {
      event.properties = { ...(event.properties as object), ...props };
    }
    return event;
  });

const encodeLoosely = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return v; // a lone surrogate: send it raw
  }
};

// Well-formed events whose string contents are hostile: the validator must catch what Postgres refuses.
const nastyEvent = fc
  .record({
    eventType: fc.oneof(fc.constant('page_view'), nastyString),
    props: fc.dictionary(
      fc.oneof(fc.constantFrom('url', 'referrer', 'utm_source', 'custom'), nastyString),
      fc.oneof(nastyString, fc.array(nastyString, { maxLength: 3 }), fc.constant(null)),
      { maxKeys: 4 },
    ),
    url: nastyString.map(
      (v) => `https://x.test/?utm_source=${encodeLoosely(v)}&gclid=%00&utm_term=%ED%A0%80`,
    ),
  })
  .map(({ eventType, props, url }) => makeEvent({ event_type: eventType, properties: { url, ...props } }));

const body = fc.oneof(
  fc.array(nastyEvent, { minLength: 1, maxLength: 6 }).map((events) => JSON.stringify({ events })),
  fc.array(nastyEvent, { minLength: 1, maxLength: 6 }).map((events) => JSON.stringify({ events })),
  // Arbitrary bytes, often not UTF-8 and not JSON.
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 200 }),
  jsonish.map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.array(mutatedEvent, { maxLength: 8 }).map((events) => JSON.stringify({ events })),
  // Valid JSON text cut short.
  fc.tuple(fc.array(mutatedEvent, { minLength: 1, maxLength: 3 }), fc.nat()).map(([events, cut]) => {
    const text = JSON.stringify({ events });
    return text.slice(0, cut % text.length);
  }),
  // Prototype-pollution shapes, with and without escapes.
  fc.constantFrom(
    '{"events":[{"event_type":"x","visitor_id":"v","properties":{"__proto__":{"x":1}}}]}',
    '{"events":[],"constructor":{"prototype":{"x":1}}}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"x":1},"events":[]}',
  ),
  // Hostile nesting in the body itself.
  fc
    .integer({ min: 100, max: 100_000 })
    .map((depth) => `{"events":[${'['.repeat(depth)}${']'.repeat(depth)}]}`),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/jsonx',
  '',
);

it('no malformed body ever produces a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(body, contentType, async (payload, type) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization, ...(type ? { 'content-type': type } : {}) },
        payload,
      });
      expect(res.statusCode, res.body).toBeLessThan(500);
      const parsed = JSON.parse(res.body);
      if (res.statusCode >= 400 && res.statusCode !== 422) {
        expect(Object.keys(parsed).sort()).toEqual(['code', 'error']);
      }
    }),
    { numRuns: 300 },
  );
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});
