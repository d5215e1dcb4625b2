import type { RequestView } from '../types.js';

/** A header from a RequestView (lower-case name); a repeated header is joined with `, ` as HTTP does. */
export function readHeader(headers: RequestView['headers'], name: string): string | undefined {
  // `in` first: V8 answers "absent" far faster than a property read that misses (most headers asked
  // for are absent: prefetch markers, fetch markers).
  if (!(name in headers)) return undefined;
  const value = headers[name];
  if (value === undefined || typeof value === 'string') return value;
  return Array.isArray(value) ? value.join(', ') : undefined;
}
