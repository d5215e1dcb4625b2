import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createTestTenant, makeEvent, postEvents } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
let app: FastifyInstance;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql);
  tenant = await createTestTenant(db.sql, 'Api');
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const expectEnvelope = (body: string, code: string) => {
  const parsed = JSON.parse(body);
  expect(parsed).toEqual({ error: expect.any(String), code });
  expect(parsed.error).not.toMatch(/SELECT|INSERT|at .*\.ts|postgres/i);
};

describe('POST /api/v1/events — answers', () => {
  it('202 with counts for a valid batch, stored rows', async () => {
    const events = [
      makeEvent({ visitor_id: 'a1', session_id: 'sa1' }),
      makeEvent({ visitor_id: 'a1', session_id: 'sa1' }),
    ];
    const res = await postEvents(app, tenant.authorization, { events });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const rows = await db.sql`SELECT event_id FROM events WHERE visitor_id = 'a1'`;
    expect(rows).toHaveLength(2);
  });

  it('202 with accepted 0 for an empty batch', async () => {
    const res = await postEvents(app, tenant.authorization, { events: [] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });

  it('422 stores the valid events and lists the invalid ones by index', async () => {
    const events = [
      makeEvent({ visitor_id: 'mixed' }),
      makeEvent({ visitor_id: 'mixed', timestamp: '2025-11-06 10:30' }),
      makeEvent({ visitor_id: 'mixed', foo: 1, event_type: '' }),
      makeEvent({ visitor_id: 'mixed' }),
      'not an event',
      makeEvent({ visitor_id: 'mixed', timestamp: new Date(Date.now() + 2 * 3600_000).toISOString() }),
      makeEvent({ visitor_id: 'bad id!' }),
      makeEvent({ visitor_id: 'mixed', properties: { blob: 'x'.repeat(33 * 1024) } }),
      makeEvent({ visitor_id: 'mixed', event_id: 'nope', properties: [] }),
      makeEvent({ visitor_id: 'mixed', properties: { url: 5 } }),
      { visitor_id: 'mixed' },
      makeEvent({ visitor_id: 'mixed', timestamp: '2025-02-30T10:00:00Z' }),
      makeEvent({ visitor_id: 'mixed', properties: { x: 'a\u0000b' } }),
    ];
    const res = await postEvents(app, tenant.authorization, { events });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.duplicates).toBe(0);
    expect(body.rejected).toEqual([
      { index: 1, errors: ['timestamp must be ISO 8601 with a time zone'] },
      { index: 2, errors: ['unknown field: foo', 'event_type must be a string of 1–100 characters'] },
      { index: 4, errors: ['event must be a JSON object'] },
      { index: 5, errors: ['timestamp is more than 1 hour in the future'] },
      { index: 6, errors: [expect.stringMatching(/^visitor_id must be/)] },
      { index: 7, errors: [expect.stringMatching(/^properties must be at most 32 KiB/)] },
      { index: 8, errors: ['event_id must be a UUID', 'properties must be a JSON object'] },
      { index: 9, errors: ['properties.url must be a string'] },
      { index: 10, errors: ['event_type is required'] },
      { index: 11, errors: ['timestamp must be ISO 8601 with a time zone'] },
      { index: 12, errors: [expect.stringMatching(/NUL/)] },
    ]);
    const [{ count }] =
      (await db.sql`SELECT count(*)::int AS count FROM events WHERE visitor_id = 'mixed'`) as [
        { count: number },
      ];
    expect(count).toBe(2);
  });

  it('accepts offsets, fractional seconds and events without optional fields', async () => {
    const res = await postEvents(app, tenant.authorization, {
      events: [
        makeEvent({ visitor_id: 'opt', timestamp: '2025-11-06T12:30:45.123456+02:00' }),
        makeEvent({ visitor_id: 'opt', timestamp: '2025-11-06T10:30Z' }),
        { event_type: 'signup', visitor_id: 'opt' },
        {
          event_type: 'signup',
          visitor_id: 'opt',
          event_id: null,
          session_id: null,
          timestamp: null,
          properties: null,
        },
      ],
    });
    expect(res.statusCode).toBe(202);
    const rows = await db.sql<{ occurred_at: Date }[]>`
      SELECT occurred_at FROM events WHERE visitor_id = 'opt' ORDER BY occurred_at`;
    expect(rows.map((r) => r.occurred_at.toISOString()).slice(0, 2)).toEqual([
      '2025-11-06T10:30:00.000Z',
      '2025-11-06T10:30:45.123Z',
    ]);
    expect(rows).toHaveLength(4);
  });

  it('400 invalid_json for unparseable JSON, invalid UTF-8 and an empty body', async () => {
    for (const payload of ['{"events": [', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), '']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expectEnvelope(res.body, 'invalid_json');
    }
  });

  it('400 invalid_json for prototype-polluting keys, whatever the escaping', async () => {
    for (const payload of [
      '{"events":[],"__proto__":{"polluted":true}}',
      '{"events":[{"event_type":"x","visitor_id":"v","properties":{"\\u005f_proto__":{"a":1}}}]}',
      '{"events":[],"constructor":{"prototype":{"polluted":true}}}',
    ]) {
      const res = await postEvents(app, tenant.authorization, payload);
      expect(res.statusCode).toBe(400);
      expectEnvelope(res.body, 'invalid_json');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A plain "constructor" property is ordinary custom data.
    const ok = await postEvents(app, tenant.authorization, {
      events: [makeEvent({ properties: { constructor: 'Foo' } })],
    });
    expect(ok.statusCode).toBe(202);
  });

  it('400 invalid_body when the body is not an object with an events array', async () => {
    for (const body of [[], { events: {} }, { event: [] }, 'null', '42', '"x"']) {
      const res = await postEvents(app, tenant.authorization, body);
      expect(res.statusCode).toBe(400);
      expectEnvelope(res.body, 'invalid_body');
    }
  });

  it('400 batch_too_large over 500 events, storing nothing', async () => {
    const events = Array.from({ length: 501 }, () => makeEvent({ visitor_id: 'big', properties: {} }));
    const res = await postEvents(app, tenant.authorization, { events });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.body, 'batch_too_large');
    const rows = await db.sql`SELECT 1 FROM events WHERE visitor_id = 'big'`;
    expect(rows).toHaveLength(0);
  });

  it('413 body_too_large over 1 MiB', async () => {
    const res = await postEvents(app, tenant.authorization, { events: [], pad: 'x'.repeat(1024 * 1024) });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res.body, 'body_too_large');
  });

  it('415 unsupported_media_type for anything but application/json', async () => {
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: tenant.authorization, ...headers },
        payload: headers['content-type'] ? '{"events":[]}' : undefined,
      });
      expect(res.statusCode).toBe(415);
      expectEnvelope(res.body, 'unsupported_media_type');
    }
    const withCharset = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: tenant.authorization, 'content-type': 'application/json; charset=utf-8' },
      payload: '{"events":[]}',
    });
    expect(withCharset.statusCode).toBe(202);
  });

  it('404 not_found in the envelope for unknown routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.body, 'not_found');
  });
});

describe('GET /api/v1/health', () => {
  it('200 without a key and without rate-limit headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: 'ok',
    });
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });
});
