/**
 * A seeded data set for the query API tests, and the true answers computed from it here in plain
 * TypeScript — independently of the SQL under test: what each touch's channel and source are is written
 * down by hand, days in a time zone come from Intl, and every metric is counted from the generated events.
 */

export interface Touch {
  /** Query string of the landing URL (UTM values, click ids). */
  query: string;
  referrer: string | null;
  path: string;
  /** Expected, by hand. */
  channel: string;
  source: string;
  referrerDomain: string | null;
}

export const TOUCHES: Touch[] = [
  { query: '', referrer: null, path: '/', channel: 'Direct', source: '(direct)', referrerDomain: null },
  {
    query: '',
    referrer: 'https://www.google.com/search?q=x',
    path: '/pricing',
    channel: 'Organic Search',
    source: 'Google',
    referrerDomain: 'google.com',
  },
  {
    query: 'utm_source=google&utm_medium=cpc&utm_campaign=spring_sale&utm_term=shoes&gclid=abc',
    referrer: null,
    path: '/pricing',
    channel: 'Paid Search',
    source: 'google',
    referrerDomain: null,
  },
  {
    query: 'utm_source=newsletter&utm_medium=email&utm_campaign=Spring+Launch&utm_content=header',
    referrer: null,
    path: '/blog/launch',
    channel: 'Email',
    source: 'newsletter',
    referrerDomain: null,
  },
  {
    query: 'utm_source=facebook&utm_medium=paid_social&utm_campaign=autumn',
    referrer: 'https://m.facebook.com/',
    path: '/',
    channel: 'Paid Social',
    source: 'facebook',
    referrerDomain: 'm.facebook.com',
  },
  {
    query: '',
    referrer: 'https://chatgpt.com/',
    path: '/docs',
    channel: 'AI Assistants',
    source: 'ChatGPT',
    referrerDomain: 'chatgpt.com',
  },
  {
    query: '',
    referrer: 'https://www.partner-blog.example/post',
    path: '/blog/launch',
    channel: 'Referral',
    source: 'partner-blog.example',
    referrerDomain: 'partner-blog.example',
  },
  {
    query: 'utm_source=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&utm_medium=weird,medium',
    referrer: null,
    path: '/',
    channel: 'Unassigned',
    source: '<img src=x onerror=alert(1)>',
    referrerDomain: null,
  },
];

export interface TruthSession {
  sessionId: string;
  visitorId: string;
  start: number;
  pageViews: number;
  events: Record<string, number>;
  touch: Touch;
  utm: Record<string, string>;
}

export interface Fixture {
  sessions: TruthSession[];
  /** Wire events, in a shuffled order. */
  events: Array<Record<string, unknown>>;
}

/** mulberry32: a small seeded PRNG, so the data set is the same on every run. */
export function prng(seed: number) {
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
 * `visitors` visitors with 1–3 sessions each between `from` and `to` (ms), 1–5 page views per session
 * (some sessions with only custom events), sign-ups and add-to-cart events. Ids carry `prefix`.
 */
export function buildFixture(options: {
  seed: number;
  visitors: number;
  from: number;
  to: number;
  prefix: string;
}): Fixture {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const sessions: TruthSession[] = [];
  const events: Array<Record<string, unknown>> = [];
  let n = 0;
  for (let v = 0; v < options.visitors; v += 1) {
    const visitorId = `${options.prefix}v${v}`;
    const count = 1 + Math.floor(random() * 3);
    for (let k = 0; k < count; k += 1) {
      const sessionId = `${options.prefix}s${v}_${k}`;
      const touch = pick(TOUCHES);
      const start = options.from + Math.floor(random() * (options.to - options.from));
      const pageViews = random() < 0.08 ? 0 : 1 + Math.floor(random() * 5);
      const utm: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(touch.query))
        if (key.startsWith('utm_')) utm[key] = value;
      const session: TruthSession = { sessionId, visitorId, start, pageViews, events: {}, touch, utm };
      sessions.push(session);
      let at = start;
      const event = (type: string, properties: Record<string, unknown>) => {
        n += 1;
        events.push({
          event_id: `01936f6e-8b2a-7c3d-9e4f-${(options.seed * 1_000_000 + n).toString(16).padStart(12, '0')}`,
          event_type: type,
          visitor_id: visitorId,
          session_id: sessionId,
          timestamp: new Date(at).toISOString(),
          properties,
        });
        session.events[type] = (session.events[type] ?? 0) + 1;
      };
      const landing = `https://shop.example${touch.path}${touch.query ? `?${touch.query}` : ''}`;
      for (let p = 0; p < pageViews; p += 1) {
        const first = p === 0;
        event('page_view', {
          url: first ? landing : `https://shop.example/p/${p}`,
          path: first ? touch.path : `/p/${p}`,
          ...(first && touch.referrer ? { referrer: touch.referrer } : {}),
        });
        at += 30_000 + Math.floor(random() * 120_000);
      }
      if (pageViews === 0) {
        // A session of custom events only: its touch comes from its first event's properties.
        event('add_to_cart', { url: landing, ...(touch.referrer ? { referrer: touch.referrer } : {}) });
        at += 10_000;
      }
      if (random() < 0.25) event('signup', { plan: 'pro' });
      if (random() < 0.15) {
        event('add_to_cart', {});
        at += 5_000;
        event('add_to_cart', {});
      }
    }
  }
  // Shuffle: order independence of the write path is part of what the answers prove.
  for (let i = events.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as Record<string, unknown>, events[i] as Record<string, unknown>];
  }
  // The session's start is its earliest event (page views, or the custom events).
  return { sessions, events };
}

const dayFormat = new Map<string, Intl.DateTimeFormat>();
/** `YYYY-MM-DD` (and hour) of an instant in a time zone, by Intl. */
export function localParts(ms: number, timeZone: string): { day: string; hour: string } {
  let format = dayFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    dayFormat.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: parts.hour as string };
}

export type TruthDimension =
  | 'channel'
  | 'source'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_content'
  | 'utm_term'
  | 'referrer_domain'
  | 'landing_page'
  | 'first_channel'
  | 'first_source'
  | 'time:day'
  | 'time:hour';

export function dimensionValue(
  s: TruthSession,
  d: TruthDimension,
  timeZone: string,
  firstTouch: Map<string, Touch>,
): string {
  const none = (v: string | null | undefined) => (v === null || v === undefined ? '(none)' : v);
  switch (d) {
    case 'channel':
      return s.touch.channel;
    case 'source':
      return s.touch.source;
    case 'referrer_domain':
      return none(s.touch.referrerDomain);
    case 'landing_page':
      return s.touch.path;
    case 'first_channel':
      return (firstTouch.get(s.visitorId) as Touch).channel;
    case 'first_source':
      return (firstTouch.get(s.visitorId) as Touch).source;
    case 'time:day':
      return localParts(s.start, timeZone).day;
    case 'time:hour': {
      const p = localParts(s.start, timeZone);
      return `${p.day} ${p.hour}:00`;
    }
    default:
      return none(s.utm[d]);
  }
}

/** The true value of each metric over a set of sessions, named as in the query API. */
export function truthMetrics(sessions: TruthSession[], metrics: string[]): number[] {
  const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  return metrics.map((m) => {
    const total = sessions.length;
    if (m === 'visitors') return new Set(sessions.map((s) => s.visitorId)).size;
    if (m === 'sessions') return total;
    const pv = sessions.reduce((sum, s) => sum + s.pageViews, 0);
    if (m === 'page_views') return pv;
    if (m === 'views_per_session') return total === 0 ? 0 : round(pv / total, 2);
    if (m === 'bounce_rate') {
      const viewed = sessions.filter((s) => s.pageViews >= 1).length;
      return viewed === 0 ? 0 : round((100 * sessions.filter((s) => s.pageViews === 1).length) / viewed, 1);
    }
    const [kind, type] = m.split(':') as [string, string];
    const count = (s: TruthSession) => s.events[type] ?? 0;
    if (kind === 'events') return sessions.reduce((sum, s) => sum + count(s), 0);
    const converted = sessions.filter((s) => count(s) > 0).length;
    if (kind === 'conversions') return converted;
    if (kind === 'conversion_rate') return total === 0 ? 0 : round((100 * converted) / total, 2);
    throw new Error(`no truth for ${m}`);
  });
}

/** Each visitor's first touch: the touch of its earliest session. */
export function firstTouches(sessions: TruthSession[]): Map<string, Touch> {
  const first = new Map<string, TruthSession>();
  for (const s of sessions) {
    const seen = first.get(s.visitorId);
    if (!seen || s.start < seen.start) first.set(s.visitorId, s);
  }
  return new Map([...first].map(([v, s]) => [v, s.touch]));
}
