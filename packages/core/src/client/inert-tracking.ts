import type { CookieToSet, RequestTracking } from '../types.js';

const NO_COOKIES: CookieToSet[] = [];

/** What `begin()` returns when the client is a no-op or the request view is unusable. */
export const inertTracking: RequestTracking = Object.freeze({
  visitorId: undefined,
  sessionId: undefined,
  isNavigation: false,
  cookies: () => NO_COOKIES,
  track: () => {},
  end: () => {},
});
