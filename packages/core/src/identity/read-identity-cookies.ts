import { parseCookie } from 'cookie';
import type { RequestView } from '../types.js';
import { SESSION_COOKIE, VISITOR_COOKIE } from './cookie-names.js';

/** Raw `_mbuzz_vid` / `_mbuzz_sid` values: the adapter's parsed cookies, else the `Cookie` header. */
export function readIdentityCookies(view: RequestView): { visitor?: string; session?: string } {
  const parsed = view.cookies;
  if (parsed !== undefined && parsed !== null && typeof parsed === 'object') {
    return { visitor: asString(parsed[VISITOR_COOKIE]), session: asString(parsed[SESSION_COOKIE]) };
  }
  const raw = view.headers.cookie;
  // HTTP/2 may split the Cookie header in several; they join with `; ` (not `, ` like other headers).
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  // Most requests of a site that never ran mbuzz: skip parsing entirely.
  if (typeof header !== 'string' || !header.includes('_mbuzz_')) return {};
  const cookies = parseCookie(header);
  return { visitor: cookies[VISITOR_COOKIE], session: cookies[SESSION_COOKIE] };
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
