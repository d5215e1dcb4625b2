import type { MbuzzError } from '@mbuzz/core';
import { createMemoryTransport } from '@mbuzz/core/testing';
import { expect, it } from 'vitest';
import { createTracker } from '../src/server.js';

// Inside a request, track() is exercised by the examples/next smoke test (test/example-next.test.ts).
it('track() outside a request scope resolves, reports to the logger and onError, and queues nothing', async () => {
  const transport = createMemoryTransport();
  const logged: unknown[] = [];
  const errors: MbuzzError[] = [];
  const tracker = createTracker({
    transport,
    logger: { warn: (...args) => logged.push(args), error() {} },
    onError: (error) => errors.push(error),
  });
  await expect(tracker.track('signup', { plan: 'pro' })).resolves.toBeUndefined();
  await tracker.client.flush();
  expect(transport.events).toEqual([]);
  expect(String((logged[0] as unknown[])[0])).toContain('[mbuzz] track() failed');
  expect(errors.map((error) => [error.code, error.message])).toEqual([
    ['internal', '[mbuzz] track() failed'],
  ]);
});
