/**
 * `@mbuzz/core/testing`: helpers for testing adapters and apps that use mbuzz, without a server.
 *
 * @example
 * ```ts
 * import { createClient } from '@mbuzz/core';
 * import { createMemoryTransport, navigationView } from '@mbuzz/core/testing';
 *
 * const transport = createMemoryTransport();
 * const mbuzz = createClient({ transport });
 * const tracking = mbuzz.begin(navigationView('https://shop.example/?utm_source=x'));
 * tracking.end(200);
 * await mbuzz.flush();
 * transport.events; // [{ event_type: 'page_view', … }]
 * ```
 */
export {
  createMemoryTransport,
  type MemoryFailure,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './testing/create-memory-transport.js';
export {
  BROWSER_USER_AGENT,
  cookieJar,
  navigationView,
  subRequestView,
  type ViewInit,
} from './testing/request-views.js';
