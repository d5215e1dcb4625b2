import type { CloseResult, Logger, MbuzzError, Transport, WireEvent } from '../types.js';
import type { DropInfo } from './drop-reporter.js';

/** Every default is `createClient`'s, from `options/defaults.ts` (`DEFAULT_BATCH_SIZE`, …). */
export interface BatchQueueOptions {
  transport: Transport;
  /** Events per request; reaching it starts a flush (the server takes at most 500). */
  batchSize?: number;
  /** A flush runs this often while events wait. */
  flushIntervalMs?: number;
  /** Most events kept; beyond it the oldest are dropped. */
  maxQueueSize?: number;
  /** Most bytes of serialized events kept; beyond it the oldest are dropped. */
  maxQueueBytes?: number;
  /** Largest request body, envelope included (the server takes at most 1 MiB). */
  maxBatchBytes?: number;
  /** Called when events are given up on (aggregated: at most once per `dropReportIntervalMs`). */
  onDrop?: (info: DropInfo) => void;
  /** Called for every failure reported (drops, failed deliveries). A throw is contained. */
  onError?: (error: MbuzzError) => void;
  logger?: Logger;
  /** Per-event drops (queue full, after close) are reported at most this often. */
  dropReportIntervalMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface BatchQueueStats {
  /** Events waiting in the queue (not counting the batch in flight). */
  queued: number;
  queuedBytes: number;
  /** Events the server accepted (duplicates included: for the sender a duplicate is a success). */
  sent: number;
  /** Events given up on: queue full, too large, rejected, refused, queued after close. */
  dropped: number;
  /** Events in the request in flight. */
  inFlight: number;
}

export interface BatchQueue {
  /** Queues one event. Cheap, synchronous, never throws. */
  enqueue(event: WireEvent): void;
  /**
   * Queues one event already serialized (`JSON.stringify` of a wire event, or the same text written
   * directly), with its `event_id`. Same rules as `enqueue`; never throws.
   */
  enqueueJson(json: string, id: string): void;
  /** Resolves when everything queued before the call has been answered or given up on. Never rejects. */
  flush(): Promise<void>;
  /** Flushes, stops the timer, aborts what is still in flight at the deadline (`DEFAULT_SHUTDOWN_TIMEOUT_MS`). */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
  stats(): BatchQueueStats;
}
