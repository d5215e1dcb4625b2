import fc from 'fast-check';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../transport/http-transport.js';
import type { WireEvent } from '../types.js';
import { createBatchQueue } from './batch-queue.js';

/**
 * Queue + HTTP transport against a stub ingest that dedupes by event_id like the real one: whatever
 * the server does (errors, timeouts, lost answers after storing), once it recovers every event is
 * stored exactly once.
 */
const API = 'http://ingest.property/api/v1';
type Outcome = 'ok' | 'network' | '500' | '503' | '429' | 'timeout' | 'stored_then_lost';

let script: Outcome[] = [];
/** Stored event ids; a resent id is a duplicate, as in the real ingest. */
const stored = new Set<string>();
const server = setupServer(
  http.post(`${API}/events`, async ({ request }) => {
    const { events } = (await request.json()) as { events: WireEvent[] };
    const outcome = script.shift() ?? 'ok';
    const store = () => {
      let duplicates = 0;
      for (const e of events) {
        if (stored.has(e.event_id)) duplicates++;
        stored.add(e.event_id);
      }
      return duplicates;
    };
    switch (outcome) {
      case 'ok': {
        const duplicates = store();
        return HttpResponse.json({ accepted: events.length, duplicates, rejected: [] }, { status: 202 });
      }
      case 'stored_then_lost':
        store();
        return HttpResponse.error();
      case 'network':
        return HttpResponse.error();
      case 'timeout':
        await delay('infinite');
        return new HttpResponse(null, { status: 202 });
      case '429':
        return HttpResponse.json(
          { error: 'slow down', code: 'rate_limited' },
          { status: 429, headers: { 'retry-after': '1' } },
        );
      default:
        return HttpResponse.json({ error: 'down', code: 'unavailable' }, { status: Number(outcome) });
    }
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const outcome = fc.constantFrom<Outcome>('ok', 'network', '500', '503', '429', 'timeout', 'stored_then_lost');
const step = fc.oneof(
  fc.record({ kind: fc.constant('enqueue' as const), count: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('flush' as const) }),
  fc.record({ kind: fc.constant('fail' as const), outcomes: fc.array(outcome, { maxLength: 6 }) }),
);

describe('batch queue + http transport', () => {
  it('delivers every event exactly once by event_id under any failures and recoveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 15 }),
        fc.integer({ min: 1, max: 8 }),
        async (steps, batchSize) => {
          script = [];
          stored.clear();
          const transport = createHttpTransport({
            apiUrl: API,
            apiKey: 'sk_test_0123456789abcdef0123456789abcdef',
            // Long enough that a healthy answer is never mistaken for a timeout on a busy machine.
            requestTimeoutMs: 50,
            maxRetries: 3,
            sleep: async () => {},
          });
          // Bound above the most events a run can enqueue (15 × 12): nothing may be dropped.
          const queue = createBatchQueue({
            transport,
            batchSize,
            flushIntervalMs: 3_600_000,
            maxQueueSize: 200,
          });
          const sentIds: string[] = [];
          let n = 0;
          for (const s of steps) {
            if (s.kind === 'enqueue') {
              for (let i = 0; i < s.count; i++) {
                const id = `01936f6e-8b2a-7c3d-9e4f-${String(n++).padStart(12, '0')}`;
                sentIds.push(id);
                queue.enqueue({
                  event_id: id,
                  event_type: 'page_view',
                  visitor_id: 'v',
                  timestamp: '2026-11-25T10:00:00.000Z',
                  properties: { path: `/${id}` },
                });
              }
            } else if (s.kind === 'fail') script.push(...s.outcomes);
            else await queue.flush();
          }
          // Recovery: the server answers from now on.
          script = [];
          const result = await queue.close({ timeoutMs: 10_000 });
          expect(result).toEqual({ sent: sentIds.length, dropped: 0, pending: 0 });
          // Every id stored (none lost, none invented); the queue counted each one once despite resends.
          expect([...stored].sort()).toEqual(sentIds.sort());
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
