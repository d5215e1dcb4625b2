/**
 * Every default of the SDK, in one place: the options of `createClient`, of the adapters, and of the
 * pieces under them (batch queue, HTTP transport, retries). Nothing else writes a fallback value; the
 * options table of core's README lists the same numbers.
 */

/** The ingest service's own default address (`apps/ingest` listens on 127.0.0.1:3000). */
export const DEFAULT_API_URL = 'http://localhost:3000/api/v1';
export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_FLUSH_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_QUEUE_SIZE = 10_000;
/** 10 MiB. */
export const DEFAULT_MAX_QUEUE_BYTES = 10 * 1024 * 1024;
/** Largest request body, envelope included: below the server's 1 MiB body limit (1,048,576 bytes). */
export const DEFAULT_MAX_BATCH_BYTES = 1_000_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 5;
/** Per-event drops (queue full, after close) are reported at most this often. */
export const DEFAULT_DROP_REPORT_INTERVAL_MS = 10_000;
/** How long `close()` waits for the queue when given no `timeoutMs`; the adapters' `shutdownTimeoutMs`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

/** Transport retries: attempt n waits a random time below min(max, base·2^n) (`retry/backoff.ts`). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
/** A longer `Retry-After` is capped to this. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** After failed deliveries the queue skips flush ticks, doubling each time, up to about this long. */
export const DEFAULT_MAX_QUEUE_PAUSE_MS = 300_000;

/** `@mbuzz/core/node`'s keep-alive agent: how long an idle connection waits for the next batch. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** …and its most connections per origin (the queue sends one batch at a time). */
export const DEFAULT_CONNECTIONS = 4;

/**
 * Paths never tracked (matched by whole segments: `/up` skips `/up` and `/up/db`, never `/upload`).
 * Health checks, crawler files and framework internals.
 */
export const DEFAULT_SKIP_PATHS: readonly string[] = Object.freeze([
  '/health',
  '/healthz',
  '/up',
  '/ping',
  '/favicon.ico',
  '/robots.txt',
  '/sitemap.xml',
  '/.well-known',
  '/_next',
  '/__nextjs_original-stack-frame',
  '/cdn-cgi',
]);

/** File extensions never tracked (lower case, without the dot). */
export const DEFAULT_SKIP_EXTENSIONS: readonly string[] = Object.freeze([
  'css',
  'js',
  'mjs',
  'map',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'ico',
  'webp',
  'avif',
  'bmp',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'txt',
  'xml',
  'json',
  'webmanifest',
  'pdf',
  'zip',
  'gz',
  'mp3',
  'mp4',
  'webm',
  'ogg',
  'wav',
  'mov',
  'wasm',
]);
