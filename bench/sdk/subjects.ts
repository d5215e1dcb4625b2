import { createClient } from '@mbuzz/core/node';
import { navigationView } from '@mbuzz/core/testing';
import { Analytics } from '@segment/analytics-node';
import { PostHog } from 'posthog-node';

/**
 * One SDK under test. `prepare(n)` builds the inputs of n page views (untimed: in a server, the HTTP
 * parser makes them); `call(i)` queues page view i — the measured operation; `flush()` empties the queue
 * (only ever outside the timed region); `release()` drops the inputs; `close()` shuts the client down.
 */
export interface Subject {
  prepare(n: number): void;
  call(i: number): void;
  flush(): Promise<void>;
  release(): void;
  close(): Promise<void>;
}

export interface SubjectFactory {
  name: string;
  create(stubUrl: string): Subject;
}

/** The page view every SDK records: same URL, path, referrer, user agent and UTM. */
const URL_WITH_UTM = 'https://shop.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring_sale';
const REFERRER = 'https://www.google.com/';
const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const VISITOR = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const SESSION = '4c0f1e1a2b3c4d5e6f708192a3b4c5d6';
const HOUR_MS = 3_600_000;

/**
 * A new flat copy of a string, as an HTTP parser produces for each request. Reusing one constant
 * would let an SDK that keeps references (instead of copies) look lighter on the heap than it is.
 */
const fresh = (text: string) => Buffer.from(text, 'latin1').toString('latin1');

/** What an app hands posthog/segment for a page view: the same fields mbuzz records. */
function pageProperties() {
  return {
    url: fresh(URL_WITH_UTM),
    path: fresh('/pricing'),
    referrer: fresh(REFERRER),
    user_agent: fresh(USER_AGENT),
    utm_source: fresh('google'),
    utm_medium: fresh('cpc'),
    utm_campaign: fresh('spring_sale'),
  };
}

function withInputs<T>(make: () => T, use: (input: T) => void) {
  let inputs: T[] = [];
  return {
    prepare(n: number) {
      inputs = Array.from({ length: n }, make);
    },
    call(i: number) {
      use(inputs[i] as T);
    },
    release() {
      inputs = [];
    },
  };
}

function mbuzz(returning: boolean): SubjectFactory {
  return {
    name: `mbuzz begin()+end(200), ${returning ? 'returning' : 'new'} visitor`,
    create(stubUrl) {
      const client = createClient({
        apiKey: 'sk_test_0123456789abcdef0123456789abcdef',
        apiUrl: `${stubUrl}/api/v1`,
        // 500 is the most the server takes per request; the bench queues fewer (ROUND_SIZE) between
        // flushes, so nothing is sent while timing.
        batchSize: 500,
        flushIntervalMs: HOUR_MS,
        maxQueueSize: 1_000_000,
        maxQueueBytes: 1024 * 1024 * 1024,
        logger: { warn: () => {}, error: () => {} },
      });
      // Cookies a first visit gets; a returning visitor comes back with them (same source: same session).
      const first = client.begin(navigationView(URL_WITH_UTM, { headers: { referer: REFERRER } }));
      const cookies = Object.fromEntries(first.cookies(200).map((c) => [c.name, c.value]));
      const view = () =>
        navigationView(fresh(URL_WITH_UTM), {
          headers: { referer: fresh(REFERRER), 'user-agent': fresh(USER_AGENT) },
          ...(returning
            ? {
                cookies: {
                  _mbuzz_vid: fresh(cookies._mbuzz_vid ?? ''),
                  _mbuzz_sid: fresh(cookies._mbuzz_sid ?? ''),
                },
              }
            : {}),
        });
      return {
        ...withInputs(view, (v) => client.begin(v).end(200)),
        flush: () => client.flush(),
        close: async () => {
          await client.close();
        },
      };
    },
  };
}

/** `client.track()` with explicit ids and properties: the same call shape as the peers' capture/track. */
const mbuzzTrack: SubjectFactory = {
  name: 'mbuzz track() (explicit ids, properties)',
  create(stubUrl) {
    const client = createClient({
      apiKey: 'sk_test_0123456789abcdef0123456789abcdef',
      apiUrl: `${stubUrl}/api/v1`,
      batchSize: 500,
      flushIntervalMs: HOUR_MS,
      maxQueueSize: 1_000_000,
      maxQueueBytes: 1024 * 1024 * 1024,
      logger: { warn: () => {}, error: () => {} },
    });
    return {
      ...withInputs(
        () => ({ visitorId: fresh(VISITOR), sessionId: fresh(SESSION), properties: pageProperties() }),
        ({ visitorId, sessionId, properties }) =>
          client.track({ eventType: 'page_view', visitorId, sessionId, properties }),
      ),
      flush: () => client.flush(),
      close: async () => {
        await client.close();
      },
    };
  },
};

const posthog: SubjectFactory = {
  name: 'posthog-node capture()',
  create(stubUrl) {
    const client = new PostHog('phc_benchmark', {
      host: stubUrl,
      flushAt: 1_000_000,
      flushInterval: HOUR_MS,
      maxBatchSize: 1_000_000,
      maxQueueSize: 1_000_000,
      disableGeoip: true,
    });
    return {
      ...withInputs(
        () => ({ distinctId: fresh(VISITOR), properties: pageProperties() }),
        ({ distinctId, properties }) => client.capture({ distinctId, event: '$pageview', properties }),
      ),
      flush: () => client.flush(),
      close: () => client.shutdown(),
    };
  },
};

const segment: SubjectFactory = {
  name: '@segment/analytics-node track()',
  create(stubUrl) {
    const client = new Analytics({
      writeKey: 'benchmark',
      host: stubUrl,
      flushAt: 1_000_000,
      flushInterval: HOUR_MS,
    });
    return {
      ...withInputs(
        () => ({ anonymousId: fresh(VISITOR), properties: pageProperties() }),
        ({ anonymousId, properties }) => client.track({ anonymousId, event: 'Page Viewed', properties }),
      ),
      flush: () => client.flush(),
      close: () => client.closeAndFlush(),
    };
  },
};

export const SUBJECTS: SubjectFactory[] = [mbuzz(true), mbuzz(false), mbuzzTrack, posthog, segment];
