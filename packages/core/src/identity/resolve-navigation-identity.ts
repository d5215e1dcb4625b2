import type { Attribution } from '../events/read-attribution.js';
import { siteKey, urlHost } from '../url/split-url.js';
import { generateSessionId, generateVisitorId, isVisitorId } from './random-hex.js';
import { type PendingLanding, type SessionCookie, sourceFingerprint } from './session-cookie.js';

/** What a page navigation knows about itself, read from the request. */
export interface NavigationInput {
  /** Raw `_mbuzz_vid` cookie value. */
  visitorCookie: string | undefined;
  /** Parsed `_mbuzz_sid` cookie (`undefined` when absent, expired or malformed). */
  session: SessionCookie | undefined;
  /** UTM values and click ids of the page URL. */
  attribution: Attribution | undefined;
  /** The Referer header when it points to another site. */
  externalReferrer: string | undefined;
  /** `siteKey` of the external referrer's host. */
  externalReferrerSite: string | undefined;
  /** The page URL (kept as the landing URL when this navigation is redirected). */
  url: string;
}

/** Identity of a navigation, and the session state its cookies will carry. */
export interface NavigationIdentity {
  visitorId: string;
  sessionId: string;
  /** True when this navigation started a new session (none, expired, or a different traffic source). */
  sessionStarted: boolean;
  /** Sources that keep this session alive when they come back (reloads, redirect destinations). */
  fingerprints: string[];
  /**
   * A redirect's landing attribution that this page view takes over; if this navigation is itself
   * answered with a redirect, the session cookie carries it forward again (else `landingOf(input)`).
   */
  consumed: PendingLanding | undefined;
}

/** Longest referrer / landing URL kept for a redirect: the state lives in a cookie. */
const MAX_CARRIED_URL_LENGTH = 1000;
/** Longest UTM value / click id kept for a redirect. */
const MAX_CARRIED_VALUE_LENGTH = 500;

/**
 * Decides visitor and session for a page navigation (docs/api.md, cookies): a new session when there is no
 * live session, or when the page brings a traffic source the session has not seen (other UTM values, a
 * click id, another external site). A page that takes over a redirect's landing attribution keeps the
 * session even though it arrives with the landing's external referrer and no UTM.
 */
export function resolveNavigationIdentity(input: NavigationInput): NavigationIdentity {
  const visitorId = isVisitorId(input.visitorCookie) ? input.visitorCookie : generateVisitorId();
  const ownFingerprint = sourceFingerprint(input.attribution, input.externalReferrerSite);
  const session = input.session;

  if (session !== undefined) {
    const pending = session.pending;
    if (pending !== undefined && input.attribution === undefined && continuesRedirect(pending, input)) {
      return {
        visitorId,
        sessionId: session.sessionId,
        sessionStarted: false,
        // The destination page's own source (the carried referrer) now belongs to the session too, so
        // reloading it later does not look like a new visit.
        fingerprints:
          ownFingerprint === '' ? session.fingerprints : [...session.fingerprints, ownFingerprint],
        consumed: pending,
      };
    }
    if (ownFingerprint === '' || session.fingerprints.includes(ownFingerprint)) {
      return {
        visitorId,
        sessionId: session.sessionId,
        sessionStarted: false,
        fingerprints: session.fingerprints,
        consumed: undefined,
      };
    }
  }

  return {
    visitorId,
    sessionId: generateSessionId(),
    sessionStarted: true,
    fingerprints: ownFingerprint === '' ? [] : [ownFingerprint],
    consumed: undefined,
  };
}

/** Browsers keep the original Referer across redirects, or drop it; a different external site is a new visit. */
function continuesRedirect(pending: PendingLanding, input: NavigationInput): boolean {
  if (input.externalReferrerSite === undefined) return true;
  if (pending.referrer === undefined) return false;
  return siteKey(urlHost(pending.referrer)) === input.externalReferrerSite;
}

/**
 * What the session cookie carries forward when a navigation that took over no landing is answered with
 * a redirect: its own UTM values, click ids and external referrer. Built only for redirects.
 */
export function landingOf(
  input: Pick<NavigationInput, 'attribution' | 'externalReferrer' | 'url'>,
): PendingLanding | undefined {
  if (input.attribution === undefined && input.externalReferrer === undefined) return undefined;
  const landing: PendingLanding = { landingUrl: input.url.slice(0, MAX_CARRIED_URL_LENGTH) };
  if (input.attribution !== undefined) {
    const attribution: Attribution = {};
    for (const key in input.attribution) {
      attribution[key] = (input.attribution[key] as string).slice(0, MAX_CARRIED_VALUE_LENGTH);
    }
    landing.attribution = attribution;
  }
  if (input.externalReferrer !== undefined)
    landing.referrer = input.externalReferrer.slice(0, MAX_CARRIED_URL_LENGTH);
  return landing;
}
