import { CLICK_ID_KEYS, UTM_KEYS } from '@mbuzz/core';
import { type Classification, classifyTouch } from '../attribution/classify-touch.js';

// One list of UTM and click-id names for the SDK and the server: @mbuzz/core's.
export { CLICK_ID_KEYS, UTM_KEYS };

/** Which property holds an event's landing URL: `landing_url` after a redirect, else `url`. */
export type LandingField = 'landing_url' | 'url';

/** The traffic source of one event, as stored in a session's first touch. */
export interface Touch extends Classification {
  utm: Record<string, string>;
  clickIds: Record<string, string>;
  /** The landing URL: `properties.landing_url` when present (the SDK sends it after a redirect), else `url`. */
  url: string | null;
  /** The property `url` was read from (so the write sends a flag instead of the URL again). */
  urlField: LandingField | null;
  referrer: string | null;
}

export interface ExtractedTouch {
  touch: Touch;
  /**
   * UTM values found in `properties.url` and not given explicitly: they are stored in the event's
   * properties too. `undefined` when there are none (the common case: the SDK sends them explicitly).
   */
  utmFromUrl: Record<string, string> | undefined;
}

const nonBlank = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Reads an event's traffic source from its properties and classifies it (channel, source, referrer
 * domain, landing path).
 *
 * - The landing URL is `properties.landing_url` when present, else `properties.url`; its query string
 *   supplies the UTM values and click ids (URL-decoded, `+` as space, blank values dropped, case kept).
 * - An explicit `properties.utm_*` (or click id) wins, per key.
 * - UTM values of `properties.url` that were not given explicitly are returned in `utmFromUrl`, to be
 *   stored in the event's properties as the wire contract says.
 *
 * @example
 * extractTouch({ url: 'https://a.com/?utm_source=google&gclid=x', utm_source: 'news' }).touch
 * // → { utm: { utm_source: 'news' }, clickIds: { gclid: 'x' }, url: 'https://a.com/?…', channel: 'Unassigned', … }
 */
export function extractTouch(properties: Record<string, unknown>): ExtractedTouch {
  const pageUrl = nonBlank(properties.url) ? properties.url : null;
  const landingUrl = nonBlank(properties.landing_url) ? properties.landing_url : null;
  const url = landingUrl ?? pageUrl;
  const referrer = nonBlank(properties.referrer) ? properties.referrer : null;
  const query = url?.includes('?') ? parseQuery(url) : undefined;
  // The landing URL's values, then the explicit ones over them (a blank explicit value keeps the URL's).
  // One pass over the few properties an event has, not a lookup of every UTM and click-id name.
  const utm: Record<string, string> = {};
  const clickIds: Record<string, string> = {};
  if (query !== undefined) for (const [key, value] of query) (UTM.has(key) ? utm : clickIds)[key] = value;
  for (const key in properties) {
    if (!WANTED.has(key)) continue;
    const explicit = properties[key];
    if (nonBlank(explicit)) (UTM.has(key) ? utm : clickIds)[key] = explicit;
  }

  let utmFromUrl: Record<string, string> | undefined;
  const pageQuery = landingUrl === null ? query : pageUrl?.includes('?') ? parseQuery(pageUrl) : undefined;
  if (pageQuery !== undefined) {
    for (const key of UTM_KEYS) {
      const value = pageQuery.get(key);
      if (value !== undefined && !nonBlank(properties[key])) {
        utmFromUrl ??= {};
        utmFromUrl[key] = value;
      }
    }
  }

  return {
    touch: {
      utm,
      clickIds,
      url,
      urlField: landingUrl !== null ? 'landing_url' : pageUrl !== null ? 'url' : null,
      referrer,
      ...classifyTouch({ utm, clickIds, referrer, landingUrl: url }),
    },
    utmFromUrl,
  };
}

const UTM = new Set<string>(UTM_KEYS);
const WANTED = new Set<string>([...UTM_KEYS, ...CLICK_ID_KEYS]);

/** The first usable value of each wanted parameter, in one pass over the query string. */
function parseQuery(url: string): Map<string, string> {
  const start = url.indexOf('?');
  const hash = url.indexOf('#', start);
  const found = new Map<string, string>();
  // URLSearchParams decodes percent escapes and `+` as space, and never throws on malformed input.
  const params = new URLSearchParams(hash === -1 ? url.slice(start + 1) : url.slice(start + 1, hash));
  for (const [key, value] of params) {
    // A decoded `%00` is dropped: Postgres text cannot hold NUL.
    if (WANTED.has(key) && !found.has(key) && nonBlank(value) && !value.includes('\u0000'))
      found.set(key, value);
  }
  return found;
}
