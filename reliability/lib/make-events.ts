import { randomUUID } from 'node:crypto';
import type { WireEvent } from '@mbuzz/core';

const PATHS = ['/', '/pricing', '/about', '/signup', '/welcome'];
const SOURCES = ['google', 'newsletter', 'twitter', 'partner'];

/**
 * A batch of valid page views spread over `visitors` visitors (two sessions each), as an SDK would
 * send them: fresh UUID event ids, timestamps now, UTM on the landing URL. Many visitors and sessions
 * so concurrent batches contend on rows as real traffic does.
 *
 * @example
 * const batch = makeEvents(50, { visitors: 5000 });
 */
export function makeEvents(count: number, options: { visitors?: number; tag?: string } = {}): WireEvent[] {
  const visitors = options.visitors ?? 5000;
  const now = new Date().toISOString();
  const events: WireEvent[] = [];
  for (let i = 0; i < count; i++) {
    const v = Math.floor(Math.random() * visitors);
    const path = PATHS[v % PATHS.length] as string;
    const source = SOURCES[v % SOURCES.length] as string;
    events.push({
      event_id: randomUUID(),
      event_type: 'page_view',
      visitor_id: `v${v}`,
      session_id: `s${v}-${Math.floor(Math.random() * 2)}`,
      timestamp: now,
      properties: {
        url: `https://shop.example${path}?utm_source=${source}&utm_medium=cpc&utm_campaign=reliability`,
        path,
        referrer: 'https://www.google.com/',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) reliability',
        ...(options.tag ? { tag: options.tag } : {}),
      },
    });
  }
  return events;
}
