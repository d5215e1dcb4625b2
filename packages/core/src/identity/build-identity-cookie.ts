import type { CookieToSet } from '../types.js';

/**
 * A first-party identity cookie: `HttpOnly; SameSite=Lax; Path=/`, and `Secure` on https (docs/api.md).
 * Values are ids and base64url/base36 state, so the header is written directly: nothing needs escaping.
 */
export function buildIdentityCookie(
  name: string,
  value: string,
  maxAgeSeconds: number,
  secure: boolean,
): CookieToSet {
  return {
    name,
    value,
    header: `${name}=${value}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    options: { maxAgeSeconds, httpOnly: true, sameSite: 'lax', secure, path: '/' },
  };
}
