/**
 * The cookies one browser profile holds for one origin: enough of RFC 6265 for a localhost test
 * (name/value, deletion by `Max-Age=0` or a past `Expires`). Path and domain are always `/` and the
 * app's host here.
 */
export interface CookieJar {
  /** Stores the cookies of one response's `Set-Cookie` headers. */
  store(setCookieHeaders: string[]): void;
  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined;
  get(name: string): string | undefined;
}

/**
 * @example
 * const jar = createCookieJar();
 * jar.store(response.headers.getSetCookie());
 * fetch(url, { headers: { cookie: jar.header() ?? '' } });
 */
export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    store(headers) {
      for (const header of headers) {
        const [pair = '', ...attributes] = header.split(';');
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attributes.some((attribute) => {
          const [key = '', raw = ''] = attribute.split('=').map((part) => part.trim());
          if (key.toLowerCase() === 'max-age') return Number(raw) <= 0;
          if (key.toLowerCase() === 'expires') return Date.parse(raw) <= Date.now();
          return false;
        });
        if (expired) cookies.delete(name);
        else cookies.set(name, value);
      }
    },
    header() {
      if (cookies.size === 0) return undefined;
      return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    },
    get: (name) => cookies.get(name),
  };
}
