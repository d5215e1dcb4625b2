/** An answer, its body read in full. */
export interface HttpAnswer {
  kind: 'response';
  status: number;
  retryAfter: string | null;
  text: string;
}

/** The outcome of one HTTP attempt. */
export type Attempt =
  | HttpAnswer
  | { kind: 'network'; cause: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/**
 * One POST through the runtime's own HTTP client, answer body read in full; rejects on network
 * errors and when `signal` aborts (request or body read). `@mbuzz/core/node` passes undici's
 * `Dispatcher.request`, which skips the WHATWG layers of `fetch` (Request/Headers objects, body streams).
 */
export type HttpPost = (
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) => Promise<HttpAnswer>;

export interface PostTarget {
  url: string;
  /** When set, used instead of `fetch`. */
  post: HttpPost | undefined;
  fetch: typeof globalThis.fetch | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * One POST with its own timeout, also aborted by the caller's `signal`. The signals are combined by
 * hand rather than with `AbortSignal.any`: the queue's signal lives as long as the client, and
 * `AbortSignal.any` with a long-lived input leaks one dependant signal per call on Node
 * (nodejs/node#55351). Here the listener is removed when the attempt ends. Never rejects.
 */
export async function postOnce(
  target: PostTarget,
  body: string,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  if (signal?.aborted) return { kind: 'aborted' };
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, target.timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  try {
    if (target.post !== undefined) {
      return await target.post(target.url, target.headers, body, controller.signal);
    }
    return await fetchOnce(target, body, controller.signal);
  } catch (cause) {
    if (signal?.aborted) return { kind: 'aborted' };
    if (timedOut) return { kind: 'timeout' };
    return { kind: 'network', cause };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function fetchOnce(target: PostTarget, body: string, signal: AbortSignal): Promise<HttpAnswer> {
  const doFetch = target.fetch ?? globalThis.fetch;
  const response = await doFetch(target.url, { method: 'POST', headers: target.headers, body, signal });
  // Always read the body: it frees the connection for reuse, and the answer is in it.
  const text = await response.text();
  return { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after'), text };
}
