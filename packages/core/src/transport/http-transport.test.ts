import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import type { WireEvent } from '../types.js';
import {
  testEvents as events,
  expectRefused,
  eventIds as ids,
  TEST_API_KEY as KEY,
  transportRecordingSleeps,
} from './__fixtures__/test-batches.js';
import type { HttpTransportOptions } from './http-transport.js';

const API = 'http://ingest.test/api/v1';

interface Received {
  headers: Headers;
  body: string;
  ids: string[];
}
let received: Received[] = [];
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

/** Answers each request with the next reply in the list (the last one repeats). */
function answer(...replies: Array<(events: WireEvent[]) => Response | Promise<Response>>) {
  server.use(
    http.post(`${API}/events`, async ({ request }) => {
      const body = await request.text();
      const events = (JSON.parse(body) as { events: WireEvent[] }).events;
      received.push({ headers: request.headers, body, ids: events.map((e) => e.event_id) });
      const reply = replies[Math.min(received.length - 1, replies.length - 1)];
      return reply ? reply(events) : new HttpResponse(null, { status: 500 });
    }),
  );
}

const accepted = (events: WireEvent[]) =>
  HttpResponse.json({ accepted: events.length, duplicates: 0, rejected: [] }, { status: 202 });
const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    HttpResponse.json({ error: `status ${code}`, code: `code_${code}` }, { status: code, headers });

/** A transport whose waits are recorded instead of slept. */
function transport(options: Partial<HttpTransportOptions> = {}) {
  return transportRecordingSleeps({ apiUrl: API, ...options });
}

describe('createHttpTransport', () => {
  it('POSTs the batch with the key, content type and user agent, and returns the answer on 202', async () => {
    answer((list) =>
      HttpResponse.json({ accepted: list.length, duplicates: 1, rejected: [] }, { status: 202 }),
    );
    const { t } = transport({ apiUrl: `${API}/` });
    const batch = events(3);
    const result = await t.send(batch);
    expect(result).toEqual({ ok: true, answer: { accepted: 3, duplicates: 1, rejected: [] } });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.headers.get('user-agent')).toBe(`mbuzz-node/${version}`);
    expect(JSON.parse(request?.body ?? '')).toEqual({ events: batch });
  });

  it('sends pre-serialized events as they are', async () => {
    answer(accepted);
    const { t } = transport({ userAgent: 'custom/1' });
    const batch = events(2);
    const json = batch.map((e) => JSON.stringify(e));
    await t.sendSerialized({ json, ids: ids(batch) });
    expect(received[0]?.body).toBe(`{"events":[${json.join(',')}]}`);
    expect(received[0]?.headers.get('user-agent')).toBe('custom/1');
  });

  it('returns a 422 answer as is, without retrying', async () => {
    const rejected = [{ index: 1, errors: ['timestamp must be ISO 8601 with a time zone'] }];
    answer(() => HttpResponse.json({ accepted: 2, duplicates: 0, rejected }, { status: 422 }));
    const { t, sleeps } = transport();
    expect(await t.send(events(3))).toEqual({ ok: true, answer: { accepted: 2, duplicates: 0, rejected } });
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([400, 401, 404, 415])('does not retry a %i and reports it with the event ids', async (code) => {
    answer(status(code));
    const { t } = transport();
    const batch = events(2);
    expectRefused(await t.send(batch), batch, code);
    expect(received).toHaveLength(1);
  });

  it.each([408, 500, 502, 503])('retries a %i with the same event ids, then succeeds', async (code) => {
    answer(status(code), status(code), accepted);
    const { t, sleeps } = transport();
    const batch = events(4);
    expect(await t.send(batch)).toMatchObject({ ok: true, answer: { accepted: 4 } });
    expect(received).toHaveLength(3);
    expect(received.map((r) => r.ids)).toEqual([ids(batch), ids(batch), ids(batch)]);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(sleeps).toHaveLength(2);
  });

  it('waits full-jitter exponential backoff between attempts, capped, then gives up retryably', async () => {
    answer(status(503));
    const draws = [0.5, 0.25, 0.999, 0.1, 0.75, 0.6];
    const { t, sleeps } = transport({
      baseDelayMs: 100,
      maxDelayMs: 1000,
      maxRetries: 5,
      random: () => draws.shift() ?? 0,
    });
    const result = await t.send(events(1));
    // attempt n waits random · min(1000, 100 · 2^n)
    expect(sleeps).toEqual([50, 50, 399, 80, 750, 600].slice(0, 5));
    expect(received).toHaveLength(6);
    expect(result).toMatchObject({ ok: false, retryable: true, error: { code: 'http', status: 503 } });
  });

  it('honours Retry-After in seconds on 429', async () => {
    answer(status(429, { 'retry-after': '7' }), accepted);
    const { t, sleeps } = transport();
    expect(await t.send(events(1))).toMatchObject({ ok: true });
    expect(sleeps).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date, and caps it at maxRetryAfterMs', async () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    answer(
      status(429, { 'retry-after': new Date(now + 12_000).toUTCString() }),
      status(503, { 'retry-after': '3600' }),
      accepted,
    );
    const { t, sleeps } = transport({ now: () => now, maxRetryAfterMs: 60_000 });
    expect(await t.send(events(1))).toMatchObject({ ok: true });
    expect(sleeps).toEqual([12_000, 60_000]);
  });

  it('retries network errors', async () => {
    answer(
      () => HttpResponse.error(),
      () => HttpResponse.error(),
      accepted,
    );
    const { t, sleeps } = transport();
    expect(await t.send(events(2))).toMatchObject({ ok: true, answer: { accepted: 2 } });
    expect(received).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('reports a network error after the last retry as retryable', async () => {
    answer(() => HttpResponse.error());
    const { t } = transport({ maxRetries: 2 });
    const result = await t.send(events(1));
    expect(result).toMatchObject({ ok: false, retryable: true, error: { code: 'network' } });
    expect(received).toHaveLength(3);
  });

  it('times out an attempt that gets no answer and retries it', async () => {
    answer(async () => {
      await delay('infinite');
      return new HttpResponse(null, { status: 202 });
    }, accepted);
    const { t } = transport({ requestTimeoutMs: 300 });
    expect(await t.send(events(1))).toMatchObject({ ok: true });
    expect(received).toHaveLength(2);
  });

  it('reports a timeout after the last retry as retryable', async () => {
    answer(async () => {
      await delay('infinite');
      return new HttpResponse(null, { status: 202 });
    });
    const { t } = transport({ requestTimeoutMs: 30, maxRetries: 1 });
    expect(await t.send(events(1))).toMatchObject({ ok: false, retryable: true, error: { code: 'timeout' } });
  });

  it('stops at once when the caller aborts, during a request or a wait', async () => {
    answer(async () => {
      await delay('infinite');
      return new HttpResponse(null, { status: 202 });
    });
    const controller = new AbortController();
    const { t } = transport();
    const pending = t.send(events(1), controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ ok: false, retryable: true, error: { code: 'aborted' } });

    answer(status(503));
    const waiting = new AbortController();
    const { t: t2 } = transport({
      sleep: (_ms, signal) =>
        new Promise((resolve) => {
          signal?.addEventListener('abort', () => resolve());
          waiting.abort();
        }),
    });
    expect(await t2.send(events(1), waiting.signal)).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  it('splits a batch answered 413 in halves until each part fits', async () => {
    // The stub takes at most 2 events per body.
    answer((list) => (list.length > 2 ? status(413)() : accepted(list)));
    const { t } = transport();
    const batch = events(5);
    expect(await t.send(batch)).toEqual({ ok: true, answer: { accepted: 5, duplicates: 0, rejected: [] } });
    expect(received.map((r) => r.ids.length)).toEqual([5, 2, 3, 1, 2]);
    const delivered = received.filter((r) => r.ids.length <= 2).flatMap((r) => r.ids);
    expect(delivered).toEqual(ids(batch));
  });

  it('reports an event that alone is over the limit as rejected, at its index in the batch', async () => {
    answer((list) =>
      list.some((e) => String(e.properties.pad).length > 0)
        ? status(413)()
        : HttpResponse.json({ accepted: list.length, duplicates: 0, rejected: [] }, { status: 202 }),
    );
    const { t } = transport();
    const batch = events(4);
    batch[2] = { ...(batch[2] as WireEvent), properties: { pad: 'x'.repeat(100) } };
    const result = await t.send(batch);
    expect(result).toMatchObject({
      ok: true,
      answer: { accepted: 3, rejected: [{ index: 2, errors: [expect.stringContaining('413')] }] },
    });
  });

  it('maps 422 indexes of a split half back to the whole batch', async () => {
    answer((list) =>
      list.length > 2
        ? status(413)()
        : HttpResponse.json(
            { accepted: list.length - 1, duplicates: 0, rejected: [{ index: 1, errors: ['bad'] }] },
            { status: 422 },
          ),
    );
    const { t } = transport();
    const result = await t.send(events(4));
    expect(result).toMatchObject({
      ok: true,
      answer: { accepted: 2, rejected: [{ index: 1 }, { index: 3 }] },
    });
  });

  it('keeps only well-formed entries of a 422 answer', async () => {
    answer(() =>
      HttpResponse.json(
        {
          accepted: 1,
          duplicates: 0,
          rejected: [null, { index: 'x' }, { index: 1, errors: 'bad' }, { index: 0, errors: [7] }],
        },
        { status: 422 },
      ),
    );
    const { t } = transport();
    expect(await t.send(events(2))).toEqual({
      ok: true,
      answer: {
        accepted: 1,
        duplicates: 0,
        rejected: [
          { index: 1, errors: [] },
          { index: 0, errors: ['7'] },
        ],
      },
    });
  });

  it('treats an unreadable 2xx body as every event stored', async () => {
    answer(() => new HttpResponse('ok', { status: 200 }));
    const { t } = transport();
    expect(await t.send(events(3))).toEqual({
      ok: true,
      answer: { accepted: 3, duplicates: 0, rejected: [] },
    });
  });

  it('never rejects, even when fetch itself throws synchronously', async () => {
    const { t } = transport({
      maxRetries: 0,
      fetch: () => {
        throw new TypeError('fetch is broken');
      },
    });
    expect(await t.send(events(1))).toMatchObject({ ok: false, retryable: true, error: { code: 'network' } });
    const cyclic = events(1)[0] as WireEvent;
    cyclic.properties.self = cyclic;
    expect(await t.send([cyclic])).toMatchObject({
      ok: false,
      retryable: false,
      error: { code: 'internal' },
    });
  });
});
