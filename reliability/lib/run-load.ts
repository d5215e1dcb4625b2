import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WireEvent } from '@mbuzz/core';
import { type BatchSender, isRetryable, type Outcome } from './batch-sender.js';
import { makeEvents } from './make-events.js';

export interface LoadOptions {
  sender: BatchSender;
  apiKey: string;
  /** Events per batch (default 50, the SDK's default batch size). */
  batchSize?: number;
  durationMs: number;
  /** Open loop: batches started per second, whatever the answers. Without it: a closed loop. */
  batchesPerSecond?: number;
  /** Closed loop: workers. Open loop: most batches in flight (a batch due beyond it is skipped). */
  concurrency: number;
  /**
   * Resend a batch after a retryable answer (network error, 408, 429, 5xx) with the same event ids,
   * honouring Retry-After — what the SDK does — until it is stored or `retryUntil` (epoch ms) passes.
   */
  retryUntil?: number;
  makeBatch?: (size: number) => WireEvent[];
  /** Every answer, as it comes (timelines of fault scenarios). */
  onOutcome?: (outcome: Outcome, startedAt: number, eventIds: readonly string[]) => void;
}

export interface LoadReport {
  batches: number;
  requests: number;
  /** Events in every batch sent at least once. */
  sentIds: Set<string>;
  /** Events of batches answered 202 (docs/api.md: stored, or already stored). */
  acceptedIds: Set<string>;
  /** Answers by status (`202`, `503`, `network`…), every attempt counted. */
  statuses: Record<string, number>;
  /** Latency of every attempt that got an HTTP answer, ms. */
  latenciesMs: number[];
  /** Batches never answered 202 (given up at the deadline, or refused for good). */
  unresolved: number;
  /** Open loop: batches that were due while `concurrency` were already in flight. */
  skipped: number;
  elapsedMs: number;
}

/**
 * Sends batches of valid events to POST /api/v1/events for `durationMs`, open or closed loop, and
 * accounts for every event id (sent, accepted) so the database can be checked exactly afterwards.
 *
 * @example
 * const report = await runLoad({ sender, apiKey, durationMs: 10_000, concurrency: 8 });
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const batchSize = options.batchSize ?? 50;
  const makeBatch = options.makeBatch ?? ((size: number) => makeEvents(size));
  const report: LoadReport = {
    batches: 0,
    requests: 0,
    sentIds: new Set(),
    acceptedIds: new Set(),
    statuses: {},
    latenciesMs: [],
    unresolved: 0,
    skipped: 0,
    elapsedMs: 0,
  };
  const started = performance.now();
  const endAt = started + options.durationMs;

  const runBatch = async (): Promise<void> => {
    const events = makeBatch(batchSize);
    const ids = events.map((event) => event.event_id);
    const body = JSON.stringify({ events });
    report.batches++;
    for (const id of ids) report.sentIds.add(id);
    for (let attempt = 0; ; attempt++) {
      const startedAt = Date.now();
      const outcome = await options.sender.post(options.apiKey, body);
      report.requests++;
      const key = String(outcome.status);
      report.statuses[key] = (report.statuses[key] ?? 0) + 1;
      if (outcome.status !== 'network') report.latenciesMs.push(outcome.latencyMs);
      options.onOutcome?.(outcome, startedAt, ids);
      if (outcome.status === 202) {
        for (const id of ids) report.acceptedIds.add(id);
        return;
      }
      if (!isRetryable(outcome) || options.retryUntil === undefined || Date.now() > options.retryUntil) {
        report.unresolved++;
        return;
      }
      await sleep(retryDelayMs(outcome, attempt));
    }
  };

  if (options.batchesPerSecond === undefined) {
    const worker = async () => {
      while (performance.now() < endAt) await runBatch();
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } else {
    const intervalMs = 1000 / options.batchesPerSecond;
    const inFlight = new Set<Promise<void>>();
    let due = 0;
    while (performance.now() < endAt) {
      // Start every batch that is due by now (catching up after a slow tick), up to the in-flight cap.
      const shouldHaveStarted = Math.floor((performance.now() - started) / intervalMs) + 1;
      while (due < shouldHaveStarted) {
        due++;
        if (inFlight.size >= options.concurrency) {
          report.skipped++;
          continue;
        }
        const job = runBatch().finally(() => inFlight.delete(job));
        inFlight.add(job);
      }
      await sleep(Math.max(1, Math.min(intervalMs, 20)));
    }
    await Promise.all(inFlight);
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

/** Retry-After when given (seconds), else exponential backoff with full jitter, 100 ms · 2^n ≤ 2 s. */
function retryDelayMs(outcome: Outcome, attempt: number): number {
  const seconds = Number(outcome.retryAfter);
  if (outcome.retryAfter !== undefined && Number.isFinite(seconds)) return Math.min(seconds * 1000, 5000);
  return Math.random() * Math.min(2000, 100 * 2 ** attempt);
}
