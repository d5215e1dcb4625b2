export const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;
export const CLICK_ID_KEYS = [
  'gclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'fbclid',
  'ttclid',
  'li_fat_id',
  'twclid',
  'dclid',
] as const;

/** The traffic source of one event, as stored in a session's first touch. */
export interface Touch {
  utm: Record<string, string>;
  clickIds: Record<string, string>;
  url: string | null;
  referrer: string | null;
}

const nonBlank = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Reads UTM values and click ids from an event's properties: an explicit `properties.utm_*` (or click id)
 * wins; otherwise it comes from the query string of `properties.url` (URL-decoded, `+` as space, blank
 * values dropped, case kept).
 *
 * @example
 * extractTouch({ url: 'https://a.com/?utm_source=google&gclid=x', utm_source: 'news' })
 * // → { utm: { utm_source: 'news' }, clickIds: { gclid: 'x' }, url: 'https://a.com/?…', referrer: null }
 */
export function extractTouch(properties: Record<string, unknown>): Touch {
  const url = nonBlank(properties.url) ? properties.url : null;
  const referrer = nonBlank(properties.referrer) ? properties.referrer : null;
  const query = url?.includes('?') ? parseQuery(url) : undefined;
  return {
    utm: pick(UTM_KEYS, properties, query),
    clickIds: pick(CLICK_ID_KEYS, properties, query),
    url,
    referrer,
  };
}

function pick(
  keys: readonly string[],
  properties: Record<string, unknown>,
  query: Map<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const explicit = properties[key];
    if (nonBlank(explicit)) out[key] = explicit;
    else {
      const fromUrl = query?.get(key);
      if (fromUrl !== undefined) out[key] = fromUrl;
    }
  }
  return out;
}

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
