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
  // Indexes into `url` rather than slices of slices: one string allocated per part returned.
  let end = url.indexOf('#');
  if (end === -1) end = url.length;
  let scheme = '';
  let host = '';
  let pathStart = 0;
  const schemeEnd = findHost(url, end);
  if (schemeEnd !== -1) {
    scheme = schemeOf(url, schemeEnd);
    host = url.slice(hostStart, hostEnd);
    pathStart = pathFrom;
  }
  const q = url.indexOf('?', pathStart);
  const hasQuery = q !== -1 && q < end;
  const pathEnd = hasQuery ? q : end;
  return {
    scheme,
    host,
    path: pathEnd === pathStart ? '/' : url.slice(pathStart, pathEnd),
    query: hasQuery ? url.slice(q + 1, end) : '',
  };
}

/** `splitUrl(url).host` without splitting the rest (a Referer is only asked for its host). */
export function urlHost(url: string): string {
  let end = url.indexOf('#');
  if (end === -1) end = url.length;
  return findHost(url, end) === -1 ? '' : url.slice(hostStart, hostEnd);
}

// Where findHost found the host (set by each call; read at once, so nothing is allocated for them).
let hostStart = 0;
let hostEnd = 0;
let pathFrom = 0;

/** End of the scheme of an absolute URL (before `://`), or -1 for a relative one; sets the host range. */
function findHost(url: string, end: number): number {
  const schemeEnd = url.indexOf('://');
  // `/x?u=http://y` is relative: a scheme is a short run of scheme characters at the very start.
  if (schemeEnd <= 0 || schemeEnd >= 12 || schemeEnd + 3 > end || !isScheme(url, schemeEnd)) return -1;
  const start = schemeEnd + 3;
  let stop = start;
  while (stop < end) {
    const c = url.charCodeAt(stop);
    if (c === 47 /* / */ || c === 63 /* ? */) break;
    stop++;
  }
  const at = stop > start ? url.lastIndexOf('@', stop - 1) : -1;
  hostStart = at >= start ? at + 1 : start;
  hostEnd = stop;
  pathFrom = stop;
  return schemeEnd;
}

function schemeOf(url: string, end: number): string {
  // The usual two without a slice or a case conversion.
  if (end === 5 && url.startsWith('https')) return 'https';
  if (end === 4 && url.startsWith('http')) return 'http';
  return url.slice(0, end).toLowerCase();
}

/**
 * The part of a host that decides "same site" for session rotation (docs/api.md): lower case, without the
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
