import { version } from '../../package.json';
import { createMbuzzError } from '../errors.js';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
} from '../options/defaults.js';
import { backoffDelayMs, parseRetryAfterMs } from '../retry/backoff.js';
import type { BatchAnswer, MbuzzError, SendResult, SerializedBatch, Transport, WireEvent } from '../types.js';
import { abortableSleep } from './abortable-sleep.js';
import { type Attempt, type HttpPost, postOnce } from './post-once.js';

export interface HttpTransportOptions {
  /** Base URL including `/api/v1`; batches go to `${apiUrl}/events`. */
  apiUrl: string;
  /** `sk_test_…` or `sk_live_…`, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Default: `globalThis.fetch`, looked up at each request (so test interceptors apply). */
  fetch?: typeof globalThis.fetch;
  /** Sends each attempt instead of `fetch` (`@mbuzz/core/node`: undici's `Dispatcher.request`). */
  post?: HttpPost;
  /** Per attempt, body read included. Default `DEFAULT_REQUEST_TIMEOUT_MS` (every default: `options/defaults.ts`). */
  requestTimeoutMs?: number;
  /** Retries after the first attempt (network errors, timeouts, 408, 429, 5xx). Default `DEFAULT_MAX_RETRIES`. */
  maxRetries?: number;
  /** Backoff base: attempt n waits a random time below min(maxDelayMs, baseDelayMs·2^n) (`backoffDelayMs`). */
  baseDelayMs?: number;
  /** Longest backoff wait. */
  maxDelayMs?: number;
  /** A longer `Retry-After` is capped to this. */
  maxRetryAfterMs?: number;
  /** Default `mbuzz-node/<version>`. */
  userAgent?: string;
  /** For tests: jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** For tests: the wait between attempts. Must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: clock used to read an HTTP-date `Retry-After`. Default `Date.now`. */
  now?: () => number;
}

/** The HTTP transport: `send` plus the pre-serialized fast path the batch queue uses. */
export interface HttpTransport extends Transport {
  sendSerialized(batch: SerializedBatch, signal?: AbortSignal): Promise<SendResult>;
}

/** `User-Agent` sent by default. */
export const DEFAULT_USER_AGENT = `mbuzz-node/${version}`;

/**
 * Delivers batches to `POST ${apiUrl}/events` (docs/api.md). Retries network errors, timeouts, 408, 429
 * and 5xx with exponential backoff and full jitter, honouring `Retry-After`; never retries 400, 401,
 * 415 or 422; splits a batch answered 413. The same `event_id`s are resent, so the server dedupes.
 * Never rejects.
 *
 * @example
 * const transport = createHttpTransport({ apiUrl: 'http://localhost:3000/api/v1', apiKey: 'sk_test_…' });
 * const result = await transport.send(events);
 * if (!result.ok && result.retryable) { … try again later … }
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const url = `${options.apiUrl.replace(/\/+$/, '')}/events`;
  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const post = {
    url,
    post: options.post,
    fetch: options.fetch,
    timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
    },
  };

  async function deliver(
    json: readonly string[],
    ids: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<SendResult> {
    const body = `{"events":[${json.join(',')}]}`;
    for (let attempt = 0; ; attempt++) {
      const answer = await postOnce(post, body, signal);
      if (answer.kind === 'aborted') return aborted(ids);
      let error: MbuzzError;
      let waitMs: number | undefined;
      if (answer.kind === 'response') {
        const { status } = answer;
        if (status >= 200 && status < 300) return { ok: true, answer: readAnswer(answer, json.length) };
        if (status === 422) {
          const parsed = parseAnswer(answer.text);
          if (parsed) return { ok: true, answer: parsed };
        }
        if (status === 413) return split(json, ids, signal);
        error = httpError(answer, ids);
        if (!(status === 408 || status === 429 || status >= 500)) {
          return { ok: false, retryable: false, error };
        }
        const retryAfter = parseRetryAfterMs(answer.retryAfter, now());
        if (retryAfter !== undefined) waitMs = Math.min(retryAfter, maxRetryAfterMs);
      } else {
        error =
          answer.kind === 'timeout'
            ? createMbuzzError('timeout', `no answer from ${url} within ${post.timeoutMs} ms`, {
                eventIds: [...ids],
              })
            : createMbuzzError('network', `could not reach ${url}: ${describe(answer.cause)}`, {
                eventIds: [...ids],
                cause: answer.cause,
              });
      }
      if (attempt >= maxRetries) return { ok: false, retryable: true, error };
      await sleep(waitMs ?? backoffDelayMs(attempt, baseDelayMs, maxDelayMs, random), signal);
      if (signal?.aborted) return aborted(ids);
    }
  }

  /** 413: the body is over the server's limit, so send each half on its own (recursively). */
  async function split(
    json: readonly string[],
    ids: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<SendResult> {
    if (json.length === 1) {
      const errors = ['body_too_large: this event alone exceeds the server body limit (413)'];
      return { ok: true, answer: { accepted: 0, duplicates: 0, rejected: [{ index: 0, errors }] } };
    }
    const mid = json.length >>> 1;
    const left = await deliver(json.slice(0, mid), ids.slice(0, mid), signal);
    // A failed half fails the batch: the queue retries it whole and the server dedupes what was stored.
    if (!left.ok) return left;
    const right = await deliver(json.slice(mid), ids.slice(mid), signal);
    if (!right.ok) return right;
    return {
      ok: true,
      answer: {
        accepted: left.answer.accepted + right.answer.accepted,
        duplicates: left.answer.duplicates + right.answer.duplicates,
        rejected: [
          ...left.answer.rejected,
          ...right.answer.rejected.map((r) => ({ index: r.index + mid, errors: r.errors })),
        ],
      },
    };
  }

  function aborted(ids: readonly string[]): SendResult {
    const error = createMbuzzError('aborted', 'delivery aborted', { eventIds: [...ids] });
    return { ok: false, retryable: true, error };
  }

  function sendSerialized(batch: SerializedBatch, signal?: AbortSignal): Promise<SendResult> {
    return deliver(batch.json, batch.ids, signal).catch((cause) => ({
      ok: false as const,
      retryable: true,
      error: createMbuzzError('internal', 'transport failed', { cause, eventIds: [...batch.ids] }),
    }));
  }

  return {
    sendSerialized,
    send(events: WireEvent[], signal?: AbortSignal): Promise<SendResult> {
      let json: string[];
      try {
        json = events.map((event) => JSON.stringify(event));
      } catch (cause) {
        const error = createMbuzzError('internal', 'events could not be serialized', { cause });
        return Promise.resolve({ ok: false, retryable: false, error });
      }
      return sendSerialized({ json, ids: events.map((event) => event?.event_id) }, signal);
    },
  };
}

function parseAnswer(text: string): BatchAnswer | undefined {
  try {
    const value = JSON.parse(text) as Partial<BatchAnswer> | null;
    if (!value || typeof value !== 'object' || !Array.isArray(value.rejected)) return undefined;
    const rejected: BatchAnswer['rejected'] = [];
    for (const entry of value.rejected as unknown[]) {
      const { index, errors } = (entry ?? {}) as { index?: unknown; errors?: unknown };
      if (typeof index !== 'number' || !Number.isInteger(index)) continue;
      rejected.push({ index, errors: Array.isArray(errors) ? errors.map(String) : [] });
    }
    return {
      accepted: Number(value.accepted) || 0,
      duplicates: Number(value.duplicates) || 0,
      rejected,
    };
  } catch {
    return undefined;
  }
}

/** A 2xx means every event is stored; a body we cannot read does not change that. */
function readAnswer(answer: Extract<Attempt, { kind: 'response' }>, count: number): BatchAnswer {
  return parseAnswer(answer.text) ?? { accepted: count, duplicates: 0, rejected: [] };
}

function httpError(answer: Extract<Attempt, { kind: 'response' }>, ids: readonly string[]) {
  let detail = '';
  try {
    const body = JSON.parse(answer.text) as { code?: unknown; error?: unknown };
    if (typeof body.code === 'string') detail = ` ${body.code}`;
    if (typeof body.error === 'string') detail += `: ${body.error}`;
  } catch {}
  // A 404 is almost always a wrong apiUrl (it must include /api/v1): say so.
  if (answer.status === 404) detail += ` (is apiUrl the base including /api/v1?)`;
  return createMbuzzError('http', `ingest answered ${answer.status}${detail}`, {
    status: answer.status,
    eventIds: [...ids],
  });
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}
