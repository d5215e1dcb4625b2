import type { DropInfo } from '../queue/batch-queue.js';
import type { Logger, MbuzzError, Transport } from '../types.js';

/**
 * Options of `createClient`. Every field is optional; units are in the names.
 *
 * @example
 * ```ts
 * const mbuzz = createClient({ apiKey: process.env.MBUZZ_API_KEY, skipPaths: ['/admin'] });
 * ```
 */
export interface MbuzzOptions {
  /**
   * API key, `sk_test_…` or `sk_live_…` followed by 32 lowercase hex characters.
   * Default: the `MBUZZ_API_KEY` environment variable. Missing or malformed: one warning, and the client
   * becomes a no-op. Not needed when `transport` is given.
   */
  apiKey?: string;
  /** Base URL of the ingest API, including `/api/v1`. Default: `MBUZZ_API_URL`, else `http://localhost:3000/api/v1`. */
  apiUrl?: string;
  /** `false` turns every call into a cheap no-op (no warning). Default `true`. */
  enabled?: boolean;
  /** Events per request; a full batch is sent at once. Default `50` (the server takes at most 500). */
  batchSize?: number;
  /** Longest time an event waits in the queue before it is sent, in milliseconds. Default `30000`. */
  flushIntervalMs?: number;
  /** Most events held in memory; past it the oldest are dropped (and counted). Default `10000`. */
  maxQueueSize?: number;
  /** Most bytes (serialized JSON) held in memory; past it the oldest are dropped. Default `10485760` (10 MiB). */
  maxQueueBytes?: number;
  /** Time limit of one HTTP request to the ingest API, in milliseconds. Default `10000`. */
  requestTimeoutMs?: number;
  /** Retries of a batch after a network error, 408, 429 or 5xx (exponential backoff, full jitter). Default `5`. */
  maxRetries?: number;
  /**
   * Paths never tracked, added to the defaults (`/health`, `/healthz`, `/up`, `/ping`, `/favicon.ico`,
   * `/robots.txt`, `/sitemap.xml`, `/.well-known`, `/_next`, `/cdn-cgi`…). Matched by whole segments:
   * `/up` skips `/up` and `/up/db`, not `/upload`.
   */
  skipPaths?: string[];
  /** File extensions never tracked (without the dot), added to the defaults (`css`, `js`, `png`, `json`, `pdf`…). */
  skipExtensions?: string[];
  /** Called with every failure (network, rejected events, drops, bad input). A throwing hook is contained. */
  onError?: (error: MbuzzError) => void;
  /** Called when events are given up (queue full, closed, retries exhausted). A throwing hook is contained. */
  onDrop?: (info: DropInfo) => void;
  /** Where warnings and errors are written (messages start with `[mbuzz]`). Default: the console. */
  logger?: Logger;
  /** Delivers batches instead of the HTTP transport (tests: `createMemoryTransport()`). No API key needed then. */
  transport?: Transport;
  /** `fetch` used by the HTTP transport. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

/** Options after defaults and validation, frozen. Internal to core and its tests. */
export interface ResolvedConfig {
  /** False when disabled or misconfigured. */
  readonly enabled: boolean;
  /** Why the client is a no-op, when it is one because of a configuration problem. */
  readonly disabledReason: string | undefined;
  /** Problems that did not disable the client (an invalid number replaced by its default…). */
  readonly warnings: readonly string[];
  readonly apiKey: string | undefined;
  readonly apiUrl: string;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly skipPaths: readonly string[];
  readonly skipExtensions: readonly string[];
  readonly onError: ((error: MbuzzError) => void) | undefined;
  readonly onDrop: ((info: DropInfo) => void) | undefined;
  readonly logger: Logger;
  readonly transport: Transport | undefined;
  readonly fetch: typeof globalThis.fetch | undefined;
}
