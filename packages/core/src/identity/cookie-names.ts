/** Visitor cookie: 64 lowercase hex, 2 years, refreshed on each tracked page view (docs/api.md). */
export const VISITOR_COOKIE = '_mbuzz_vid';
/** Session cookie: 32 lowercase hex, optionally `.`-separated SDK state; 30 minutes, sliding (docs/api.md). */
export const SESSION_COOKIE = '_mbuzz_sid';
/** 2 years. */
export const VISITOR_MAX_AGE_SECONDS = 2 * 365 * 24 * 60 * 60;
/** 30 minutes. */
export const SESSION_MAX_AGE_SECONDS = 30 * 60;
