import { createMemoryTransport } from '@mbuzz/core/testing';
import { expect, it } from 'vitest';
import { createTracker } from './server.js';

// Inside a request, track() is exercised by the examples/next smoke test (test/example-next.test.ts).
it('track() outside a request scope resolves, logs, and queues nothing', async () => {
  const transport = createMemoryTransport();
  const logged: unknown[] = [];
  const tracker = createTracker({ transport, logger: { warn() {}, error: (...args) => logged.push(args) } });
  await expect(tracker.track('signup', { plan: 'pro' })).resolves.toBeUndefined();
  await tracker.client.flush();
  expect(transport.events).toEqual([]);
  expect(String((logged[0] as unknown[])[0])).toContain('[mbuzz] track() failed');
});
