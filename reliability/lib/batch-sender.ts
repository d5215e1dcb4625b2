import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** What one POST answered: an HTTP status, or `network` when no answer came. */
export interface Outcome {
  status: number | 'network';
  /** The `code` of an error envelope, or the network error's code. */
  code: string | undefined;
  retryAfter: string | undefined;
  latencyMs: number;
  body: string;
  /** Response headers (empty without an answer). */
  headers: Record<string, string | string[] | undefined>;
}

export interface BatchSender {
  /** POST /api/v1/events with a JSON body (a string is sent as is). Never rejects. */
  post(apiKey: string | undefined, body: unknown, headers?: Record<string, string>): Promise<Outcome>;
  /** Any request on the same keep-alive pool (GET /api/v1/validate, raw bodies…). Never rejects. */
  request(options: {
    method: 'GET' | 'POST';
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }): Promise<Outcome>;
  close(): Promise<void>;
}

/**
 * A keep-alive HTTP client for the ingest API (undici Pool: no per-request connection cost, so the
 * load generator leaves the CPU to the service it measures).
 *
 * @example
 * const sender = createBatchSender(ingest.baseUrl, { connections: 8 });
 * const outcome = await sender.post(tenant.apiKey, { events });
 */
export function createBatchSender(baseUrl: string, options: { connections?: number } = {}): BatchSender {
  const pool = new Pool(baseUrl, {
    connections: options.connections ?? 8,
    keepAliveTimeout: 10_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });

  const request: BatchSender['request'] = async ({ method, path, headers, body }) => {
    const started = performance.now();
    try {
      const response = await pool.request({ method, path, headers, body });
      const text = await response.body.text();
      const latencyMs = performance.now() - started;
      const retryAfter = response.headers['retry-after'];
      return {
        status: response.statusCode,
        code: readCode(text),
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        latencyMs,
        body: text,
        headers: response.headers,
      };
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      return {
        status: 'network',
        code,
        retryAfter: undefined,
        latencyMs: performance.now() - started,
        body: (error as Error).message,
        headers: {},
      };
    }
  };

  return {
    request,
    post(apiKey, body, headers = {}) {
      return request({
        method: 'POST',
        path: '/api/v1/events',
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
          ...headers,
        },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
    },
    async close() {
      await pool.close().catch(() => pool.destroy());
    },
  };
}

function readCode(text: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Retryable by docs/api.md: nothing was stored, the same batch may be sent again. */
export const isRetryable = (outcome: Outcome): boolean =>
  outcome.status === 'network' ||
  outcome.status === 408 ||
  outcome.status === 429 ||
  (typeof outcome.status === 'number' && outcome.status >= 500);
