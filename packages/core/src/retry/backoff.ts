/**
 * How long delivery waits after a failure — the one place for it. Two layers use it:
 * - the HTTP transport retries one batch within one send (`backoffDelayMs`, or the server's
 *   `Retry-After`): it rides out a blip — a dropped connection, a 503 while the server restarts;
 * - the batch queue, once a send has failed with its retries spent, keeps the batch and skips flush
 *   ticks (`queueTicksToSkip`): it rides out an outage without hammering the server every interval.
 * Both grow by `exponentialCeiling`.
 */
import { DEFAULT_MAX_QUEUE_PAUSE_MS } from '../options/defaults.js';

/** min(max, base·2^attempt): the bound both layers grow by. */
export function exponentialCeiling(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.min(attempt, 40));
}

/**
 * Exponential backoff with full jitter: a uniformly random wait in [0, min(max, base·2^attempt)),
 * so many clients retrying after the same outage spread out instead of arriving together.
 */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  return Math.floor(random() * exponentialCeiling(attempt, baseDelayMs, maxDelayMs));
}

/**
 * Flush ticks the queue lets pass after `failures` failed sends in a row: 0, 1, 3, 7, … (the wait doubles),
 * up to about `DEFAULT_MAX_QUEUE_PAUSE_MS`. `flush()` and `close()` send anyway; a success ends the pause.
 */
export function queueTicksToSkip(failures: number, flushIntervalMs: number): number {
  const maxTicks = Math.max(1, Math.ceil(DEFAULT_MAX_QUEUE_PAUSE_MS / flushIntervalMs));
  return exponentialCeiling(failures - 1, 1, maxTicks + 1) - 1;
}

/**
 * `Retry-After` in ms: delta-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
