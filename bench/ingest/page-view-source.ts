import { randomBytes } from 'node:crypto';

/** One generated page view, in the shape both the HTTP body and the COPY rows are made from. */
export interface PageView {
  eventId: string;
  visitorId: string;
  sessionId: string;
  /** ISO 8601, within the last 30 minutes. */
  timestamp: string;
  /** Index into {@link PageViewSource.pages}. */
  page: number;
}

export interface Page {
  url: string;
  path: string;
  referrer: string;
  utm: Record<string, string>;
  /** The event's `properties`, serialized once. */
  propertiesJson: string;
}

export interface PageViewSource {
  readonly pages: readonly Page[];
  /** The next page view: a fresh event_id every call, visitors and sessions drawn from the pools. */
  next(): PageView;
  /** A request body of `size` fresh page views (`{ "events": [...] }`). */
  nextBody(size: number): string;
}

const CAMPAIGNS = [
  { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring_sale' },
  { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'launch' },
  { utm_source: 'twitter', utm_medium: 'social', utm_campaign: 'brand' },
  { utm_source: 'bing', utm_medium: 'cpc', utm_campaign: 'retarget', utm_term: 'analytics tool' },
];
const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

/**
 * Page views spread over `visitors` visitors with up to `sessionsPerVisitor` sessions each, like a busy
 * site's traffic: most requests upsert visitor and session rows that already exist, some create new
 * ones. Bodies are built by string concatenation around pre-serialized properties, so the load
 * generator stays cheap next to the service it measures.
 *
 * @example
 * const source = createPageViewSource({ visitors: 50_000, sessionsPerVisitor: 3 });
 * const body = source.nextBody(50);
 */
export function createPageViewSource(options: {
  visitors: number;
  sessionsPerVisitor: number;
}): PageViewSource {
  // A random run prefix: event ids never collide with a previous run, visitors are this run's own.
  const run = randomBytes(4).toString('hex');
  const pages: Page[] = Array.from({ length: 64 }, (_, i) => {
    const utm = CAMPAIGNS[i % CAMPAIGNS.length] as Record<string, string>;
    const path = `/products/${i}`;
    const url = `https://shop.example${path}?${new URLSearchParams(utm).toString()}`;
    const referrer = i % 2 === 0 ? 'https://www.google.com/' : 'https://news.example/today';
    return {
      url,
      path,
      referrer,
      utm,
      propertiesJson: JSON.stringify({
        url,
        path,
        referrer,
        user_agent: USER_AGENT,
        plan: i % 3 ? 'free' : 'pro',
      }),
    };
  });
  const since = Date.now() - 30 * 60_000;
  const timestamps = Array.from({ length: 1024 }, (_, i) => new Date(since + i * 1_700).toISOString());
  let seq = 0;

  const next = (): PageView => {
    seq += 1;
    const visitor = Math.floor(Math.random() * options.visitors);
    const session = Math.floor(Math.random() * options.sessionsPerVisitor);
    const v = visitor.toString(16).padStart(8, '0');
    return {
      // A UUID with a version-7 nibble; the sequence keeps it unique within the run.
      eventId: `${run}-${v.slice(0, 4)}-7${v.slice(4, 7)}-8000-${seq.toString(16).padStart(12, '0')}`,
      visitorId: `${run}${v}`.padEnd(64, '0'),
      sessionId: `${run}${v}${session}`.padEnd(32, '0'),
      timestamp: timestamps[seq % timestamps.length] as string,
      page: seq % pages.length,
    };
  };

  return {
    pages,
    next,
    nextBody(size) {
      let body = '{"events":[';
      for (let i = 0; i < size; i++) {
        const e = next();
        body +=
          `${i ? ',' : ''}{"event_id":"${e.eventId}","event_type":"page_view","visitor_id":"${e.visitorId}",` +
          `"session_id":"${e.sessionId}","timestamp":"${e.timestamp}","properties":${pages[e.page]?.propertiesJson}}`;
      }
      return `${body}]}`;
    },
  };
}
