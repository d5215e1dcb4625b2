import type { RequestView } from '../types.js';
import { splitUrl, type UrlParts } from '../url/split-url.js';
import { isBotUserAgent } from './is-bot-user-agent.js';
import { isDocumentNavigation } from './is-document-navigation.js';
import { readHeader } from './read-header.js';

/**
 * Whether a request is a candidate page view: a document navigation, not a prefetch, not a bot, and not
 * a skipped path. The response status decides the rest (`isPageViewStatus`).
 *
 * @example
 * ```ts
 * const skip = createPathSkipper(resolveOptions());
 * isPageViewRequest(view, skip);
 * ```
 */
export function isPageViewRequest(view: RequestView, isSkippedPath: (path: string) => boolean): boolean {
  return pageViewUrl(view, isSkippedPath) !== undefined;
}

/**
 * The one page-view decision (`isPageViewRequest` and the client's `begin()` both ask it): the request's
 * URL split into its parts when it is a candidate page view, else `undefined`. Cheapest checks first.
 */
export function pageViewUrl(
  view: RequestView,
  isSkippedPath: (path: string) => boolean,
): UrlParts | undefined {
  if (!isDocumentNavigation(view)) return undefined;
  const parts = splitUrl(view.url);
  if (isSkippedPath(parts.path) || isBotUserAgent(readHeader(view.headers, 'user-agent'))) return undefined;
  return parts;
}

/**
 * A page view is a successful answer, or 304: a reload revalidated against the browser cache (frameworks
 * answer 304 to `If-None-Match` by default) still shows the page. Other 3xx send the visitor elsewhere
 * (that page counts instead); 4xx/5xx are errors. An unknown status (`undefined`) counts as success.
 */
export function isPageViewStatus(status: number | undefined): boolean {
  return status === undefined || (status >= 200 && status < 300) || status === 304;
}

/** A redirect: the landing attribution must travel to the next page (see the session cookie state). */
export function isRedirectStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 300 && status < 400 && status !== 304;
}
