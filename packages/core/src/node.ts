/**
 * `@mbuzz/core/node`: everything `@mbuzz/core` exports, with a `createClient` that reuses connections to
 * the ingest API through an undici keep-alive agent. Node only; the Node adapters use this entry.
 *
 * @example
 * ```ts
 * import { createClient } from '@mbuzz/core/node';
 * const mbuzz = createClient({ apiKey: process.env.MBUZZ_API_KEY });
 * ```
 */
import { createClientWith } from './client/create-client.js';
import type { MbuzzOptions } from './options/resolve-options.js';
import { createNodePost } from './transport/node-dispatcher.js';
import type { MbuzzClient } from './types.js';

export * from './index.js';
export { closeOnSignals } from './node/close-on-signals.js';
export { createAdapterReporter } from './node/create-adapter-reporter.js';
export {
  createNodeAdapter,
  type NodeAdapter,
  type NodeAdapterOptions,
  type RequestContext,
} from './node/create-node-adapter.js';
export { trackNodeResponse } from './node/track-node-response.js';
export { createNodeFetch, type NodeFetch, type NodeFetchOptions } from './transport/node-dispatcher.js';

/**
 * `createClient` of `@mbuzz/core` delivering through a keep-alive undici agent's `request()` (created
 * only when the client sends over HTTP and no `fetch` option is given; released by `close()`).
 *
 * @example
 * ```ts
 * const mbuzz = createClient({ apiKey: process.env.MBUZZ_API_KEY });
 * process.on('SIGTERM', () => mbuzz.close({ timeoutMs: 5000 }));
 * ```
 */
export function createClient(options?: MbuzzOptions): MbuzzClient {
  return createClientWith(options, {
    createPost() {
      const { post, dispatcher } = createNodePost();
      return { post, close: () => dispatcher.close() };
    },
  });
}
