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
 * The JSON of a `page_view` wire event (docs/api.md), written directly: this runs for every page view, and a
 * generic stringify of an event object costs twice as much. `event_id` (a UUIDv7) and the ISO timestamp
 * are given; `url`, `path`, `referrer`, `user_agent`, UTM values and click ids go in `properties`, and a
 * redirected landing's UTM values, referrer and URL (`landing_url`) when this page takes them over.
 * Exactly what `JSON.stringify` of that event gives. Ids, timestamp and property names never need escaping.
 */
export function serializePageView(input: PageViewInput, eventId: string, timestamp: string): string {
  let json = `{"event_id":"${eventId}","event_type":"${PAGE_VIEW_EVENT}","visitor_id":"${input.visitorId}","session_id":"${input.sessionId}","timestamp":"${timestamp}","properties":{"url":${jsonString(input.url)},"path":${jsonString(input.path)}`;
  let referrer = input.referrer;
  const carried = input.carried;
  if (carried !== undefined) {
    referrer ??= carried.referrer;
    if (carried.landingUrl !== undefined) json += `,"landing_url":${jsonString(carried.landingUrl)}`;
  }
  if (referrer !== undefined && referrer !== '') json += `,"referrer":${jsonString(referrer)}`;
  if (input.userAgent !== undefined) json += `,"user_agent":${jsonString(input.userAgent)}`;
  const attribution = input.attribution ?? carried?.attribution;
  // Keys are ATTRIBUTION_KEYS only (readAttribution, the session cookie's pending landing).
  if (attribution !== undefined) {
    for (const key in attribution) json += `,"${key}":${jsonString(attribution[key] as string)}`;
  }
  return `${json}}}`;
}

/** Characters JSON.stringify would escape (quotes, backslash, controls) or check (surrogates). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
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

/** docs/api.md: `visitor_id`/`session_id` are 1–255 characters of `[A-Za-z0-9._:-]`. */
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
export function isoTimestamp(ms: number): string {
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
