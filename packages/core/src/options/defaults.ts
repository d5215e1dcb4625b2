/** Defaults of every option, in one place so the README table and the code cannot drift apart. */

/** The ingest service's own default address (`apps/ingest` listens on 127.0.0.1:3000). */
export const DEFAULT_API_URL = 'http://localhost:3000/api/v1';
export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_FLUSH_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_QUEUE_SIZE = 10_000;
/** 10 MiB. */
export const DEFAULT_MAX_QUEUE_BYTES = 10 * 1024 * 1024;
/** Below the server's 1 MiB body limit, leaving room for the `{"events":[…]}` envelope. */
export const DEFAULT_MAX_BATCH_BYTES = 1_000_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 5;

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
