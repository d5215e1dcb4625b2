/** The five UTM parameters, in the order the server documents them. */
export const UTM_KEYS = Object.freeze([
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
] as const);

/** Ad-network click ids that mark a paid click (API.md, properties). */
export const CLICK_ID_KEYS = Object.freeze([
  'gclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'fbclid',
  'ttclid',
  'li_fat_id',
  'twclid',
  'dclid',
] as const);

/** UTM values and click ids found in a landing URL, keyed by parameter name. */
export type Attribution = Record<string, string>;

/** Fixed order: fingerprints and stored state must not depend on the order of a query string. */
export const ATTRIBUTION_KEYS: readonly string[] = Object.freeze([...UTM_KEYS, ...CLICK_ID_KEYS]);
const KEY_SET = new Set<string>(ATTRIBUTION_KEYS);

/** A value longer than this is cut: a query string is visitor input and ends up in a cookie. */
export const MAX_ATTRIBUTION_VALUE_LENGTH = 500;

/**
 * Reads UTM parameters and click ids from a query string (without `?`), the way the server does:
 * URL-decoded, `+` as space, blank values dropped, case kept, the first occurrence wins.
 * Returns `undefined` when there are none, so the common case allocates nothing.
 *
 * @example
 * ```ts
 * readAttribution('utm_source=google&utm_campaign=spring+sale&x=1');
 * // { utm_source: 'google', utm_campaign: 'spring sale' }
 * ```
 */
export function readAttribution(query: string): Attribution | undefined {
  let found: Attribution | undefined;
  let start = 0;
  const length = query.length;
  while (start < length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = length;
    const eq = query.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const key = decodeComponent(query.slice(start, eq));
      if (KEY_SET.has(key) && (found === undefined || !(key in found))) {
        const value = decodeComponent(query.slice(eq + 1, end)).trim();
        if (value !== '') {
          found ??= {};
          found[key] =
            value.length > MAX_ATTRIBUTION_VALUE_LENGTH
              ? value.slice(0, MAX_ATTRIBUTION_VALUE_LENGTH)
              : value;
        }
      }
    }
    start = end + 1;
  }
  return found;
}

/** `+` is a space in query strings; a malformed escape is kept as written rather than thrown. */
function decodeComponent(raw: string): string {
  const spaced = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
