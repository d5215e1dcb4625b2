import { createMbuzzError } from '../errors.js';
import type { Logger, MbuzzError } from '../types.js';

export type DropReason =
  /** The queue was full (events or bytes): the oldest events made room for newer ones. */
  | 'queue_full'
  /** One event was bigger than a whole batch may be. */
  | 'too_large'
  /** `enqueue` after `close()`. */
  | 'closed'
  /** The event could not be serialized (cycle, BigInt, …). */
  | 'unserializable'
  /** The server refused the event (422, or 413 for the event alone). */
  | 'rejected'
  /** The server refused the batch in a way a retry cannot fix (400, 401, 415, …). */
  | 'failed';

/** What `onDrop` receives: drops of one reason, possibly several aggregated into one report. */
export interface DropInfo {
  reason: DropReason;
  count: number;
  /** Ids of the dropped events (at most the first 100 of this report). */
  eventIds: string[];
  error: MbuzzError;
}

export interface DropReporterOptions {
  onDrop?: (info: DropInfo) => void;
  onError?: (error: MbuzzError) => void;
  logger?: Logger;
  now: () => number;
  /** Aggregated drops are reported at most once per this many ms. */
  intervalMs: number;
}

const MAX_IDS = 100;
const AGGREGATED_CODE = {
  queue_full: 'queue_full',
  too_large: 'rejected',
  closed: 'aborted',
  unserializable: 'internal',
} as const;
type AggregatedReason = keyof typeof AGGREGATED_CODE;
const AGGREGATED_MESSAGE: Record<AggregatedReason, string> = {
  queue_full: 'queue full: dropped the oldest events',
  too_large: 'event larger than maxBatchBytes: dropped',
  closed: 'event queued after close(): dropped',
  unserializable: 'event could not be serialized to JSON: dropped',
};

/**
 * Reports failures without spamming: per-event drops (queue full, after close, …) are counted and
 * reported at most once per interval; per-batch failures are reported as they happen. A throwing
 * hook or logger is contained — reporting never throws into the caller.
 */
export function createDropReporter(options: DropReporterOptions) {
  const { onDrop, onError, logger, now, intervalMs } = options;
  const pending = new Map<AggregatedReason, { count: number; ids: string[] }>();
  let lastEmitAt = Number.NEGATIVE_INFINITY;

  function deliver(error: MbuzzError, info?: Omit<DropInfo, 'error'>): void {
    try {
      logger?.warn(`[mbuzz] ${error.message}`);
    } catch {}
    try {
      onError?.(error);
    } catch {}
    if (info)
      try {
        onDrop?.({ ...info, error });
      } catch {}
  }

  function emit(): void {
    if (pending.size === 0) return;
    lastEmitAt = now();
    for (const [reason, { count, ids }] of pending) {
      const error = createMbuzzError(
        AGGREGATED_CODE[reason],
        `${AGGREGATED_MESSAGE[reason]} (${count} event${count === 1 ? '' : 's'})`,
        { eventIds: ids },
      );
      deliver(error, { reason, count, eventIds: ids });
    }
    pending.clear();
  }

  return {
    /** Counts one dropped event; reports now if the last report is older than the interval. */
    drop(reason: AggregatedReason, eventId: string | undefined): void {
      let entry = pending.get(reason);
      if (entry === undefined) {
        entry = { count: 0, ids: [] };
        pending.set(reason, entry);
      }
      entry.count++;
      if (eventId !== undefined && entry.ids.length < MAX_IDS) entry.ids.push(eventId);
      if (now() - lastEmitAt >= intervalMs) emit();
    },
    /** Reports a batch-level failure now; `dropped` when the batch's events are given up on. */
    fail(error: MbuzzError, dropped?: { reason: 'rejected' | 'failed'; eventIds: string[] }): void {
      deliver(
        error,
        dropped && {
          reason: dropped.reason,
          count: dropped.eventIds.length,
          eventIds: dropped.eventIds.slice(0, MAX_IDS),
        },
      );
    },
    /** Reports whatever is still aggregated (on each interval tick, flush and close). */
    emit,
  };
}
