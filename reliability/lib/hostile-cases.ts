import { randomUUID } from 'node:crypto';

/** A hand-written hostile request and what docs/api.md says it must be answered. */
export interface HostileCase {
  name: string;
  body: string | Buffer;
  /** Default `application/json`; `null` sends no Content-Type. */
  contentType?: string | null;
  /** Default: the tenant's valid key. */
  authorization?: string | null;
  status: number;
  code?: string;
  /**
   * Oversized bodies: the server answers 413 as soon as it sees the Content-Length and closes the
   * connection, so a client still writing may see the connection reset instead of reading the 413.
   * Either is a refusal; what must never happen is a 5xx or a crash.
   */
  mayResetWhileSending?: boolean;
}

const event = (extra: Record<string, unknown> = {}) => ({
  event_id: randomUUID(),
  event_type: 'page_view',
  visitor_id: `hostile-${randomUUID().slice(0, 8)}`,
  ...extra,
});
const body = (events: unknown[]) => JSON.stringify({ events });
const nested = (depth: number, open: string, close: string, inner = '1') =>
  open.repeat(depth) + inner + close.repeat(depth);

/**
 * Malformed JSON, wrong types, huge strings, deep nesting, 10,000 properties, `__proto__` and
 * `constructor` keys, invalid UTF-8, wrong content types, oversized bodies, hostile auth headers.
 */
export function hostileCases(): HostileCase[] {
  const tenThousandProps = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, i]));
  const tenThousandFields = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, 1]));
  return [
    // Malformed JSON and wrong shapes.
    { name: 'empty body', body: '', status: 400, code: 'invalid_json' },
    { name: 'truncated JSON', body: '{"events": [', status: 400, code: 'invalid_json' },
    { name: 'single quotes', body: "{'events': []}", status: 400, code: 'invalid_json' },
    { name: 'trailing comma', body: '{"events": [],}', status: 400, code: 'invalid_json' },
    { name: 'NaN literal', body: '{"events": [NaN]}', status: 400, code: 'invalid_json' },
    { name: 'two documents', body: '{"events": []}{"events": []}', status: 400, code: 'invalid_json' },
    { name: 'JSON null', body: 'null', status: 400, code: 'invalid_body' },
    { name: 'JSON number', body: '42', status: 400, code: 'invalid_body' },
    { name: 'JSON string', body: '"events"', status: 400, code: 'invalid_body' },
    { name: 'top-level array', body: '[{"events": []}]', status: 400, code: 'invalid_body' },
    { name: 'events is an object', body: '{"events": {"0": {}}}', status: 400, code: 'invalid_body' },
    { name: 'events is a string', body: '{"events": "[]"}', status: 400, code: 'invalid_body' },
    { name: 'events of scalars', body: '{"events": [1, "a", null, true, []]}', status: 422 },
    {
      name: '501 events',
      body: body(Array.from({ length: 501 }, () => event())),
      status: 400,
      code: 'batch_too_large',
    },
    { name: 'event_type a number', body: body([event({ event_type: 42 })]), status: 422 },
    { name: 'properties an array', body: body([event({ properties: [1, 2] })]), status: 422 },
    { name: 'url a number', body: body([event({ properties: { url: 12 } })]), status: 422 },
    {
      name: 'timestamp without zone',
      body: body([event({ timestamp: '2026-01-01T00:00:00' })]),
      status: 422,
    },
    { name: 'timestamp far future', body: body([event({ timestamp: '2999-01-01T00:00:00Z' })]), status: 422 },
    // Huge strings.
    { name: '10 KB event_type', body: body([event({ event_type: 'x'.repeat(10_000) })]), status: 422 },
    { name: '300-char visitor_id', body: body([event({ visitor_id: 'v'.repeat(300) })]), status: 422 },
    {
      name: '900 KB property string',
      body: body([event({ properties: { s: 'x'.repeat(900_000) } })]),
      status: 422,
    },
    {
      name: '5 MB string',
      body: body([event({ properties: { s: 'x'.repeat(5_000_000) } })]),
      status: 413,
      code: 'body_too_large',
      mayResetWhileSending: true,
    },
    // Deep nesting and many properties.
    { name: '100,000-deep arrays', body: nested(100_000, '[', ']'), status: 400, code: 'invalid_body' },
    {
      name: '50,000-deep properties',
      body: `{"events":[{"event_type":"x","visitor_id":"v","properties":${nested(50_000, '{"a":', '}')}}]}`,
      status: 422,
    },
    {
      name: '1,000,000-deep arrays (over the body limit)',
      body: nested(1_000_000, '[', ']'),
      status: 413,
      code: 'body_too_large',
      mayResetWhileSending: true,
    },
    { name: '10,000 properties', body: body([event({ properties: tenThousandProps })]), status: 422 },
    { name: '10,000 unknown event fields', body: body([{ ...event(), ...tenThousandFields }]), status: 422 },
    {
      name: '10,000 top-level keys',
      body: JSON.stringify({ events: [], ...tenThousandFields }),
      status: 202,
    },
    // Prototype pollution attempts (rejected whole: the body parser refuses the keys).
    {
      name: '__proto__ at top level',
      body: '{"__proto__": {"polluted": "POLLUTED", "events": []}, "events": []}',
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'escaped __proto__',
      body: '{"\\u005f_proto__": {"polluted": "POLLUTED"}, "events": []}',
      status: 400,
      code: 'invalid_json',
    },
    {
      name: '__proto__ in properties',
      body: `{"events":[{"event_type":"x","visitor_id":"v","properties":{"__proto__":{"session_id":"POLLUTED"}}}]}`,
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'constructor.prototype',
      body: '{"constructor": {"prototype": {"polluted": "POLLUTED"}}, "events": []}',
      status: 400,
      code: 'invalid_json',
    },
    // Invalid UTF-8 and unstorable characters.
    {
      name: 'invalid UTF-8 byte',
      body: Buffer.concat([Buffer.from('{"events":[],"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'overlong UTF-8',
      body: Buffer.concat([Buffer.from('{"events":[],"x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'UTF-8 encoded surrogate',
      body: Buffer.concat([
        Buffer.from('{"events":[],"x":"'),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from('"}'),
      ]),
      status: 400,
      code: 'invalid_json',
    },
    { name: 'UTF-16 body', body: Buffer.from('{"events":[]}', 'utf16le'), status: 400, code: 'invalid_json' },
    { name: 'NUL escape in property', body: body([event({ properties: { s: 'a\u0000b' } })]), status: 422 },
    { name: 'lone surrogate in event_type', body: body([event({ event_type: 'a\ud800' })]), status: 422 },
    { name: 'lone surrogate in property', body: body([event({ properties: { s: '\udc00' } })]), status: 422 },
    // Content types.
    {
      name: 'text/plain',
      body: body([]),
      contentType: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'no Content-Type',
      body: body([]),
      contentType: null,
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'form encoded',
      body: 'events=1',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'multipart',
      body: '--x\r\n\r\n--x--',
      contentType: 'multipart/form-data; boundary=x',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'application/jsonx',
      body: body([]),
      contentType: 'application/jsonx',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'JSON with charset',
      body: body([]),
      contentType: 'application/json; charset=utf-8',
      status: 202,
    },
    // Oversized.
    {
      name: '2 MiB body',
      body: body([event({ properties: { s: 'y'.repeat(2 * 1024 * 1024) } })]),
      status: 413,
      code: 'body_too_large',
      mayResetWhileSending: true,
    },
    {
      name: '2 MiB of garbage',
      body: Buffer.alloc(2 * 1024 * 1024, 0x7b),
      status: 413,
      code: 'body_too_large',
      mayResetWhileSending: true,
    },
    // Hostile Authorization headers.
    {
      name: 'no Authorization',
      body: body([event()]),
      authorization: null,
      status: 401,
      code: 'missing_api_key',
    },
    {
      name: '10 KB bearer',
      body: body([event()]),
      authorization: `Bearer ${'a'.repeat(10_000)}`,
      status: 401,
      code: 'malformed_api_key',
    },
    {
      name: 'key with SQL',
      body: body([event()]),
      authorization: "Bearer sk_test_' OR 1=1 --",
      status: 401,
      code: 'malformed_api_key',
    },
    {
      name: 'unknown key',
      body: body([event()]),
      authorization: `Bearer sk_live_${'0'.repeat(32)}`,
      status: 401,
      code: 'invalid_api_key',
    },
    {
      name: 'Basic auth',
      body: body([event()]),
      authorization: 'Basic dXNlcjpwYXNz',
      status: 401,
      code: 'malformed_api_key',
    },
  ];
}

/** A batch of valid and invalid events: 422, the valid ones stored, the others listed by index. */
export function mixedBatch(): { events: unknown[]; validIds: string[]; invalidIndexes: number[] } {
  const valid = [event(), event({ session_id: 's-mixed' }), event({ properties: { plan: 'pro' } })];
  const events: unknown[] = [
    valid[0],
    { ...event(), event_type: '' },
    valid[1],
    { ...event(), unknown_field: 1 },
    'not an event',
    valid[2],
    { ...event(), properties: { s: 'a\u0000' } },
  ];
  return {
    events,
    validIds: valid.map((e) => e.event_id),
    invalidIndexes: [1, 3, 4, 6],
  };
}
