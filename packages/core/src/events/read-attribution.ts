/** The five UTM parameters, in the order the server documents them. */
export const UTM_KEYS = Object.freeze([
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
] as const);

/** Ad-network click ids that mark a paid click (docs/api.md, properties). */
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

/**
 * Reads UTM parameters and click ids from a query string (what follows the URL's first `?`) exactly as
 * the server does (`URLSearchParams` semantics): one leading `?` skipped (a URL written `/p??utm_source=x`
 * leaves one, and the server reads `utm_source` there), URL-decoded, `+` as space, case kept, blank values
 * (and values holding NUL, which Postgres text cannot store) skipped, the first remaining occurrence wins.
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
  let start = query.charCodeAt(0) === 63 /* ? */ ? 1 : 0;
  const length = query.length;
  while (start < length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = length;
    let eq = query.indexOf('=', start);
    if (eq === -1 || eq > end) eq = end; // `key` alone: an empty value
    const key = attributionKeyAt(query, start, eq);
    if (key !== undefined && (found === undefined || !(key in found))) {
      const value = eq < end ? decodeComponent(query.slice(eq + 1, end)) : '';
      if (value.trim() !== '' && !value.includes('\u0000')) {
        found ??= {};
        found[key] = value;
      }
    }
    start = end + 1;
  }
  return found;
}

/** ATTRIBUTION_KEYS by length, to match a parameter name in place. */
const KEYS_BY_LENGTH: string[][] = [];
for (const key of ATTRIBUTION_KEYS) {
  const sameLength = KEYS_BY_LENGTH[key.length] ?? [];
  sameLength.push(key);
  KEYS_BY_LENGTH[key.length] = sameLength;
}

/**
 * The attribution key named by `query[start, end)` once decoded, or `undefined`. Compared in place:
 * most parameters of a query string are not ours, and slicing each name costs more than the test.
 */
function attributionKeyAt(query: string, start: number, end: number): string | undefined {
  const candidates = KEYS_BY_LENGTH[end - start];
  if (candidates !== undefined) {
    for (let i = 0; i < candidates.length; i++) {
      const key = candidates[i] as string;
      if (query.startsWith(key, start)) return key;
    }
  }
  // Only an escaped name (`utm%5Fsource`, `+`) can still decode to one of ours.
  for (let i = start; i < end; i++) {
    const c = query.charCodeAt(i);
    if (c === 37 /* % */ || c === 43 /* + */) {
      const name = decodeComponent(query.slice(start, end));
      return KEY_SET.has(name) ? name : undefined;
    }
  }
  return undefined;
}

/** Query-string decoding: `+` is a space; a malformed escape is decoded like URLSearchParams does. */
function decodeComponent(raw: string): string {
  const spaced = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Rare (broken links): URLSearchParams keeps stray `%` and replaces invalid UTF-8 with U+FFFD.
    return new URLSearchParams(`a=${raw.replaceAll('&', '%26')}`).get('a') ?? spaced;
  }
}
