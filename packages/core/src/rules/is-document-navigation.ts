import type { RequestView } from '../types.js';
import { readHeader } from './read-header.js';

/**
 * Whether a request is the browser loading a page (not a fetch, XHR, frame, asset or prefetch).
 * GET only: HEAD and form posts are not page views.
 *
 * With Sec-Fetch metadata (every current browser sends it) the answer is exact:
 * `Sec-Fetch-Mode: navigate` and `Sec-Fetch-Dest: document` (an iframe is `iframe`, not a page view).
 * Without it, an `Accept` that includes `text/html` and none of the headers that fetch-based page
 * updates add (Turbo frames, htmx, Unpoly, React Server Components, jQuery's XHR marker).
 *
 * @example
 * ```ts
 * isDocumentNavigation({ method: 'GET', url: 'https://a.example/', headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } }); // true
 * ```
 */
export function isDocumentNavigation(view: RequestView): boolean {
  if (view.method !== 'GET' && view.method?.toUpperCase() !== 'GET') return false;
  const headers = view.headers;
  const mode = readHeader(headers, 'sec-fetch-mode');
  const dest = readHeader(headers, 'sec-fetch-dest');
  if (mode !== undefined || dest !== undefined) {
    if (!equalsLower(mode, 'navigate') || !equalsLower(dest, 'document')) return false;
    // A real navigation: page script cannot add headers to it, so the fetch markers below cannot occur.
    return !isPrefetch(view);
  }
  const accept = readHeader(headers, 'accept');
  if (accept === undefined || !accept.toLowerCase().includes('text/html')) return false;
  if (
    readHeader(headers, 'turbo-frame') !== undefined ||
    readHeader(headers, 'hx-request') !== undefined ||
    readHeader(headers, 'x-up-version') !== undefined ||
    readHeader(headers, 'rsc') !== undefined
  ) {
    return false;
  }
  const requestedWith = readHeader(headers, 'x-requested-with');
  if (requestedWith !== undefined && requestedWith.toLowerCase() === 'xmlhttprequest') return false;
  return !isPrefetch(view);
}

/**
 * Prefetches and prerenders: the visitor has not seen the page (yet), so they are never page views.
 * `Sec-Purpose: prefetch` (also `prefetch;prerender`), the legacy `Purpose`/`X-Purpose`/`X-Moz`, and
 * Next.js router prefetches.
 */
export function isPrefetch(view: RequestView): boolean {
  const headers = view.headers;
  if (readHeader(headers, 'next-router-prefetch') !== undefined) return true;
  const xPurpose = readHeader(headers, 'x-purpose');
  return (
    contains(readHeader(headers, 'sec-purpose'), 'prefetch') ||
    contains(readHeader(headers, 'purpose'), 'prefetch') ||
    contains(xPurpose, 'preview') ||
    contains(xPurpose, 'prefetch') ||
    contains(readHeader(headers, 'x-moz'), 'prefetch')
  );
}

function contains(value: string | undefined, needle: string): boolean {
  return value?.toLowerCase().includes(needle) === true;
}

/** Header values are case-insensitive tokens; browsers send them in lower case, so try that first. */
function equalsLower(value: string | undefined, expected: string): boolean {
  return value === expected || (value !== undefined && value.toLowerCase() === expected);
}
