import { get } from 'node:http';
import { type BenchChild, startBenchChild, stopBenchChild } from './bench-child.js';

/** Chrome's headers for a link click: every request is a real page view for every tracker. */
export const NAVIGATION_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  referer: 'http://127.0.0.1/',
};

export const PAGE_PATH = '/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch';

/**
 * The `Cookie` header of a returning visitor: the cookies the mbuzz adapter sets on a first visit.
 * Every benchmarked request replays them — a visitor inside a live session, the common case (a session
 * has several page views and only one first visit; a first visit also mints ids, which costs more).
 *
 * @example
 * const cookie = await returningVisitorCookie({ SINK_URL: sinkUrl, MBUZZ_API_KEY: key });
 */
export async function returningVisitorCookie(env: Record<string, string>): Promise<string> {
  const server: BenchChild = await startBenchChild('middleware/bench-server.ts', ['express', 'mbuzz'], env);
  try {
    // node:http, not fetch: fetch forces `Sec-Fetch-Mode: cors`, which is no navigation.
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      get(`http://127.0.0.1:${server.port}${PAGE_PATH}`, { headers: NAVIGATION_HEADERS }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers['set-cookie'] ?? []));
      }).on('error', reject);
    });
    const cookies = setCookie.map((header) => header.split(';')[0] ?? '');
    if (!cookies.some((cookie) => cookie.startsWith('_mbuzz_vid='))) {
      throw new Error(
        `the mbuzz adapter set no visitor cookie on a navigation (got ${JSON.stringify(cookies)})`,
      );
    }
    return cookies.join('; ');
  } finally {
    await stopBenchChild(server);
  }
}
