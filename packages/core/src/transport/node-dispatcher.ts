import { Agent, fetch as undiciFetch } from 'undici';

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
  const dispatcher = new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connections: options.connections ?? 4,
  });
  return {
    fetch: undiciFetch as unknown as typeof globalThis.fetch,
    fetchInit: { dispatcher },
    dispatcher,
  };
}
