import type { PendingLanding } from '../identity/session-cookie.js';
import type { WireEvent } from '../types.js';
import { createEventId } from './create-event-id.js';
import type { Attribution } from './read-attribution.js';

/** The event type of page views. */
export const PAGE_VIEW_EVENT = 'page_view';

export interface PageViewInput {
  visitorId: string;
  sessionId: string;
  /** Absolute page URL as the visitor saw it. */
  url: string;
  path: string;
  referrer: string | undefined;
  userAgent: string | undefined;
  /** UTM values and click ids of `url` (already parsed by the caller; the server would find the same). */
  attribution: Attribution | undefined;
  /** Attribution of a redirected landing that this page takes over. */
  carried: PendingLanding | undefined;
}

/**
 * A `page_view` wire event: UUIDv7 `event_id`, ISO timestamp, and `url`, `path`, `referrer`,
 * `user_agent`, UTM values and click ids in `properties` (API.md). A redirected landing's UTM values,
 * referrer and URL (`landing_url`) are added when this page takes them over.
 *
 * @example
 * ```ts
 * buildPageViewEvent({ visitorId, sessionId, url: 'https://a.example/?utm_source=x', path: '/', referrer: undefined,
 *   userAgent: 'Mozilla/5.0 …', attribution: { utm_source: 'x' }, carried: undefined });
 * ```
 */
export function buildPageViewEvent(input: PageViewInput): WireEvent {
  const properties: Record<string, unknown> = { url: input.url, path: input.path };
  let referrer = input.referrer;
  if (input.carried !== undefined) {
    referrer ??= input.carried.referrer;
    if (input.carried.landingUrl !== undefined) properties.landing_url = input.carried.landingUrl;
  }
  if (referrer !== undefined && referrer !== '') properties.referrer = referrer;
  if (input.userAgent !== undefined) properties.user_agent = input.userAgent;
  const attribution = input.attribution ?? input.carried?.attribution;
  if (attribution !== undefined) Object.assign(properties, attribution);
  const now = Date.now();
  return {
    event_id: createEventId(now),
    event_type: PAGE_VIEW_EVENT,
    visitor_id: input.visitorId,
    session_id: input.sessionId,
    timestamp: isoTimestamp(now),
    properties,
  };
}

export interface CustomEventInput {
  eventType: string;
  visitorId: string;
  sessionId: string | undefined;
  properties: Record<string, unknown> | undefined;
  /** When it happened; default now. */
  timestamp?: Date | string | undefined;
}

/**
 * A custom event (`track('signup', { plan: 'pro' })`). Returns an error message instead of an event when
 * the input is invalid: callers report it and drop the event, nothing is thrown.
 */
export function buildCustomEvent(input: CustomEventInput): WireEvent | string {
  const problem = checkCustomEvent(input);
  if (problem !== undefined) return problem;
  const event: WireEvent = {
    event_id: createEventId(),
    event_type: input.eventType,
    visitor_id: input.visitorId,
    timestamp: toTimestamp(input.timestamp) as string,
    // Copied: the caller may change its object after track() returns.
    properties: input.properties === undefined ? {} : { ...input.properties },
  };
  if (input.sessionId !== undefined) event.session_id = input.sessionId;
  return event;
}

/** API.md: `visitor_id`/`session_id` are 1–255 characters of `[A-Za-z0-9._:-]`. */
const WIRE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;

function checkCustomEvent(input: CustomEventInput): string | undefined {
  const { eventType, properties } = input;
  if (typeof eventType !== 'string' || eventType.length === 0 || eventType.length > 100) {
    return `event type must be a string of 1–100 characters, got ${describe(eventType)}`;
  }
  if (properties !== undefined && !isPlainObject(properties)) {
    return `properties of "${eventType}" must be a plain object, got ${describe(properties)}`;
  }
  if (typeof input.visitorId !== 'string' || !WIRE_ID_PATTERN.test(input.visitorId)) {
    return `visitor id of "${eventType}" must be 1–255 characters of [A-Za-z0-9._:-]`;
  }
  if (
    input.sessionId !== undefined &&
    (typeof input.sessionId !== 'string' || !WIRE_ID_PATTERN.test(input.sessionId))
  ) {
    return `session id of "${eventType}" must be 1–255 characters of [A-Za-z0-9._:-]`;
  }
  if (toTimestamp(input.timestamp) === undefined) {
    return `timestamp of "${eventType}" must be a valid Date or ISO 8601 string`;
  }
  return undefined;
}

// Formatting a date costs more than the rest of an event; busy servers build many per millisecond.
let lastIsoMs = -1;
let lastIso = '';
function isoTimestamp(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function toTimestamp(value: Date | string | undefined): string | undefined {
  if (value === undefined) return isoTimestamp(Date.now());
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return typeof value;
}
