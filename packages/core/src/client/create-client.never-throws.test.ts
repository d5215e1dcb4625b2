import { describe, expect, it, vi } from 'vitest';
import { createMemoryTransport, navigationView } from '../testing.js';
import type { Logger, MbuzzError } from '../types.js';
import { createClient } from './create-client.js';

function silentLogger() {
  return { warn: vi.fn(), error: vi.fn() } satisfies Logger;
}

describe('createClient never hurts the host', () => {
  it('reports bad input to onError and drops it, keeping the valid events', async () => {
    const transport = createMemoryTransport();
    const errors: MbuzzError[] = [];
    const client = createClient({ transport, logger: silentLogger(), onError: (e) => errors.push(e) });
    const tracking = client.begin(navigationView('https://shop.example/'));
    const garbage: unknown[] = [
      () => tracking.track('', {}),
      () => tracking.track('x'.repeat(101)),
      () => tracking.track('ok', [] as unknown as Record<string, unknown>),
      () => tracking.track('ok', new Map() as unknown as Record<string, unknown>),
      () => tracking.track(42 as unknown as string),
      () => client.track(null as never),
      () => client.track({ eventType: 'x', visitorId: 'bad id with spaces' }),
      () => client.track({ eventType: 'x', visitorId: 'v', timestamp: 'yesterday' }),
      () => client.track({ eventType: 'x', visitorId: 'v', timestamp: new Date(Number.NaN) }),
      () => client.begin(null as never).end(200),
      () => client.begin({ url: 5 } as never).cookies(200),
    ];
    for (const call of garbage) expect(() => (call as () => void)()).not.toThrow();
    tracking.track('valid');
    tracking.end(200);
    await client.flush();
    expect(errors).toHaveLength(garbage.length);
    expect(errors.every((e) => e.name === 'MbuzzError' && e.code === 'rejected')).toBe(true);
    expect(transport.events.map((e) => e.event_type)).toEqual(['valid', 'page_view']);
    await client.close();
  });

  it('contains a throwing onError and a throwing logger', async () => {
    const transport = createMemoryTransport();
    const client = createClient({
      transport,
      onError: () => {
        throw new Error('hook broke');
      },
      logger: {
        warn: () => {
          throw new Error('logger broke');
        },
        error: () => {
          throw new Error('logger broke');
        },
      },
    });
    expect(() => client.begin(navigationView('https://shop.example/')).track('')).not.toThrow();
    transport.failWith = { code: 'http', status: 400, retryable: false };
    client.begin(navigationView('https://shop.example/')).end(200);
    await expect(client.flush()).resolves.toBeUndefined();
    await expect(client.close({ timeoutMs: 100 })).resolves.toMatchObject({ pending: 0 });
  });

  it('survives a transport that throws or rejects', async () => {
    const errors: MbuzzError[] = [];
    const client = createClient({
      transport: {
        send: () => {
          throw new Error('boom');
        },
      },
      logger: silentLogger(),
      onError: (e) => errors.push(e),
    });
    client.begin(navigationView('https://shop.example/')).end(200);
    await expect(client.flush()).resolves.toBeUndefined();
    const result = await client.close({ timeoutMs: 50 });
    expect(result.sent).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('without an API key: warns once, and every call is a no-op', async () => {
    const logger = silentLogger();
    const errors: MbuzzError[] = [];
    const client = createClient({ apiKey: '', logger, onError: (e) => errors.push(e) });
    expect(client.enabled).toBe(false);
    const tracking = client.begin(navigationView('https://shop.example/'));
    expect(tracking.cookies(200)).toEqual([]);
    tracking.track('x');
    tracking.end(200);
    client.track({ eventType: 'x', visitorId: 'v' });
    await expect(client.flush()).resolves.toBeUndefined();
    await expect(client.close()).resolves.toEqual({ sent: 0, dropped: 0, pending: 0 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/no API key/);
    expect(errors.map((e) => e.code)).toEqual(['config']);
  });

  it('with a malformed key: warns once without echoing the key', () => {
    const logger = silentLogger();
    const client = createClient({ apiKey: 'sk_live_NOTHEX', logger });
    expect(client.enabled).toBe(false);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/malformed/);
    expect(String(logger.warn.mock.calls[0]?.[0])).not.toContain('NOTHEX');
  });

  it('enabled: false is silent', () => {
    const logger = silentLogger();
    const client = createClient({ enabled: false, transport: createMemoryTransport(), logger });
    expect(client.enabled).toBe(false);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
