import type { RequestView } from '../types.js';
import { SESSION_COOKIE, VISITOR_COOKIE } from './cookie-names.js';

/** Raw `_mbuzz_vid` / `_mbuzz_sid` values: the adapter's parsed cookies, else the `Cookie` header. */
export function readIdentityCookies(view: RequestView): { visitor?: string; session?: string } {
  // `in` guards: reading a property that is absent is slow in V8 (see readHeader).
  const parsed = 'cookies' in view ? view.cookies : undefined;
  if (parsed !== undefined && parsed !== null && typeof parsed === 'object') {
    const visitor = asString(parsed[VISITOR_COOKIE]);
    const session = asString(parsed[SESSION_COOKIE]);
    // Neither found: the adapter's object may not be a plain record (or was parsed before a rewrite);
    // the header is the source of truth.
    if (visitor !== undefined || session !== undefined) return { visitor, session };
  }
  const raw = 'cookie' in view.headers ? view.headers.cookie : undefined;
  // HTTP/2 may split the Cookie header in several; they join with `; ` (not `, ` like other headers).
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  // Most requests of a site that never ran mbuzz: nothing to read.
  if (typeof header !== 'string' || !header.includes('_mbuzz_')) return {};
  return { visitor: readCookie(header, VISITOR_COOKIE), session: readCookie(header, SESSION_COOKIE) };
}

/**
 * One cookie's value from a Cookie header, without parsing the others (a site's header is often
 * kilobytes of analytics cookies; this runs on every page view). The first occurrence wins, as in the
 * `cookie` package; surrounding quotes are removed and %-escapes decoded.
 */
export function readCookie(header: string, name: string): string | undefined {
  let from = 0;
  while (from < header.length) {
    const at = header.indexOf(name, from);
    if (at === -1) return undefined;
    from = at + name.length;
    if (!startsPair(header, at)) continue;
    let eq = from;
    while (header.charCodeAt(eq) === 32 || header.charCodeAt(eq) === 9) eq++;
    if (header.charCodeAt(eq) !== 61 /* = */) continue;
    let end = header.indexOf(';', eq + 1);
    if (end === -1) end = header.length;
    let value = header.slice(eq + 1, end).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** The name starts a `name=value` pair: at the header start or after `;` and optional spaces. */
function startsPair(header: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (header.charCodeAt(i) === 32 || header.charCodeAt(i) === 9)) i--;
  return i < 0 || header.charCodeAt(i) === 59 /* ; */;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
