/**
 * `@mbuzz/core/node`: everything `@mbuzz/core` exports, with a `createClient` that reuses connections to
 * the ingest API through an undici keep-alive agent, and the pieces of a Node middleware adapter. Node
 * only; the Node adapters use this entry.
 *
 * @example
 * ```ts
 * import { createClient } from '@mbuzz/core/node';
 * const mbuzz = createClient({ apiKey: process.env.MBUZZ_API_KEY });
 * ```
 */
export * from './index.js';
export { closeOnSignals } from './node/close-on-signals.js';
export {
  createNodeAdapter,
  type NodeAdapter,
  type NodeAdapterOptions,
  type RequestContext,
} from './node/create-node-adapter.js';
// Shadows the main entry's createClient (an explicit export wins over `export *`).
export { createClient } from './node/create-node-client.js';
export { trackNodeResponse } from './node/track-node-response.js';
