import type { CloseResult, Logger, MbuzzError, Transport, WireEvent } from '../types.js';
import type { DropInfo } from './drop-reporter.js';

export interface BatchQueueOptions {
  transport: Transport;
  /** Events per request; reaching it starts a flush. Default 50 (the server takes at most 500). */
  batchSize?: number;
  /** A flush runs this often while events wait. Default 30 000 ms. */
  flushIntervalMs?: number;
  /** Most events kept; beyond it the oldest are dropped. Default 10 000. */
  maxQueueSize?: number;
  /** Most bytes of serialized events kept; beyond it the oldest are dropped. Default 10 MiB. */
  maxQueueBytes?: number;
  /** Largest request body, envelope included. Default 900 KiB (the server takes at most 1 MiB). */
  maxBatchBytes?: number;
  /** Called when events are given up on (aggregated: at most once per `dropReportIntervalMs`). */
  onDrop?: (info: DropInfo) => void;
  /** Called for every failure reported (drops, failed deliveries). A throw is contained. */
  onError?: (error: MbuzzError) => void;
  logger?: Logger;
  /** Per-event drops (queue full, after close) are reported at most this often. Default 10 000 ms. */
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
  /** Flushes, stops the timer, aborts what is still in flight at the deadline (default 5000 ms). */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
  stats(): BatchQueueStats;
}
