import { buildCustomEvent, isoTimestamp, serializePageView } from '../events/build-event.js';
import { createEventId } from '../events/create-event-id.js';
import { type Attribution, readAttribution } from '../events/read-attribution.js';
import { buildIdentityCookie } from '../identity/build-identity-cookie.js';
import {
  SESSION_COOKIE,
  SESSION_MAX_AGE_SECONDS,
  VISITOR_COOKIE,
  VISITOR_MAX_AGE_SECONDS,
} from '../identity/cookie-names.js';
import { generateVisitorId, isVisitorId } from '../identity/random-hex.js';
import { readIdentityCookies } from '../identity/read-identity-cookies.js';
import {
  landingOf,
  type NavigationIdentity,
  resolveNavigationIdentity,
} from '../identity/resolve-navigation-identity.js';
import { formatSessionCookie, parseSessionCookie } from '../identity/session-cookie.js';
import { isPageViewStatus, isRedirectStatus, pageViewUrl } from '../rules/is-page-view-request.js';
import { readHeader } from '../rules/read-header.js';
import type { CookieToSet, RequestTracking, RequestView, WireEvent } from '../types.js';
import { siteKey, type UrlParts, urlHost } from '../url/split-url.js';
import type { Report } from './create-reporter.js';

/** What every request of one client shares. */
export interface TrackingContext {
  enqueue(event: WireEvent): void;
  enqueueJson(json: string, id: string): void;
  report: Report;
  isSkippedPath(path: string): boolean;
}

/** What a page navigation read from its request, kept until `end()`. */
interface Navigation {
  url: string;
  parts: UrlParts;
  userAgent: string | undefined;
  referrer: string | undefined;
  /** The referrer when it is another site's. */
  externalReferrer: string | undefined;
  attribution: Attribution | undefined;
  identity: NavigationIdentity;
}

const NO_COOKIES: CookieToSet[] = [];

/**
 * The state of one request between `begin()` and `end()`. A class because it lives across calls and is
 * made for every request: shared prototype methods keep it small.
 *
 * Identity: a page navigation reads or mints both ids and gets cookies. Any other request (form posts,
 * fetches, assets, bots) only reads valid ids from its cookies and never gets cookies: concurrent first
 * requests must not mint competing ids. A `track()` on such a request without a visitor cookie uses a
 * fresh visitor id for this request only (the event is kept, but cannot be joined to later visits).
 */
export class Tracking implements RequestTracking {
  readonly isNavigation: boolean;
  private readonly context: TrackingContext;
  private readonly view: RequestView;
  private readonly navigation: Navigation | undefined;
  private otherIds: { visitorId: string | undefined; sessionId: string | undefined } | undefined;
  private cookieStatus: number | undefined;
  private ended = false;

  constructor(context: TrackingContext, view: RequestView) {
    this.context = context;
    this.view = view;
    this.navigation = readNavigation(context, view);
    this.isNavigation = this.navigation !== undefined;
  }

  get visitorId(): string | undefined {
    return this.navigation?.identity.visitorId ?? this.readOtherIds().visitorId;
  }

  get sessionId(): string | undefined {
    return this.navigation?.identity.sessionId ?? this.readOtherIds().sessionId;
  }

  cookies(status?: number): CookieToSet[] {
    try {
      const navigation = this.navigation;
      if (navigation === undefined) return NO_COOKIES;
      if (typeof status === 'number') this.cookieStatus = status;
      // An error page neither counts nor changes identity: the browser keeps the cookies it has.
      if (typeof status === 'number' && status >= 400) return NO_COOKIES;
      const { identity, parts } = navigation;
      const secure = parts.scheme === 'https';
      const session = formatSessionCookie({
        sessionId: identity.sessionId,
        fingerprints: identity.fingerprints,
        pending: isRedirectStatus(status) ? (identity.consumed ?? landingOf(navigation)) : undefined,
      });
      return [
        buildIdentityCookie(VISITOR_COOKIE, identity.visitorId, VISITOR_MAX_AGE_SECONDS, secure),
        buildIdentityCookie(SESSION_COOKIE, session, SESSION_MAX_AGE_SECONDS, secure),
      ];
    } catch (cause) {
      this.context.report('internal', 'building cookies failed', cause);
      return NO_COOKIES;
    }
  }

  track(eventType: string, properties?: Record<string, unknown>): void {
    try {
      let visitorId = this.visitorId;
      if (visitorId === undefined) {
        visitorId = generateVisitorId();
        (this.otherIds as { visitorId: string | undefined }).visitorId = visitorId;
      }
      const event = buildCustomEvent({ eventType, visitorId, sessionId: this.sessionId, properties });
      if (typeof event === 'string') this.context.report('rejected', `track(): ${event}; dropped`);
      else this.context.enqueue(event);
    } catch (cause) {
      this.context.report('internal', 'track() failed', cause);
    }
  }

  end(status?: number): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const navigation = this.navigation;
      if (navigation === undefined) return;
      const finalStatus = typeof status === 'number' ? status : this.cookieStatus;
      if (!isPageViewStatus(finalStatus)) return;
      const { identity, parts } = navigation;
      const now = Date.now();
      const id = createEventId(now);
      const json = serializePageView(
        {
          visitorId: identity.visitorId,
          sessionId: identity.sessionId,
          url: navigation.url,
          path: parts.path,
          referrer: navigation.referrer,
          userAgent: navigation.userAgent,
          attribution: navigation.attribution,
          carried: identity.consumed,
        },
        id,
        isoTimestamp(now),
      );
      this.context.enqueueJson(json, id);
    } catch (cause) {
      this.context.report('internal', 'recording the page view failed', cause);
    }
  }

  /** Ids of a request that is not a page navigation: from valid cookies only, read on first use. */
  private readOtherIds(): { visitorId: string | undefined; sessionId: string | undefined } {
    if (this.otherIds === undefined) {
      const raw = readIdentityCookies(this.view);
      this.otherIds = {
        visitorId: isVisitorId(raw.visitor) ? raw.visitor : undefined,
        sessionId: parseSessionCookie(raw.session)?.sessionId,
      };
    }
    return this.otherIds;
  }
}

/** Reads a page navigation from the request, or `undefined` when this request is not one. */
function readNavigation(context: TrackingContext, view: RequestView): Navigation | undefined {
  const parts = pageViewUrl(view, context.isSkippedPath);
  if (parts === undefined) return undefined;
  const url = view.url;
  const headers = view.headers;
  const userAgent = readHeader(headers, 'user-agent');

  const referrer = readHeader(headers, 'referer') || undefined;
  let externalReferrerSite: string | undefined;
  if (referrer !== undefined) {
    const site = siteKey(urlHost(referrer));
    const pageSite = pageSiteKey(parts.host);
    // Without the page's host (an adapter passing a relative URL) nothing can be called external.
    if (site !== '' && pageSite !== '' && site !== pageSite) externalReferrerSite = site;
  }
  const externalReferrer = externalReferrerSite === undefined ? undefined : referrer;
  const attribution = parts.query === '' ? undefined : readAttribution(parts.query);
  const cookies = readIdentityCookies(view);
  const identity = resolveNavigationIdentity({
    visitorCookie: cookies.visitor,
    session: parseSessionCookie(cookies.session),
    attribution,
    externalReferrer,
    externalReferrerSite,
    url,
  });
  return { url, parts, userAgent, referrer, externalReferrer, attribution, identity };
}

// A server answers for one site (or a few): its host's site key is worked out once, not per request.
let lastPageHost = '';
let lastPageSite = '';
function pageSiteKey(host: string): string {
  if (host !== lastPageHost) {
    lastPageSite = siteKey(host);
    lastPageHost = host;
  }
  return lastPageSite;
}
