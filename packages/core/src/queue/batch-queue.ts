import { createMbuzzError } from '../errors.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_DROP_REPORT_INTERVAL_MS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from '../options/defaults.js';
import { queueTicksToSkip } from '../retry/backoff.js';
import type { CloseResult, WireEvent } from '../types.js';
import type { BatchQueue, BatchQueueOptions } from './batch-queue-options.js';
import { deliverBatch, rejectedEventIds } from './deliver-batch.js';
import { createDropReporter } from './drop-reporter.js';
import { EventRing, type TakenBatch } from './event-ring.js';
import { utf8ByteLength } from './utf8-byte-length.js';

export type { BatchQueue, BatchQueueOptions, BatchQueueStats } from './batch-queue-options.js';
export type { DropInfo, DropReason } from './drop-reporter.js';

/** `{"events":[` + `]}` around the comma-joined events. */
const ENVELOPE_BYTES = 13;

/**
 * The bounded batch queue between the event builder and the transport.
 *
 * @example
 * const queue = createBatchQueue({ transport: createHttpTransport({ apiUrl, apiKey }) });
 * queue.enqueue(event);
 * const { sent, dropped, pending } = await queue.close({ timeoutMs: 5000 });
 */
export function createBatchQueue(options: BatchQueueOptions): BatchQueue {
  const transport = options.transport;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  const flushIntervalMs = Math.max(1, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
  const maxQueueSize = Math.max(1, Math.floor(options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE));
  const maxQueueBytes = Math.max(1, options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES);
  const maxBatchBytes = Math.max(ENVELOPE_BYTES + 2, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
  const maxEventBytes = Math.min(maxBatchBytes - ENVELOPE_BYTES, maxQueueBytes);
  const now = options.now ?? Date.now;
  const reporter = createDropReporter({
    onDrop: options.onDrop,
    onError: options.onError,
    logger: options.logger,
    now,
    intervalMs: options.dropReportIntervalMs ?? DEFAULT_DROP_REPORT_INTERVAL_MS,
  });

  const ring = new EventRing();
  const dropped1 = { id: '', bytes: 0 };
  const abort = new AbortController();
  let queuedBytes = 0;
  let sent = 0;
  let dropped = 0;
  /** The batch the transport has now (one flush in flight at a time). */
  let inFlight: TakenBatch | undefined;
  let closed = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let draining: Promise<void> | undefined;
  /** When false a drain sends only full batches (count trigger); flush, tick and close send all. */
  let drainAll = false;
  let kickScheduled = false;
  let failures = 0;
  let skipTicks = 0;
  let closing: Promise<CloseResult> | undefined;

  function dropOldestWhileOver(extraBytes: number, extraCount: number): void {
    while (
      ring.size > 0 &&
      (ring.size + extraCount > maxQueueSize || queuedBytes + extraBytes > maxQueueBytes)
    ) {
      ring.dropOldest(dropped1);
      queuedBytes -= dropped1.bytes;
      dropped++;
      reporter.drop('queue_full', dropped1.id);
    }
  }

  function enqueue(event: WireEvent): void {
    try {
      if (closed) {
        dropped++;
        reporter.drop('closed', event?.event_id);
        return;
      }
      let json: string;
      try {
        json = JSON.stringify(event);
      } catch {
        dropped++;
        reporter.drop('unserializable', event.event_id);
        return;
      }
      enqueueJson(json, event.event_id);
    } catch {
      // Not an event object at all (null, …): dropped like an unserializable one.
      dropped++;
      reporter.drop('unserializable', undefined);
    }
  }

  function enqueueJson(json: string, id: string): void {
    if (closed) {
      dropped++;
      reporter.drop('closed', id);
      return;
    }
    const bytes = utf8ByteLength(json);
    if (bytes > maxEventBytes) {
      dropped++;
      reporter.drop('too_large', id);
      return;
    }
    dropOldestWhileOver(bytes, 1);
    ring.push(json, id, bytes);
    queuedBytes += bytes;
    if (timer === undefined) startTimer();
    if (ring.size >= batchSize && draining === undefined && failures === 0 && !kickScheduled) {
      kickScheduled = true;
      // Not synchronously: the host's request should not pay for building a request body.
      queueMicrotask(kick);
    }
  }

  function kick(): void {
    kickScheduled = false;
    if (draining === undefined && failures === 0 && ring.size >= batchSize) startDrain();
  }

  function startTimer(): void {
    timer = setInterval(tick, flushIntervalMs);
    // Edge runtimes have no unref; on Node a waiting queue must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
  }

  function tick(): void {
    reporter.emit();
    if (draining !== undefined || ring.size === 0) return;
    if (skipTicks > 0) {
      skipTicks--;
      return;
    }
    drainAll = true;
    startDrain();
  }

  function startDrain(): Promise<void> {
    // The loop starts in a microtask so `draining` is set before it can finish and clear it.
    const run = Promise.resolve().then(drainLoop);
    draining = run;
    return run;
  }

  async function drainLoop(): Promise<void> {
    try {
      while (ring.size > 0 && (drainAll || ring.size >= batchSize)) {
        if (!(await sendOne())) break;
      }
    } catch (cause) {
      reporter.fail(createMbuzzError('internal', 'flush failed', { cause }));
    } finally {
      draining = undefined;
      drainAll = false;
    }
  }

  /** Sends one batch; false when delivery should pause (retryable failure). */
  async function sendOne(): Promise<boolean> {
    const batch = ring.take(batchSize, maxBatchBytes - ENVELOPE_BYTES);
    queuedBytes -= batch.bytes;
    inFlight = batch;
    const result = await deliverBatch(transport, batch, abort.signal);
    inFlight = undefined;
    if (result.ok) {
      failures = 0;
      skipTicks = 0;
      const rejectedIds = rejectedEventIds(batch.ids, result.answer.rejected);
      sent += batch.ids.length - rejectedIds.length;
      if (rejectedIds.length > 0) {
        dropped += rejectedIds.length;
        const errors = result.answer.rejected[0]?.errors;
        const first = Array.isArray(errors) ? errors.join('; ') : '';
        const error = createMbuzzError(
          'rejected',
          `server rejected ${rejectedIds.length} of ${batch.ids.length} events (first: ${first})`,
          { eventIds: rejectedIds },
        );
        reporter.fail(error, { reason: 'rejected', eventIds: rejectedIds });
      }
      return true;
    }
    if (result.retryable) {
      requeue(batch);
      if (!abort.signal.aborted) {
        failures++;
        skipTicks = queueTicksToSkip(failures, flushIntervalMs);
        reporter.fail(result.error);
      }
      return false;
    }
    dropped += batch.ids.length;
    reporter.fail(result.error, { reason: 'failed', eventIds: batch.ids });
    return true;
  }

  function requeue(batch: TakenBatch): void {
    for (let i = batch.ids.length - 1; i >= 0; i--) {
      ring.unshift(batch.json[i] as string, batch.ids[i] as string, batch.sizes[i] as number);
    }
    queuedBytes += batch.bytes;
    // The retried batch is the oldest: if newer events filled the queue meanwhile, it goes first.
    dropOldestWhileOver(0, 0);
  }

  function flush(): Promise<void> {
    try {
      reporter.emit();
      drainAll = true;
      if (draining !== undefined) return draining;
      if (ring.size === 0) {
        drainAll = false;
        return Promise.resolve();
      }
      return startDrain();
    } catch {
      return Promise.resolve();
    }
  }

  async function closeOnce(timeoutMs: number): Promise<CloseResult> {
    closed = true;
    if (timer !== undefined) clearInterval(timer);
    let reachDeadline = () => {};
    const deadlineReached = new Promise<void>((resolve) => {
      reachDeadline = resolve;
    });
    // Not unref'd on purpose: close() was asked to deliver, so the process waits up to the deadline.
    const deadline = setTimeout(() => {
      abort.abort(createMbuzzError('aborted', `close() deadline of ${timeoutMs} ms reached`));
      reachDeadline();
    }, timeoutMs);
    const work = (async () => {
      drainAll = true;
      if (draining !== undefined) await draining;
      // One more attempt even after a failure: close() is the last chance to deliver.
      if (ring.size > 0 && !abort.signal.aborted) await flush();
    })();
    // Racing the deadline too: a custom transport that ignores the abort signal cannot hang close().
    await Promise.race([work.catch(() => {}), deadlineReached]);
    clearTimeout(deadline);
    // At the deadline the aborted batch may not be back in the ring yet: it is pending all the same.
    const pending = ring.size + (inFlight?.ids.length ?? 0);
    if (pending > 0) {
      reporter.fail(
        createMbuzzError('aborted', `closed with ${pending} events undelivered`, {
          eventIds: [...(inFlight?.ids ?? []), ...ring.peekIds(100)].slice(0, 100),
        }),
      );
    }
    reporter.emit();
    return { sent, dropped, pending };
  }

  return {
    enqueue,
    enqueueJson,
    flush,
    close(closeOptions) {
      closing ??= closeOnce(closeOptions?.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      return closing;
    },
    stats: () => ({
      queued: ring.size,
      queuedBytes,
      sent,
      dropped,
      inFlight: inFlight?.ids.length ?? 0,
    }),
  };
}
