/**
 * Builds the "never track this path" test from `skipPaths` and `skipExtensions`.
 * Paths match by whole segments (`/up` skips `/up` and `/up/db`, never `/upload`); extensions match the
 * last segment, case-insensitively (`/a/logo.PNG`).
 *
 * @example
 * ```ts
 * const skip = createPathSkipper({ skipPaths: ['/up'], skipExtensions: ['css'] });
 * skip('/up/db'); // true
 * skip('/upload'); // false
 * skip('/app.css'); // true
 * ```
 */
export function createPathSkipper(rules: {
  skipPaths: readonly string[];
  skipExtensions: readonly string[];
}): (path: string) => boolean {
  const prefixes = rules.skipPaths.map((p) => p.replace(/\/+$/, '')).filter((p) => p !== '');
  const extensions = new Set(rules.skipExtensions.map((e) => e.replace(/^\.+/, '').toLowerCase()));
  return (path) => {
    for (const prefix of prefixes) {
      if (
        path.startsWith(prefix) &&
        (path.length === prefix.length || path.charCodeAt(prefix.length) === 47)
      ) {
        return true;
      }
    }
    const slash = path.lastIndexOf('/');
    const dot = path.lastIndexOf('.');
    if (dot <= slash + 1) return false; // no extension, or a dot file such as `/.env`
    return extensions.has(path.slice(dot + 1).toLowerCase());
  };
}
