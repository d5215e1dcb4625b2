import { Agent, fetch as undiciFetch } from 'undici';
import type { HttpPost } from './post-once.js';

export interface NodeFetchOptions {
  /** How long an idle connection stays open for the next batch. Default 30 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Most connections per origin. Default 4 (the queue sends one batch at a time). */
  connections?: number;
}

/** What `createHttpTransport` takes to reuse connections on Node. */
export interface NodeFetch {
  /** undici's own `fetch`, paired with the agent below (see the note on versions). */
  fetch: typeof globalThis.fetch;
  /** Pass as `createHttpTransport({ fetchInit })`: `{ dispatcher }`. */
  fetchInit: { dispatcher: Agent };
  /** The keep-alive agent; `close()` it to release sockets early (idle sockets never hold the process). */
  dispatcher: Agent;
}

/**
 * A keep-alive undici `Agent` and the `fetch` to use it with, for `@mbuzz/core/node`.
 *
 * Node 20's global fetch runs the undici bundled with Node (6.x); this package depends on undici 7.
 * Handing an undici 7 agent to the bundled fetch happens to work today but mixes two versions' internal
 * handler APIs, so the agent is paired with undici 7's own `fetch` instead. (msw intercepts only the
 * global fetch: tests of this path use a real local server.)
 *
 * @example
 * import { createNodeFetch } from '@mbuzz/core/node';
 * const transport = createHttpTransport({ apiUrl, apiKey, ...createNodeFetch() });
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const dispatcher = keepAliveAgent(options);
  return {
    fetch: undiciFetch as unknown as typeof globalThis.fetch,
    fetchInit: { dispatcher },
    dispatcher,
  };
}

/** What `@mbuzz/core/node` delivers batches with. */
export interface NodePost {
  /** One POST through `dispatcher.request`, answer read in full. */
  post: HttpPost;
  /** The keep-alive agent; `close()` it to release sockets early (idle sockets never hold the process). */
  dispatcher: Agent;
}

/**
 * A keep-alive undici `Agent` and a POST through its `request()`: the transport `@mbuzz/core/node`
 * uses when no `fetch` is given. Same attempts as with `fetch` (timeout, abort, status, `Retry-After`,
 * body read in full), without fetch's WHATWG layers — Request/Headers objects, webidl checks, body
 * streams — which cost a loaded server more than the rest of delivery.
 */
export function createNodePost(options: NodeFetchOptions = {}): NodePost {
  const dispatcher = keepAliveAgent(options);
  // One transport posts to one URL: split it once.
  let lastUrl = '';
  let origin = '';
  let path = '';
  const post: HttpPost = async (url, headers, body, signal) => {
    if (url !== lastUrl) {
      const parsed = new URL(url);
      origin = parsed.origin;
      path = `${parsed.pathname}${parsed.search}`;
      lastUrl = url;
    }
    const response = await dispatcher.request({ origin, path, method: 'POST', headers, body, signal });
    // Always read the body: it frees the connection for reuse, and the answer is in it.
    const text = await response.body.text();
    // A repeated header reads as fetch's `headers.get()` would: joined with `, `.
    const retryAfter = response.headers['retry-after'];
    return {
      kind: 'response',
      status: response.statusCode,
      retryAfter: (Array.isArray(retryAfter) ? retryAfter.join(', ') : retryAfter) ?? null,
      text,
    };
  };
  return { post, dispatcher };
}

function keepAliveAgent(options: NodeFetchOptions): Agent {
  return new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connections: options.connections ?? 4,
  });
}
