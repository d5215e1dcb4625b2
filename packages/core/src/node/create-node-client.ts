import { createClientWith } from '../client/create-client.js';
import type { MbuzzOptions } from '../options/mbuzz-options.js';
import { createNodePost } from '../transport/node-dispatcher.js';
import type { MbuzzClient } from '../types.js';

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
