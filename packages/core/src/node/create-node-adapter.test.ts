import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryTransport } from '../testing/create-memory-transport.js';
import { subRequestView } from '../testing/request-views.js';
import { createNodeAdapter } from './create-node-adapter.js';

const hookCount = () => process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');

describe('createNodeAdapter', () => {
  it('adds no signal hook by default; close() flushes the client', async () => {
    const before = hookCount();
    const transport = createMemoryTransport();
    const adapter = createNodeAdapter({ transport, flushIntervalMs: 60_000 }, 'Test');
    expect(hookCount()).toBe(before);

    adapter.client.track({ eventType: 'signup', visitorId: 'v' });
    await expect(adapter.close({ timeoutMs: 1000 })).resolves.toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(transport.events.map((e) => e.event_type)).toEqual(['signup']);
  });

  it('with handleSignals, hooks SIGTERM and SIGINT until close()', async () => {
    const before = hookCount();
    const adapter = createNodeAdapter({ transport: createMemoryTransport(), handleSignals: true }, 'Test');
    expect(hookCount()).toBe(before + 2);
    await adapter.close();
    expect(hookCount()).toBe(before);
  });

  it('shutdown() closes the client bounded by shutdownTimeoutMs (default 5000)', async () => {
    for (const [options, timeoutMs] of [
      [{}, 5000],
      [{ shutdownTimeoutMs: 1234 }, 1234],
    ] as const) {
      const adapter = createNodeAdapter({ transport: createMemoryTransport(), ...options }, 'Test');
      const close = vi.spyOn(adapter.client, 'close');
      await expect(adapter.shutdown()).resolves.toEqual({ sent: 0, dropped: 0, pending: 0 });
      expect(close).toHaveBeenCalledWith({ timeoutMs });
    }
  });

  /** An adapter on a memory transport whose error messages are collected, and the logger silent. */
  function reportingAdapter(adapterName: string) {
    const messages: string[] = [];
    const adapter = createNodeAdapter(
      {
        transport: createMemoryTransport(),
        logger: { warn() {}, error() {} },
        onError: (error) => messages.push(error.message),
      },
      adapterName,
    );
    return { adapter, messages };
  }

  it('reports with the adapter name, to the options’ onError', () => {
    const { adapter, messages } = reportingAdapter('Koa');
    adapter.report(new Error('x'));
    expect(messages).toEqual(['[mbuzz] the Koa adapter failed']);
    return adapter.close();
  });

  it('trackRequest() reports a failing view and returns a no-op context, never throwing', async () => {
    const { adapter, messages } = reportingAdapter('Test');
    const res = {} as ServerResponse;
    const context = adapter.trackRequest(() => {
      throw new Error('no host');
    }, res);

    expect(context).toMatchObject({ visitorId: undefined, sessionId: undefined });
    expect(() => context.track('signup')).not.toThrow();
    expect(messages).toEqual(['[mbuzz] the Test adapter failed']);
    await adapter.close();
  });

  it('trackRequest() leaves the response alone for a sub-request and returns its tracking', async () => {
    const transport = createMemoryTransport();
    const errors: unknown[] = [];
    const adapter = createNodeAdapter({ transport, onError: (e) => errors.push(e) }, 'Test');
    // Not a navigation: the response is never touched (a bare object would throw if it were).
    const context = adapter.trackRequest(
      () => subRequestView('https://shop.example/api'),
      {} as ServerResponse,
    );
    context.track('signup', { plan: 'pro' });
    await adapter.close();

    expect(errors).toEqual([]);
    expect(transport.events.map((e) => [e.event_type, e.properties.plan])).toEqual([['signup', 'pro']]);
  });
});
