/**
 * `@mbuzz/core`: the framework-neutral mbuzz SDK. Runs unchanged on Node and on Edge runtimes: this entry
 * imports no `node:` module (Node's connection reuse lives in `@mbuzz/core/node`).
 *
 * @example
 * ```ts
 * import { createClient } from '@mbuzz/core';
 * const mbuzz = createClient(); // MBUZZ_API_KEY, MBUZZ_API_URL from the environment
 * const tracking = mbuzz.begin(view);      // per request
 * tracking.cookies(status);                 // → Set-Cookie headers, before the response is sent
 * tracking.end(status);                     // once the response is finished
 * ```
 */
export { createAdapterReporter } from './client/create-adapter-reporter.js';
export { createClient } from './client/create-client.js';
export { createMbuzzError, isMbuzzError, type MbuzzErrorDetails } from './errors.js';
export {
  buildCustomEvent,
  type CustomEventInput,
  PAGE_VIEW_EVENT,
} from './events/build-event.js';
export {
  ATTRIBUTION_KEYS,
  type Attribution,
  CLICK_ID_KEYS,
  readAttribution,
  UTM_KEYS,
} from './events/read-attribution.js';
export {
  SESSION_COOKIE,
  SESSION_MAX_AGE_SECONDS,
  VISITOR_COOKIE,
  VISITOR_MAX_AGE_SECONDS,
} from './identity/cookie-names.js';
export { isSessionId, isVisitorId } from './identity/random-hex.js';
export {
  DEFAULT_API_URL,
  DEFAULT_SKIP_EXTENSIONS,
  DEFAULT_SKIP_PATHS,
} from './options/defaults.js';
export {
  API_KEY_PATTERN,
  type MbuzzOptions,
  type ResolvedConfig,
  resolveOptions,
} from './options/resolve-options.js';
export type { DropInfo, DropReason } from './queue/batch-queue.js';
export { createPathSkipper } from './rules/create-path-skipper.js';
export { isBotUserAgent } from './rules/is-bot-user-agent.js';
export { isDocumentNavigation, isPrefetch } from './rules/is-document-navigation.js';
export { isPageViewRequest, isPageViewStatus, isRedirectStatus } from './rules/is-page-view-request.js';
export type * from './types.js';
