// What the browser tests send, decided before anything is sent: every session with its visitor, start,
// first touch, page views and conversions, and the channel and source that touch must be classified as
// (docs/api.md, "Channels"). The tests compute the true figures from this plan (truth.ts) — never by
// asking the API — and compare them with what the dashboard shows.

/** The value the tests put in a UTM parameter, a path and an event type: it must show as text and run nothing. */
export const XSS_VALUE = '<img src=x onerror=alert(1)>';
/** A value a spreadsheet would run as a formula: a CSV export must neutralise it (a leading `'`). */
export const FORMULA_VALUE = '=SUM(1+1)';
/** A custom event type that is markup as well. */
export const XSS_EVENT_TYPE = '<svg onload=alert(2)>';

/** The site the seeded visitors browse. */
export const SITE = 'https://shop.example';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** How a session arrived: what its first event carries, and what the service must make of it. */
export interface Touch {
  /** The channel the session must get (GA4's default channel group). */
  channel: string;
  /** The session's `source`: utm_source, else the referrer's name or host, else the click id's network. */
  source: string;
  referrer?: string;
  /** `referrer_domain`: the referrer's host without `www.`. */
  referrerDomain?: string;
  utm?: Partial<Record<'utm_source' | 'utm_medium' | 'utm_campaign' | 'utm_content' | 'utm_term', string>>;
  clickIds?: Record<string, string>;
}

/** The first touches of the seed, one per channel the tests look for (two for Paid Search). */
export const TOUCHES = {
  paidSearch: {
    channel: 'Paid Search',
    source: 'google',
    referrer: 'https://www.google.com/',
    referrerDomain: 'google.com',
    utm: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring_sale', utm_term: 'running shoes' },
  },
  paidSearchClickId: {
    channel: 'Paid Search',
    source: 'google',
    clickIds: { gclid: 'Cj0KCQiA-test-click-id' },
  },
  organicSearch: {
    channel: 'Organic Search',
    source: 'Google',
    referrer: 'https://www.google.com/',
    referrerDomain: 'google.com',
  },
  direct: { channel: 'Direct', source: '(direct)' },
  email: {
    channel: 'Email',
    source: 'newsletter',
    utm: {
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'december_news',
      utm_content: 'header',
    },
  },
  organicSocial: {
    channel: 'Organic Social',
    source: 'Facebook',
    referrer: 'https://www.facebook.com/',
    referrerDomain: 'facebook.com',
  },
  referral: {
    channel: 'Referral',
    source: 'blog.example.org',
    referrer: 'https://blog.example.org/best-shoes',
    referrerDomain: 'blog.example.org',
  },
} satisfies Record<string, Touch>;

/** One planned session: everything the truth needs, and everything needed to send it. */
export interface PlannedSession {
  visitorId: string;
  sessionId: string;
  /** Its first event's time. */
  start: Date;
  touch: Touch;
  landingPath: string;
  /** ≥ 1: one is a bounce. */
  pageViews: number;
  /** Custom events after the page views (`signup`, …). */
  customEvents: string[];
  /** The `path` of its custom events other than `signup` (default: the landing path). */
  customPath?: string;
}

/** An event as POST /api/v1/events takes it. */
export interface WireEvent {
  event_id: string;
  event_type: string;
  visitor_id: string;
  session_id: string;
  timestamp: string;
  properties: Record<string, string>;
}

const PATHS = ['/pricing', '/about', '/docs', '/blog/launch', '/contact'];
const LANDINGS = ['/', '/shoes', '/pricing', '/blog/launch'];

/** A small deterministic generator (mulberry32): the same plan every run, relative to `now`. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of one account: `visitors` visitors with 1–4 sessions each, started over the last `days`
 * days (the 30-day range and the 30 days before it, for the comparison), a few of them in the last
 * hour ("today"). About a third are bounces; about one in five converts (`signup`).
 */
export function planAccount(options: {
  now: Date;
  prefix: string;
  visitors: number;
  days: number;
  seed: number;
  touches: Touch[];
}): PlannedSession[] {
  const next = random(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const sessions: PlannedSession[] = [];
  // Sessions end at most ~10 minutes after they start; the latest start is 45 minutes ago.
  const latest = options.now.getTime() - 45 * MINUTE;
  for (let v = 0; v < options.visitors; v += 1) {
    const visitorId = `${options.prefix}-visitor-${v}`;
    const count = 1 + Math.floor(next() * 4);
    for (let s = 0; s < count; s += 1) {
      // Every 7th session in the last few hours, so "today" has data.
      const ago = sessions.length % 7 === 3 ? next() * 4 * 3_600_000 : next() * options.days * DAY;
      const pageViews = next() < 0.35 ? 1 : 2 + Math.floor(next() * 4);
      sessions.push({
        visitorId,
        sessionId: `${options.prefix}-session-${v}-${s}`,
        start: new Date(Math.floor((latest - ago) / 1000) * 1000),
        touch: pick(options.touches),
        landingPath: pick(LANDINGS),
        pageViews,
        customEvents: next() < 0.22 ? ['signup'] : [],
      });
    }
  }
  return sessions;
}

/** The events of one session: its page views a minute apart, then its custom events. */
export function eventsOf(session: PlannedSession): WireEvent[] {
  const { touch } = session;
  const query = new URLSearchParams({ ...touch.utm, ...touch.clickIds }).toString();
  const landingUrl = `${SITE}${session.landingPath}${query ? `?${query}` : ''}`;
  const events: WireEvent[] = [];
  const at = (minutes: number) => new Date(session.start.getTime() + minutes * MINUTE).toISOString();
  for (let i = 0; i < session.pageViews; i += 1) {
    const path = i === 0 ? session.landingPath : (PATHS[i % PATHS.length] as string);
    const properties: Record<string, string> =
      i === 0
        ? { url: landingUrl, path, ...touch.utm, ...touch.clickIds }
        : { url: `${SITE}${path}`, path, referrer: `${SITE}/` };
    if (i === 0 && touch.referrer) properties.referrer = touch.referrer;
    events.push({
      event_id: crypto.randomUUID(),
      event_type: 'page_view',
      visitor_id: session.visitorId,
      session_id: session.sessionId,
      timestamp: at(i),
      properties,
    });
  }
  session.customEvents.forEach((type, i) => {
    events.push({
      event_id: crypto.randomUUID(),
      event_type: type,
      visitor_id: session.visitorId,
      session_id: session.sessionId,
      timestamp: at(session.pageViews + i),
      properties: {
        path: type === 'signup' ? '/signup' : (session.customPath ?? session.landingPath),
        plan: 'pro',
      },
    });
  });
  return events;
}

/**
 * The seed of the account under test (Acme): the generated sessions, plus one Email session of the last
 * hour whose campaign and content are markup and whose term is a formula, with a custom event type that is
 * markup too, on a path that is a formula.
 */
export function planAcme(now: Date): PlannedSession[] {
  const generated = planAccount({
    now,
    prefix: 'acme',
    visitors: 36,
    days: 58,
    seed: 20261203,
    touches: Object.values(TOUCHES),
  });
  const xss: PlannedSession = {
    visitorId: 'acme-visitor-xss',
    sessionId: 'acme-session-xss',
    start: new Date(Math.floor((now.getTime() - 40 * MINUTE) / 1000) * 1000),
    touch: {
      channel: 'Email',
      source: 'newsletter',
      utm: {
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: XSS_VALUE,
        utm_content: XSS_VALUE,
        utm_term: FORMULA_VALUE,
      },
    },
    landingPath: '/welcome',
    pageViews: 2,
    customEvents: ['signup', XSS_EVENT_TYPE],
    customPath: FORMULA_VALUE,
  };
  return [...generated, xss];
}

/** Values that appear only in the other account's data: none may ever show on Acme's pages. */
export const OTHER_ACCOUNT_MARKERS = ['globex_secret_source', 'globex_secret_campaign'];

/** The other account's time zone: its days are not UTC's (UTC+13 in December, +12 in July). */
export const GLOBEX_TIME_ZONE = 'Pacific/Auckland';

/**
 * The other account (Globex), in {@link GLOBEX_TIME_ZONE}: its own visitors, whose source and campaign
 * name it, and two sessions an hour either side of the start of its last-7-days range in its time zone,
 * so that a range counted in UTC instead shows other numbers.
 */
export function planGlobex(now: Date, sevenDaysStart: Date): PlannedSession[] {
  const touch: Touch = {
    // Not a social site, but a paid medium: Paid Other.
    channel: 'Paid Other',
    source: 'globex_secret_source',
    utm: {
      utm_source: 'globex_secret_source',
      utm_medium: 'paid_social',
      utm_campaign: 'globex_secret_campaign',
    },
  };
  const edge = (name: string, offsetMs: number): PlannedSession => ({
    visitorId: `globex-visitor-${name}`,
    sessionId: `globex-session-${name}`,
    start: new Date(sevenDaysStart.getTime() + offsetMs),
    touch,
    landingPath: '/',
    pageViews: 2,
    customEvents: [],
  });
  return [
    ...planAccount({
      now,
      prefix: 'globex',
      visitors: 5,
      // Within the last 5 days: inside the 7-day range in UTC and in Auckland alike, so only the two
      // sessions at its edge tell the time zones apart.
      days: 5,
      seed: 7,
      touches: [touch],
    }),
    edge('before-7d', -3_600_000),
    edge('after-7d', 3_600_000),
  ];
}

/** An account with test data only (Hooli): its empty state links to the test data. */
export function planHooliTest(now: Date): PlannedSession[] {
  return planAccount({ now, prefix: 'hooli-test', visitors: 2, days: 5, seed: 3, touches: [TOUCHES.direct] });
}

/** Acme's test data (a test key): a few sessions of its own, to tell the environments apart. */
export function planAcmeTest(now: Date): PlannedSession[] {
  return planAccount({
    now,
    prefix: 'acme-test',
    visitors: 2,
    days: 10,
    seed: 99,
    touches: [TOUCHES.direct, TOUCHES.referral],
  });
}
