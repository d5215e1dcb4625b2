import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../types.js';
import { createMemoryTransport } from './create-memory-transport.js';
import { cookieJar, navigationView, subRequestView } from './request-views.js';

function event(id: string): WireEvent {
  return {
    event_id: id,
    event_type: 'x',
    visitor_id: 'v',
    timestamp: '2025-01-01T00:00:00Z',
    properties: {},
  };
}

describe('createMemoryTransport', () => {
  it('records batches and events, counting resent event ids as duplicates', async () => {
    const transport = createMemoryTransport();
    await expect(transport.send([event('1'), event('2')])).resolves.toEqual({
      ok: true,
      answer: { accepted: 2, duplicates: 0, rejected: [] },
    });
    await expect(transport.send([event('2'), event('3')])).resolves.toMatchObject({
      answer: { accepted: 2, duplicates: 1 },
    });
    expect(transport.batches.map((b) => b.map((e) => e.event_id))).toEqual([
      ['1', '2'],
      ['2', '3'],
    ]);
    expect(transport.events.map((e) => e.event_id)).toEqual(['1', '2', '3']);
    expect([transport.attempts, transport.duplicates]).toEqual([2, 1]);
    transport.reset();
    expect([transport.batches.length, transport.events.length, transport.attempts]).toEqual([0, 0, 0]);
  });

  it('keeps copies: later changes to the sent objects do not alter the record', async () => {
    const transport = createMemoryTransport();
    const sent = event('1');
    await transport.send([sent]);
    sent.event_type = 'changed';
    expect(transport.events[0]?.event_type).toBe('x');
  });

  it('fails as told, then recovers', async () => {
    const transport = createMemoryTransport({ failWith: 'network' });
    const failed = await transport.send([event('1')]);
    expect(failed).toMatchObject({
      ok: false,
      retryable: true,
      error: { name: 'MbuzzError', code: 'network', eventIds: ['1'] },
    });
    transport.failWith = { code: 'http', status: 401 };
    await expect(transport.send([event('1')])).resolves.toMatchObject({
      ok: false,
      retryable: false,
      error: { status: 401 },
    });
    transport.failWith = (_events, attempt) => (attempt === 3 ? 'timeout' : undefined);
    await expect(transport.send([event('1')])).resolves.toMatchObject({
      ok: false,
      error: { code: 'timeout' },
    });
    await expect(transport.send([event('1')])).resolves.toMatchObject({ ok: true });
    expect(transport.events).toHaveLength(1);
    expect(transport.attempts).toBe(4);
  });
});

describe('request views', () => {
  it('navigationView builds a browser navigation; headers override or remove defaults', () => {
    const view = navigationView('https://a.example/', {
      headers: { 'User-Agent': 'custom', 'sec-fetch-site': undefined },
      cookies: { a: '1', b: '2' },
    });
    expect(view).toMatchObject({ method: 'GET', url: 'https://a.example/' });
    expect(view.headers).toMatchObject({
      'sec-fetch-mode': 'navigate',
      'user-agent': 'custom',
      cookie: 'a=1; b=2',
    });
    expect(view.headers).not.toHaveProperty('sec-fetch-site');
    expect(subRequestView('https://a.example/api', { method: 'POST' }).headers['sec-fetch-mode']).toBe(
      'cors',
    );
  });

  it('cookieJar keeps cookies like a browser', () => {
    let jar = cookieJar(['a=1; Path=/; HttpOnly', 'b=2; Max-Age=60']);
    expect(jar).toEqual({ a: '1', b: '2' });
    jar = cookieJar(['a=3', 'b=; Max-Age=0'], jar);
    expect(jar).toEqual({ a: '3' });
  });
});
