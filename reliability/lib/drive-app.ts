import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { CHROME_UA } from '../../e2e/harness/browser-like-client.js';

/** What a browser sends for a top-level navigation (Chrome), so the adapter counts a page view. */
const NAVIGATION_HEADERS = {
  'user-agent': CHROME_UA,
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-site': 'none',
  'sec-fetch-user': '?1',
};

export interface AppTraffic {
  /** Page views requested, each with a unique `rid` marker in its URL. */
  markers: string[];
  /** Markers whose request was answered 200 (its page view is the app's to deliver). */
  answered: string[];
  statuses: Record<string, number>;
  /** Latency of every answered request, ms. */
  latenciesMs: number[];
  /** Requests due while `maxInFlight` were already waiting (the app fell behind). */
  skipped: number;
}

export interface AppDriver {
  /**
   * Navigations to `/pricing?rid=<tag>-<n>` at `perSecond` for `durationMs` (open loop).
   * Every request gets a fresh visitor (no cookies), so each is exactly one page view.
   */
  run(options: {
    durationMs: number;
    perSecond: number;
    tag: string;
    maxInFlight?: number;
  }): Promise<AppTraffic>;
  /** Exactly `count` navigations, `concurrency` at a time. */
  burst(options: { count: number; concurrency: number; tag: string }): Promise<AppTraffic>;
  close(): Promise<void>;
}

/**
 * Drives an example app like many first-time visitors opening a page, over keep-alive connections.
 *
 * @example
 * const driver = createAppDriver(app.origin);
 * const traffic = await driver.run({ durationMs: 10_000, perSecond: 100, tag: 'up' });
 */
export function createAppDriver(origin: string): AppDriver {
  const pool = new Pool(origin, { connections: 16, keepAliveTimeout: 10_000 });
  const navigate = async (marker: string, traffic: AppTraffic): Promise<void> => {
    const started = performance.now();
    let status: number | string;
    try {
      const response = await pool.request({
        method: 'GET',
        path: `/pricing?rid=${marker}`,
        headers: NAVIGATION_HEADERS,
      });
      await response.body.dump();
      status = response.statusCode;
      traffic.latenciesMs.push(performance.now() - started);
      if (status === 200) traffic.answered.push(marker);
    } catch (error) {
      status = (error as { code?: string }).code ?? 'network';
    }
    traffic.statuses[String(status)] = (traffic.statuses[String(status)] ?? 0) + 1;
  };
  const empty = (): AppTraffic => ({ markers: [], answered: [], statuses: {}, latenciesMs: [], skipped: 0 });

  return {
    async run({ durationMs, perSecond, tag, maxInFlight = 64 }) {
      const traffic = empty();
      const intervalMs = 1000 / perSecond;
      const started = performance.now();
      const inFlight = new Set<Promise<void>>();
      let due = 0;
      while (performance.now() - started < durationMs) {
        const shouldHaveStarted = Math.floor((performance.now() - started) / intervalMs) + 1;
        while (due < shouldHaveStarted) {
          due++;
          if (inFlight.size >= maxInFlight) {
            traffic.skipped++;
            continue;
          }
          const marker = `${tag}-${traffic.markers.length}`;
          traffic.markers.push(marker);
          const request = navigate(marker, traffic).finally(() => inFlight.delete(request));
          inFlight.add(request);
        }
        await sleep(Math.max(1, Math.min(intervalMs, 10)));
      }
      await Promise.all(inFlight);
      return traffic;
    },
    async burst({ count, concurrency, tag }) {
      const traffic = empty();
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const marker = `${tag}-${next++}`;
          traffic.markers.push(marker);
          await navigate(marker, traffic);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return traffic;
    },
    async close() {
      await pool.close().catch(() => pool.destroy());
    },
  };
}
