import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MbuzzError, SendResult, SerializedBatch, Transport, WireEvent } from '../types.js';
import { createBatchQueue, type DropInfo } from './batch-queue.js';

function event(i: number, padding = 0): WireEvent {
  return {
    event_id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    event_type: 'page_view',
    visitor_id: 'v1',
    timestamp: '2026-11-25T10:00:00.000Z',
    properties: { path: `/p/${i}`, pad: 'x'.repeat(padding) },
  };
}
const idOf = (i: number) => event(i).event_id;

const OK = (n: number): SendResult => ({
  ok: true,
  answer: { accepted: n, duplicates: 0, rejected: [] },
});

/** A transport whose answers the test decides, one call at a time. */
function scriptedTransport(
  answer: (batch: SerializedBatch, call: number) => SendResult | Promise<SendResult>,
) {
  const calls: { ids: string[]; body: string; signal?: AbortSignal }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: Transport = {
    send: () => Promise.reject(new Error('queue must use sendSerialized')),
    async sendSerialized(batch, signal) {
      calls.push({ ids: [...batch.ids], body: `{"events":[${batch.json.join(',')}]}`, signal });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await answer(batch, calls.length);
      } finally {
        inFlight--;
      }
    },
  };
  return { transport, calls, maxInFlight: () => maxInFlight };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createBatchQueue', () => {
  it('sends a batch as soon as batchSize events are queued, and only full batches', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const queue = createBatchQueue({ transport, batchSize: 3 });
    for (let i = 0; i < 7; i++) queue.enqueue(event(i));
    await settle();
    expect(calls.map((c) => c.ids)).toEqual([
      [idOf(0), idOf(1), idOf(2)],
      [idOf(3), idOf(4), idOf(5)],
    ]);
    expect(queue.stats()).toMatchObject({ queued: 1, sent: 6, dropped: 0, inFlight: 0 });
  });

  it('sends what waits every flushIntervalMs', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const queue = createBatchQueue({ transport, flushIntervalMs: 1000 });
    queue.enqueue(event(1));
    queue.enqueue(event(2));
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.ids)).toEqual([[idOf(1), idOf(2)]]);
    queue.enqueue(event(3));
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((c) => c.ids)).toEqual([[idOf(1), idOf(2)], [idOf(3)]]);
  });

  it('cuts batches by bytes, envelope included, and sends the JSON it measured', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const size = JSON.stringify(event(0, 200)).length;
    const maxBatchBytes = 13 + size * 3 + 2; // room for three events and their two commas
    const queue = createBatchQueue({ transport, batchSize: 50, maxBatchBytes });
    for (let i = 0; i < 8; i++) queue.enqueue(event(i, 200));
    await queue.flush();
    expect(calls.map((c) => c.ids.length)).toEqual([3, 3, 2]);
    for (const call of calls) {
      expect(new TextEncoder().encode(call.body).length).toBeLessThanOrEqual(maxBatchBytes);
      expect(JSON.parse(call.body).events.map((e: WireEvent) => e.event_id)).toEqual(call.ids);
    }
    expect(JSON.parse(calls[0]?.body ?? '').events[0]).toEqual(event(0, 200));
  });

  it('measures bytes as UTF-8, not as string length', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const ascii = JSON.stringify(event(0, 30)).length;
    // 30 'é' are 60 bytes: two such events do not fit where two ASCII ones would.
    const queue = createBatchQueue({ transport, maxBatchBytes: 13 + ascii * 2 + 1 });
    const accented = (i: number) => ({ ...event(i), properties: { path: `/p/${i}`, pad: 'é'.repeat(30) } });
    queue.enqueue(accented(0));
    queue.enqueue(accented(1));
    await queue.flush();
    expect(calls.map((c) => c.ids.length)).toEqual([1, 1]);
  });

  it('drops an event bigger than a whole batch, with a report', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const drops: DropInfo[] = [];
    const queue = createBatchQueue({ transport, maxBatchBytes: 500, onDrop: (d) => drops.push(d) });
    queue.enqueue(event(1, 1000));
    queue.enqueue(event(2));
    await queue.flush();
    expect(calls.map((c) => c.ids)).toEqual([[idOf(2)]]);
    expect(drops).toMatchObject([{ reason: 'too_large', count: 1, eventIds: [idOf(1)] }]);
    expect(queue.stats()).toMatchObject({ sent: 1, dropped: 1 });
  });

  it('keeps at most maxQueueSize events, dropping the oldest, counting and reporting drops', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const drops: DropInfo[] = [];
    const errors: MbuzzError[] = [];
    const queue = createBatchQueue({
      transport,
      maxQueueSize: 5,
      onDrop: (d) => drops.push(d),
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 9; i++) queue.enqueue(event(i));
    expect(queue.stats()).toMatchObject({ queued: 5, dropped: 4 });
    // The first drop is reported at once; the next ones are aggregated, not one report per event.
    expect(drops).toEqual([expect.objectContaining({ reason: 'queue_full', count: 1 })]);
    await queue.flush();
    expect(drops).toHaveLength(2);
    expect(drops[1]).toMatchObject({ reason: 'queue_full', count: 3, eventIds: [idOf(1), idOf(2), idOf(3)] });
    expect(errors.map((e) => e.code)).toEqual(['queue_full', 'queue_full']);
    expect(calls.flatMap((c) => c.ids)).toEqual([4, 5, 6, 7, 8].map(idOf));
  });

  it('keeps at most maxQueueBytes of events, dropping the oldest', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const size = JSON.stringify(event(0, 100)).length;
    const queue = createBatchQueue({ transport, maxQueueBytes: size * 3 + 10 });
    for (let i = 0; i < 5; i++) queue.enqueue(event(i, 100));
    expect(queue.stats()).toMatchObject({ queued: 3, queuedBytes: size * 3, dropped: 2 });
    await queue.flush();
    expect(calls.flatMap((c) => c.ids)).toEqual([2, 3, 4].map(idOf));
  });

  it('has one flush in flight at a time, however often it is asked', async () => {
    const answers: Array<() => void> = [];
    const { transport, calls, maxInFlight } = scriptedTransport(
      (b) => new Promise((resolve) => answers.push(() => resolve(OK(b.ids.length)))),
    );
    const queue = createBatchQueue({ transport, batchSize: 2 });
    for (let i = 0; i < 6; i++) queue.enqueue(event(i));
    const flushes = [queue.flush(), queue.flush(), queue.flush()];
    await settle();
    expect(calls).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ inFlight: 2, queued: 4 });
    while (answers.length > 0) {
      answers.shift()?.();
      await settle();
    }
    await Promise.all(flushes);
    expect(calls).toHaveLength(3);
    expect(maxInFlight()).toBe(1);
    expect(queue.stats()).toMatchObject({ sent: 6, queued: 0, inFlight: 0 });
  });

  it('flush() resolves once everything queued before it is answered, including the batch in flight', async () => {
    const answers: Array<() => void> = [];
    const { transport } = scriptedTransport(
      (b) => new Promise((resolve) => answers.push(() => resolve(OK(b.ids.length)))),
    );
    const queue = createBatchQueue({ transport, batchSize: 2 });
    queue.enqueue(event(1));
    queue.enqueue(event(2));
    await settle(); // batch [1, 2] in flight
    queue.enqueue(event(3));
    let done = false;
    void queue.flush().then(() => {
      done = true;
    });
    answers.shift()?.();
    await settle();
    expect(done).toBe(false); // event 3 not answered yet
    answers.shift()?.();
    await settle();
    expect(done).toBe(true);
    expect(queue.stats()).toMatchObject({ sent: 3, queued: 0 });
    await expect(queue.flush()).resolves.toBeUndefined(); // nothing queued
  });

  it('flush() never rejects, even when a custom transport throws', async () => {
    const errors: MbuzzError[] = [];
    const transport: Transport = {
      send: () => {
        throw new Error('boom');
      },
    };
    const queue = createBatchQueue({ transport, onError: (e) => errors.push(e) });
    queue.enqueue(event(1));
    await expect(queue.flush()).resolves.toBeUndefined();
    expect(errors[0]).toMatchObject({ code: 'internal' });
    expect(queue.stats()).toMatchObject({ queued: 1, sent: 0 }); // kept for a later attempt
  });

  it('puts a batch that failed retryably back at the front and retries at later ticks, with backoff', async () => {
    let down = true;
    const { transport, calls } = scriptedTransport((b) =>
      down
        ? { ok: false, retryable: true, error: { code: 'http', status: 503 } as MbuzzError }
        : OK(b.ids.length),
    );
    const errors: MbuzzError[] = [];
    const queue = createBatchQueue({
      transport,
      batchSize: 2,
      flushIntervalMs: 1000,
      onError: (e) => errors.push(e),
    });
    queue.enqueue(event(1));
    queue.enqueue(event(2));
    await settle();
    expect(calls).toHaveLength(1);
    queue.enqueue(event(3));
    queue.enqueue(event(4)); // a full batch again, but delivery is paused after a failure
    await settle();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000); // tick 1: retry at once after a first failure
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000); // tick 2: skipped after a second failure
    expect(calls).toHaveLength(2);
    down = false;
    await vi.advanceTimersByTimeAsync(1000); // tick 3: delivers everything, oldest first
    expect(calls[1]?.ids).toEqual([idOf(1), idOf(2)]); // the failed batch went back to the front
    expect(calls.slice(2).flatMap((c) => c.ids)).toEqual([1, 2, 3, 4].map(idOf));
    expect(queue.stats()).toMatchObject({ sent: 4, dropped: 0, queued: 0 });
    expect(errors).toHaveLength(2);
  });

  it('applies the bound to a requeued batch: the oldest events go first', async () => {
    let down = true;
    const answers: Array<() => void> = [];
    const { transport, calls } = scriptedTransport(
      (b) =>
        new Promise((resolve) =>
          answers.push(() =>
            resolve(
              down
                ? { ok: false, retryable: true, error: { code: 'network' } as MbuzzError }
                : OK(b.ids.length),
            ),
          ),
        ),
    );
    const queue = createBatchQueue({ transport, batchSize: 3, maxQueueSize: 4 });
    for (let i = 0; i < 3; i++) queue.enqueue(event(i));
    await settle(); // [0, 1, 2] in flight
    for (let i = 3; i < 6; i++) queue.enqueue(event(i)); // queue holds [3, 4, 5]
    answers.shift()?.(); // fails: back at the front → [0, 1, 2, 3, 4, 5] over the bound of 4
    await settle();
    expect(queue.stats()).toMatchObject({ queued: 4, dropped: 2 });
    down = false;
    const flushed = queue.flush();
    await settle();
    answers.shift()?.();
    await settle();
    answers.shift()?.();
    await flushed;
    expect(calls.slice(1).flatMap((c) => c.ids)).toEqual([2, 3, 4, 5].map(idOf));
  });

  it('drops a batch the server refuses for good (400/401/415) and reports it', async () => {
    const { transport } = scriptedTransport((b) => ({
      ok: false,
      retryable: false,
      error: Object.assign(new Error('ingest answered 401'), {
        code: 'http',
        status: 401,
        eventIds: [...b.ids],
      }) as MbuzzError,
    }));
    const drops: DropInfo[] = [];
    const errors: MbuzzError[] = [];
    const queue = createBatchQueue({
      transport,
      onDrop: (d) => drops.push(d),
      onError: (e) => errors.push(e),
    });
    queue.enqueue(event(1));
    queue.enqueue(event(2));
    await queue.flush();
    expect(queue.stats()).toMatchObject({ sent: 0, dropped: 2, queued: 0 });
    expect(drops).toMatchObject([{ reason: 'failed', count: 2, eventIds: [idOf(1), idOf(2)] }]);
    expect(errors[0]).toMatchObject({ status: 401 });
  });

  it('on 422 reports the rejected events by id and counts the rest as sent', async () => {
    const { transport } = scriptedTransport(() => ({
      ok: true,
      answer: {
        accepted: 2,
        duplicates: 0,
        rejected: [{ index: 1, errors: ['timestamp must be ISO 8601'] }],
      },
    }));
    const drops: DropInfo[] = [];
    const errors: MbuzzError[] = [];
    const queue = createBatchQueue({
      transport,
      onDrop: (d) => drops.push(d),
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 3; i++) queue.enqueue(event(i));
    await queue.flush();
    expect(queue.stats()).toMatchObject({ sent: 2, dropped: 1 });
    expect(drops).toMatchObject([{ reason: 'rejected', count: 1, eventIds: [idOf(1)] }]);
    expect(errors[0]).toMatchObject({ code: 'rejected', eventIds: [idOf(1)] });
    expect(errors[0]?.message).toContain('timestamp must be ISO 8601');
  });

  it('close() flushes, then aborts what is still in flight at the deadline', async () => {
    const { transport, calls } = scriptedTransport((b, call) =>
      call === 1
        ? OK(b.ids.length)
        : new Promise((resolve, _reject) => {
            // Never answers; only the close() deadline ends it.
            calls[call - 1]?.signal?.addEventListener('abort', () =>
              resolve({ ok: false, retryable: true, error: { code: 'aborted' } as MbuzzError }),
            );
          }),
    );
    const errors: MbuzzError[] = [];
    const queue = createBatchQueue({ transport, batchSize: 2, onError: (e) => errors.push(e) });
    for (let i = 0; i < 5; i++) queue.enqueue(event(i));
    const closed = queue.close({ timeoutMs: 2000 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[1]?.signal?.aborted).toBe(true);
    await expect(closed).resolves.toEqual({ sent: 2, dropped: 0, pending: 3 });
    expect(errors.at(-1)).toMatchObject({ code: 'aborted', eventIds: [2, 3, 4].map(idOf) });
  });

  it('close() returns at the deadline even if a custom transport ignores the abort', async () => {
    const transport: Transport = { send: () => new Promise(() => {}) };
    const queue = createBatchQueue({ transport });
    queue.enqueue(event(1));
    const closed = queue.close({ timeoutMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    await expect(closed).resolves.toEqual({ sent: 0, dropped: 0, pending: 1 });
  });

  it('close() delivers everything when the server answers, stops the timer, and later enqueues are counted drops', async () => {
    const { transport, calls } = scriptedTransport((b) => OK(b.ids.length));
    const drops: DropInfo[] = [];
    const queue = createBatchQueue({ transport, flushIntervalMs: 1000, onDrop: (d) => drops.push(d) });
    queue.enqueue(event(1));
    await expect(queue.close()).resolves.toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(vi.getTimerCount()).toBe(0);
    queue.enqueue(event(2));
    expect(queue.stats()).toMatchObject({ dropped: 1, queued: 0 });
    expect(drops).toMatchObject([{ reason: 'closed', count: 1 }]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
    expect(queue.close()).toBe(queue.close()); // idempotent
  });

  it('never throws from enqueue: unserializable events are dropped, throwing hooks are contained', () => {
    const { transport } = scriptedTransport((b) => OK(b.ids.length));
    const queue = createBatchQueue({
      transport,
      onError: () => {
        throw new Error('hook failure');
      },
      onDrop: () => {
        throw new Error('hook failure');
      },
      logger: {
        warn: () => {
          throw new Error('logger failure');
        },
        error: () => {},
      },
    });
    const cyclic = event(1) as WireEvent & { properties: Record<string, unknown> };
    cyclic.properties.self = cyclic;
    expect(() => queue.enqueue(cyclic)).not.toThrow();
    expect(() => queue.enqueue(null as unknown as WireEvent)).not.toThrow();
    expect(() => queue.enqueue({ ...event(2), properties: { n: 1n } } as unknown as WireEvent)).not.toThrow();
    expect(queue.stats()).toMatchObject({ dropped: 3, queued: 0 });
  });

  it('hands parsed events to a transport without sendSerialized', async () => {
    const batches: WireEvent[][] = [];
    const transport: Transport = {
      async send(events) {
        batches.push(events);
        return OK(events.length);
      },
    };
    const queue = createBatchQueue({ transport });
    queue.enqueue(event(1, 5));
    queue.enqueue(event(2));
    await queue.flush();
    expect(batches).toEqual([[event(1, 5), event(2)]]);
  });

  it('does not start the interval timer before the first event', () => {
    const { transport } = scriptedTransport((b) => OK(b.ids.length));
    createBatchQueue({ transport });
    expect(vi.getTimerCount()).toBe(0);
  });
});
