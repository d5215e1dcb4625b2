import type { Logger, Transport } from '../types.js';
import { defaultLogger } from './default-logger.js';
import {
  DEFAULT_API_URL,
  DEFAULT_BATCH_SIZE,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SKIP_EXTENSIONS,
  DEFAULT_SKIP_PATHS,
} from './defaults.js';
import type { MbuzzOptions, ResolvedConfig } from './mbuzz-options.js';

export type { MbuzzOptions, ResolvedConfig } from './mbuzz-options.js';

/** `sk_test_` or `sk_live_` followed by 128 bits as lowercase hex (docs/api.md, Authentication). */
export const API_KEY_PATTERN = /^sk_(test|live)_[0-9a-f]{32}$/;

/**
 * Applies defaults (options, then `MBUZZ_API_KEY` / `MBUZZ_API_URL`, then built-in values) and validates
 * once. Never throws: problems are returned in `disabledReason` / `warnings` for the client to log once.
 *
 * @example
 * ```ts
 * const config = resolveOptions({ batchSize: 100 });
 * config.batchSize; // 100
 * ```
 */
export function resolveOptions(options: MbuzzOptions = {}): ResolvedConfig {
  const input: MbuzzOptions = options !== null && typeof options === 'object' ? options : {};
  const env = readEnv();
  const warnings: string[] = [];
  let disabledReason: string | undefined;

  const transport = isTransport(input.transport) ? input.transport : undefined;
  if (input.transport !== undefined && !transport) warnings.push('`transport` has no send() method; ignored');

  const rawKey = input.apiKey ?? env.MBUZZ_API_KEY;
  const apiKey = typeof rawKey === 'string' ? rawKey.trim() : undefined;
  if (!transport) {
    if (!apiKey) {
      disabledReason = 'no API key (set `apiKey` or MBUZZ_API_KEY); tracking is disabled';
    } else if (!API_KEY_PATTERN.test(apiKey)) {
      // Never echo the key: it may be a real secret with a typo.
      disabledReason =
        'the API key is malformed (expected sk_test_… or sk_live_… and 32 lowercase hex); tracking is disabled';
    }
  }

  const rawUrl = input.apiUrl ?? env.MBUZZ_API_URL ?? DEFAULT_API_URL;
  let apiUrl = DEFAULT_API_URL;
  if (isHttpUrl(rawUrl)) {
    apiUrl = rawUrl.trim().replace(/\/+$/, '');
  } else if (!transport) {
    disabledReason ??= `apiUrl ${JSON.stringify(String(rawUrl))} is not an http(s) URL; tracking is disabled`;
  }

  const fetchFn = typeof input.fetch === 'function' ? input.fetch : undefined;
  if (input.fetch !== undefined && !fetchFn) warnings.push('`fetch` is not a function; ignored');

  const enabled = input.enabled !== false && disabledReason === undefined;
  const config: ResolvedConfig = {
    enabled,
    disabledReason: input.enabled === false ? undefined : disabledReason,
    warnings,
    apiKey: transport ? apiKey : disabledReason ? undefined : apiKey,
    apiUrl,
    batchSize: positiveInteger(input.batchSize, DEFAULT_BATCH_SIZE, 'batchSize', warnings, 500),
    flushIntervalMs: positiveInteger(
      input.flushIntervalMs,
      DEFAULT_FLUSH_INTERVAL_MS,
      'flushIntervalMs',
      warnings,
    ),
    maxQueueSize: positiveInteger(input.maxQueueSize, DEFAULT_MAX_QUEUE_SIZE, 'maxQueueSize', warnings),
    maxQueueBytes: positiveInteger(input.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES, 'maxQueueBytes', warnings),
    maxBatchBytes: DEFAULT_MAX_BATCH_BYTES,
    requestTimeoutMs: positiveInteger(
      input.requestTimeoutMs,
      DEFAULT_REQUEST_TIMEOUT_MS,
      'requestTimeoutMs',
      warnings,
    ),
    maxRetries: nonNegativeInteger(input.maxRetries, DEFAULT_MAX_RETRIES, 'maxRetries', warnings),
    skipPaths: Object.freeze(
      mergeList(DEFAULT_SKIP_PATHS, input.skipPaths, normalizePath, 'skipPaths', warnings),
    ),
    skipExtensions: Object.freeze(
      mergeList(
        DEFAULT_SKIP_EXTENSIONS,
        input.skipExtensions,
        normalizeExtension,
        'skipExtensions',
        warnings,
      ),
    ),
    onError: typeof input.onError === 'function' ? input.onError : undefined,
    onDrop: typeof input.onDrop === 'function' ? input.onDrop : undefined,
    logger: isLogger(input.logger) ? input.logger : defaultLogger,
    transport,
    fetch: fetchFn,
  };
  // Frozen last: the field initializers above append to `warnings`.
  Object.freeze(warnings);
  return Object.freeze(config);
}

/** Edge runtimes have no `process`; some bundlers replace `process.env` with an empty object. */
function readEnv(): Record<string, string | undefined> {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env && typeof env === 'object' ? env : {};
  } catch {
    return {};
  }
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function positiveInteger(value: unknown, fallback: number, name: string, warnings: string[], max?: number) {
  if (value === undefined) return fallback;
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value > 0 &&
    (max === undefined || value <= max)
  ) {
    return value;
  }
  warnings.push(
    `${name} must be a positive integer${max ? ` up to ${max}` : ''}; using the default ${fallback}`,
  );
  return fallback;
}

function nonNegativeInteger(value: unknown, fallback: number, name: string, warnings: string[]) {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  warnings.push(`${name} must be an integer ≥ 0; using the default ${fallback}`);
  return fallback;
}

function mergeList(
  defaults: readonly string[],
  extra: unknown,
  normalize: (value: string) => string | undefined,
  name: string,
  warnings: string[],
): string[] {
  const merged = new Set(defaults);
  if (extra === undefined) return [...merged];
  if (!Array.isArray(extra)) {
    warnings.push(`${name} must be an array of strings; using the defaults`);
    return [...merged];
  }
  for (const item of extra) {
    const normalized = typeof item === 'string' ? normalize(item) : undefined;
    if (normalized === undefined) warnings.push(`${name}: ignored ${JSON.stringify(item)}`);
    else merged.add(normalized);
  }
  return [...merged];
}

function normalizePath(value: string): string | undefined {
  let path = value.trim();
  if (path === '' || path === '/') return undefined; // `/` would skip the whole site
  if (!path.startsWith('/')) path = `/${path}`;
  return path.replace(/\/+$/, '');
}

function normalizeExtension(value: string): string | undefined {
  const ext = value.trim().replace(/^\.+/, '').toLowerCase();
  return ext === '' ? undefined : ext;
}

function isTransport(value: unknown): value is Transport {
  return value !== null && typeof value === 'object' && typeof (value as Transport).send === 'function';
}

function isLogger(value: unknown): value is Logger {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Logger).warn === 'function' &&
    typeof (value as Logger).error === 'function'
  );
}
