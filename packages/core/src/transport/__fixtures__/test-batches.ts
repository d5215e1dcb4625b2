import { expect } from 'vitest';
import type { SendResult, WireEvent } from '../../types.js';
import { createHttpTransport, type HttpTransportOptions } from '../http-transport.js';

/** What the transport tests (fetch path and Node path) share. */
export const TEST_API_KEY = 'sk_test_0123456789abcdef0123456789abcdef';

/** `n` page views with known ids; `padding` makes each one bigger. */
export function testEvents(n: number, padding = 0): WireEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    event_id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    event_type: 'page_view',
    visitor_id: 'v1',
    timestamp: '2026-11-25T10:00:00.000Z',
    properties: { path: `/p/${i}`, pad: 'x'.repeat(padding) },
  }));
}

export const eventIds = (list: WireEvent[]) => list.map((e) => e.event_id);

/** A transport whose waits are recorded instead of slept, with jitter fixed at 0.5. */
export function transportRecordingSleeps(options: Partial<HttpTransportOptions> & { apiUrl: string }) {
  const sleeps: number[] = [];
  const t = createHttpTransport({
    apiKey: TEST_API_KEY,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { t, sleeps };
}

/** A batch answered with a status that must not be retried: a report with the status and every id. */
export function expectRefused(result: SendResult, batch: WireEvent[], status: number): void {
  expect(result).toMatchObject({ ok: false, retryable: false, error: { code: 'http', status } });
  expect(!result.ok && result.error.eventIds).toEqual(eventIds(batch));
  expect(!result.ok && result.error.message).toContain(`code_${status}`);
}
