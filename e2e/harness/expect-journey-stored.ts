import type postgres from 'postgres';
import { expect } from 'vitest';

/** What one visitor's journey must have left in the database, however it was driven. */
export interface StoredJourney {
  /** The landing URL the visitor opened (with its UTM query). */
  landingUrl: string;
  externalReferrer: string;
  /** Paths of the real page views, in the order they happened. */
  pageViewPaths: string[];
  plan: string;
  /** The visitor's cookies at the end, when the driver can read them. */
  cookies: { visitorId: string | undefined; session: string | undefined };
}

/** Paths no event may carry: assets, XHR, the redirect route. */
const NEVER_TRACKED = ['/assets/app.css', '/assets/app.js', '/api/ping', '/promo', '/favicon.ico'];

interface SessionRow {
  session_id: string;
  visitor_id: string;
  page_view_count: number;
  initial_utm: Record<string, unknown> | null;
  initial_referrer: string | null;
  landing_url: string | null;
  is_test: boolean;
}
interface EventRow {
  event_type: string;
  visitor_id: string;
  session_id: string | null;
  properties: Record<string, unknown>;
}

/**
 * Asserts the exact rows one visitor leaves: one visitor, one session attributed to the landing link,
 * one page_view per real navigation, the signup event, nothing else.
 *
 * @example
 * await expectJourneyStored(ingest.db.sql, { landingUrl, externalReferrer, pageViewPaths, plan, cookies });
 */
export async function expectJourneyStored(sql: postgres.Sql, journey: StoredJourney): Promise<void> {
  const visitors = await sql<
    { visitor_id: string; is_test: boolean }[]
  >`select visitor_id, is_test from visitors`;
  const sessions = await sql<SessionRow[]>`
    select session_id, visitor_id, page_view_count, initial_utm, initial_referrer, landing_url, is_test
    from sessions`;
  const events = await sql<EventRow[]>`
    select event_type, visitor_id, session_id, properties from events order by occurred_at, event_id`;
  const dump = JSON.stringify({ visitors, sessions, events }, null, 2);

  // Exactly one visitor: neither the crawler nor the cookie-less sub-requests created one.
  expect(visitors, dump).toHaveLength(1);
  const visitor = visitors[0];
  if (visitor === undefined) return;
  expect(visitor.is_test).toBe(true);
  if (journey.cookies.visitorId !== undefined) expect(visitor.visitor_id).toBe(journey.cookies.visitorId);

  // One session, attributed to the link the visitor came from (first touch).
  expect(sessions, dump).toHaveLength(1);
  const session = sessions[0];
  if (session === undefined) return;
  const landing = new URL(journey.landingUrl);
  const linkUtm = Object.fromEntries([...landing.searchParams].filter(([key]) => key.startsWith('utm_')));
  expect(withoutNulls(session.initial_utm ?? {})).toEqual(linkUtm);
  expect(session.initial_referrer).toBe(journey.externalReferrer);
  expect(session.landing_url).toBe(journey.landingUrl);
  expect(session.visitor_id).toBe(visitor.visitor_id);
  expect(session.page_view_count).toBe(journey.pageViewPaths.length);
  if (journey.cookies.session !== undefined) {
    // The cookie may carry SDK state after a '.' (docs/api.md); the id is what precedes it.
    expect(journey.cookies.session.split('.')[0]).toBe(session.session_id);
  }

  // Every event belongs to that visitor and session; page views are exactly the real navigations.
  for (const event of events) {
    expect(event.visitor_id, dump).toBe(visitor.visitor_id);
    expect(event.session_id, dump).toBe(session.session_id);
    expect(NEVER_TRACKED, dump).not.toContain(event.properties.path);
    expect(String(event.properties.user_agent ?? ''), dump).not.toMatch(/bot/i);
  }
  const pageViews = events.filter((event) => event.event_type === 'page_view');
  expect(pageViews.map((event) => event.properties.path)).toEqual(journey.pageViewPaths);
  expect(pageViews[0]?.properties.referrer).toBe(journey.externalReferrer);
  expect(pageViews[0]?.properties.url).toBe(journey.landingUrl);

  const others = events.filter((event) => event.event_type !== 'page_view');
  expect(others, dump).toHaveLength(1);
  expect(others[0]?.event_type).toBe('signup');
  expect(others[0]?.properties.plan).toBe(journey.plan);
}

const withoutNulls = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));
