import { randomUUID } from 'node:crypto';

/** What the peer middlewares know about a request: as much as the mbuzz adapter reads. */
export interface PageViewInput {
  url: string;
  path: string;
  referrer: string | undefined;
  userAgent: string | undefined;
  cookie: string | undefined;
}

/** A page-view tracker built on a peer SDK, as a customer would wire it into a middleware. */
export interface PeerTracker {
  pageView(input: PageViewInput): void;
}

export type PeerName = 'posthog' | 'segment';

/**
 * The peer SDK with its default batching, pointed at the local sink. The distinct id comes from the
 * visitor's cookie when there is one (what an app does with server-side analytics), else a new UUID.
 *
 * @example
 * const tracker = await createPeerTracker('posthog', 'http://127.0.0.1:9999');
 * tracker.pageView({ url, path, referrer, userAgent, cookie });
 */
export async function createPeerTracker(name: PeerName, sinkUrl: string): Promise<PeerTracker> {
  const distinctId = (cookie: string | undefined) =>
    /(?:^|;\s*)_mbuzz_vid=([^;]+)/.exec(cookie ?? '')?.[1] ?? randomUUID();
  const utm = (url: string) => {
    const params = new URL(url).searchParams;
    const out: Record<string, string> = {};
    for (const key of ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term']) {
      const value = params.get(key);
      if (value) out[key] = value;
    }
    return out;
  };

  // Imported on demand: the other variants' processes must not pay for loading an SDK they do not use.
  if (name === 'posthog') {
    const { PostHog } = await import('posthog-node');
    const posthog = new PostHog('phc_bench0000000000000000000000000000000000000', { host: sinkUrl });
    return {
      pageView(input) {
        posthog.capture({
          distinctId: distinctId(input.cookie),
          event: '$pageview',
          properties: {
            $current_url: input.url,
            $pathname: input.path,
            $referrer: input.referrer,
            $raw_user_agent: input.userAgent,
            ...utm(input.url),
          },
        });
      },
    };
  }
  const { Analytics } = await import('@segment/analytics-node');
  const analytics = new Analytics({ writeKey: 'bench-write-key', host: sinkUrl });
  return {
    pageView(input) {
      analytics.track({
        anonymousId: distinctId(input.cookie),
        event: 'Page Viewed',
        properties: { url: input.url, path: input.path, referrer: input.referrer, ...utm(input.url) },
        context: { userAgent: input.userAgent },
      });
    },
  };
}
