import { Agent } from 'undici';
import { DEFAULT_CONNECTIONS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from '../options/defaults.js';
import type { HttpPost } from './post-once.js';

export interface NodePostOptions {
  /** How long an idle connection stays open for the next batch. Default `DEFAULT_KEEP_ALIVE_TIMEOUT_MS`. */
  keepAliveTimeoutMs?: number;
  /** Most connections per origin. Default `DEFAULT_CONNECTIONS` (the queue sends one batch at a time). */
  connections?: number;
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
export function createNodePost(options: NodePostOptions = {}): NodePost {
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

function keepAliveAgent(options: NodePostOptions): Agent {
  return new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    connections: options.connections ?? DEFAULT_CONNECTIONS,
  });
}
