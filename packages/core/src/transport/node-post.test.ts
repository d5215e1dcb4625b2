import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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
import { createNodePost, type NodePost } from './node-dispatcher.js';

// The Node path (undici `Dispatcher.request`) against a real local server: msw cannot see it. The same
// delivery rules as the fetch path (http-transport.test.ts): retries, Retry-After, 413 split, 422.

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  ids: string[];
  port: number;
}
type Reply = (res: ServerResponse, events: WireEvent[]) => void;

const servers: Server[] = [];
const posts: NodePost[] = [];
afterEach(async () => {
  for (const nodePost of posts.splice(0)) await nodePost.dispatcher.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server answering each request with the next reply (the last one repeats). */
async function ingest(...replies: Reply[]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const events = (JSON.parse(body) as { events: WireEvent[] }).events;
      received.push({
        headers: req.headers,
        body,
        ids: events.map((e) => e.event_id),
        port: req.socket.remotePort ?? 0,
      });
      replies[Math.min(received.length - 1, replies.length - 1)]?.(res, events);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { received, server, apiUrl: `http://127.0.0.1:${port}/api/v1` };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const accepted: Reply = (res, list) => json(res, 202, { accepted: list.length, duplicates: 0, rejected: [] });
const status =
  (code: number, headers: Record<string, string> = {}): Reply =>
  (res) =>
    json(res, code, { error: `status ${code}`, code: `code_${code}` }, headers);
const never: Reply = () => {};

function transport(apiUrl: string, options: Partial<HttpTransportOptions> = {}) {
  const nodePost = createNodePost({ connections: 1 });
  posts.push(nodePost);
  return transportRecordingSleeps({ apiUrl, post: nodePost.post, ...options });
}

describe('createNodePost (undici Dispatcher.request)', () => {
  it('is what @mbuzz/core/node delivers with, unless a fetch is given', async () => {
    const { received, apiUrl } = await ingest(accepted);
    const { createClient } = await import('../node.js');
    const { navigationView } = await import('../testing/request-views.js');
    const calls: string[] = [];
    const spy: typeof fetch = (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    };
    for (const options of [{}, { fetch: spy }]) {
      const client = createClient({ apiKey: KEY, apiUrl, ...options });
      client.begin(navigationView('https://shop.example/?utm_source=node')).end(200);
      expect(await client.close({ timeoutMs: 2000 })).toEqual({ sent: 1, dropped: 0, pending: 0 });
    }
    expect(received).toHaveLength(2);
    expect(calls).toEqual([`${apiUrl}/events`]);
  });

  it('POSTs the batch with key, content type, user agent and length over one kept-alive connection', async () => {
    const { received, apiUrl } = await ingest(accepted);
    const { t } = transport(apiUrl);
    const batch = events(3);
    (batch[0] as WireEvent).properties.title = 'Grüße "quoted"'; // Content-Length counts bytes
    const json = batch.map((e) => JSON.stringify(e));
    for (let i = 0; i < 3; i++) {
      expect(await t.sendSerialized({ json, ids: ids(batch) })).toEqual({
        ok: true,
        answer: { accepted: 3, duplicates: 0, rejected: [] },
      });
    }
    const [first] = received;
    expect(first?.body).toBe(`{"events":[${json.join(',')}]}`);
    expect(first?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.headers['user-agent']).toBe(`mbuzz-node/${version}`);
    expect(Number(first?.headers['content-length'])).toBe(Buffer.byteLength(first?.body ?? ''));
    expect(new Set(received.map((r) => r.port)).size).toBe(1);
  });

  it('returns a 422 answer as is, without retrying', async () => {
    const rejected = [{ index: 1, errors: ['timestamp must be ISO 8601 with a time zone'] }];
    const { received, apiUrl } = await ingest((res) =>
      json(res, 422, { accepted: 2, duplicates: 0, rejected }),
    );
    const { t, sleeps } = transport(apiUrl);
    expect(await t.send(events(3))).toEqual({ ok: true, answer: { accepted: 2, duplicates: 0, rejected } });
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([400, 401, 415])('does not retry a %i and reports it with the event ids', async (code) => {
    const { received, apiUrl } = await ingest(status(code));
    const { t } = transport(apiUrl);
    const batch = events(2);
    expectRefused(await t.send(batch), batch, code);
    expect(received).toHaveLength(1);
  });

  it('retries 503 and 429 with the same body, honouring Retry-After (seconds and HTTP date)', async () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const { received, apiUrl } = await ingest(
      status(503, { 'retry-after': '7' }),
      status(429, { 'retry-after': new Date(now + 12_000).toUTCString() }),
      status(500),
      accepted,
    );
    const { t, sleeps } = transport(apiUrl, { now: () => now });
    expect(await t.send(events(4))).toMatchObject({ ok: true, answer: { accepted: 4 } });
    expect(received).toHaveLength(4);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(sleeps).toEqual([7000, 12_000, 1000]); // the 500 without Retry-After: backoff 0.5 · 500 · 2²
  });

  it('splits a batch answered 413 and maps 422 indexes of the halves back', async () => {
    const { received, apiUrl } = await ingest((res, list) =>
      list.length > 2
        ? status(413)(res, list)
        : json(res, 422, {
            accepted: list.length - 1,
            duplicates: 0,
            rejected: [{ index: 1, errors: ['bad'] }],
          }),
    );
    const { t } = transport(apiUrl);
    const result = await t.send(events(4));
    expect(result).toMatchObject({
      ok: true,
      answer: { accepted: 2, rejected: [{ index: 1 }, { index: 3 }] },
    });
    expect(received.map((r) => r.ids.length)).toEqual([4, 2, 2]);
  });

  it('times out an attempt that gets no answer, retries it, and reports the last timeout', async () => {
    const { received, apiUrl } = await ingest(never, accepted);
    const { t } = transport(apiUrl, { requestTimeoutMs: 200 });
    expect(await t.send(events(1))).toMatchObject({ ok: true });
    expect(received).toHaveLength(2);

    const again = await ingest(never);
    const { t: t2 } = transport(again.apiUrl, { requestTimeoutMs: 50, maxRetries: 1 });
    expect(await t2.send(events(1))).toMatchObject({
      ok: false,
      retryable: true,
      error: { code: 'timeout' },
    });
    expect(again.received).toHaveLength(2);
  });

  it('retries a refused connection and reports it as a retryable network error', async () => {
    const { apiUrl, server } = await ingest(accepted);
    await new Promise((resolve) => server.close(resolve));
    const { t, sleeps } = transport(apiUrl, { maxRetries: 2 });
    expect(await t.send(events(1))).toMatchObject({ ok: false, retryable: true, error: { code: 'network' } });
    expect(sleeps).toHaveLength(2);
  });

  it('stops at once when the caller aborts during a request', async () => {
    const { apiUrl } = await ingest(never);
    const { t } = transport(apiUrl);
    const controller = new AbortController();
    const pending = t.send(events(1), controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ ok: false, retryable: true, error: { code: 'aborted' } });
  });
});
