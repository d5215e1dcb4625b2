/**
 * Splits an absolute URL with string scans instead of `new URL()`: this runs on every request, and
 * core only needs four pieces. Input comes from adapters (the URL the visitor saw) or from a Referer
 * header (anything at all), so nothing here throws.
 */
export interface UrlParts {
  /** `https`, `http`… lower case; `''` for a relative URL. */
  scheme: string;
  /** `host[:port]` as written; `''` for a relative URL. */
  host: string;
  /** Path without query or fragment; `/` when empty. */
  path: string;
  /** Query without the `?`; `''` when none. */
  query: string;
}

export function splitUrl(url: string): UrlParts {
  let rest = url;
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);

  let scheme = '';
  let host = '';
  const schemeEnd = rest.indexOf('://');
  // `/x?u=http://y` is relative: a scheme is a short run of scheme characters at the very start.
  if (schemeEnd > 0 && schemeEnd < 12 && isScheme(rest, schemeEnd)) {
    scheme = rest.slice(0, schemeEnd).toLowerCase();
    const hostStart = schemeEnd + 3;
    let hostEnd = hostStart;
    while (hostEnd < rest.length) {
      const c = rest.charCodeAt(hostEnd);
      if (c === 47 /* / */ || c === 63 /* ? */) break;
      hostEnd++;
    }
    host = rest.slice(hostStart, hostEnd);
    const at = host.lastIndexOf('@');
    if (at !== -1) host = host.slice(at + 1);
    rest = rest.slice(hostEnd);
  }

  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  return { scheme, host, path: path === '' ? '/' : path, query: q === -1 ? '' : rest.slice(q + 1) };
}

/**
 * The part of a host that decides "same site" for session rotation (API.md): lower case, without the
 * port and without a leading `www.`.
 */
export function siteKey(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon !== -1) h = h.slice(0, colon);
  if (h.startsWith('www.')) h = h.slice(4);
  return h;
}

function isScheme(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20; // ASCII lower case
    const letter = c >= 97 && c <= 122;
    const other = i > 0 && ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46); // digit + - .
    if (!letter && !other) return false;
  }
  return true;
}
