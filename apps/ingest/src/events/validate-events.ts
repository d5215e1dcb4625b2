import { randomUUID } from 'node:crypto';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { eventChecker, FIELD_MESSAGES } from './event-schema.js';
import { CLICK_ID_KEYS, extractTouch, type Touch, UTM_KEYS } from './extract-touch.js';
import { parseTimestamp } from './parse-timestamp.js';

/** An event that passed validation, normalised for storage. */
export interface ValidEvent {
  /** Position in the batch as sent. */
  index: number;
  eventId: string;
  eventType: string;
  visitorId: string;
  sessionId: string | null;
  /** ISO 8601 as sent (Postgres keeps its microseconds), or the time of receipt. */
  occurredAt: string;
  properties: Record<string, unknown>;
  /** `properties` serialized once, reused for the database write. */
  propertiesJson: string;
  touch: Touch;
}

export interface RejectedEvent {
  index: number;
  errors: string[];
}

export const MAX_PROPERTIES_BYTES = 32 * 1024;
export const MAX_PROPERTIES_DEPTH = 32;
const MAX_ERRORS_PER_EVENT = 20;
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;
const STRING_PROPERTIES = new Set([
  'url',
  'landing_url',
  'path',
  'referrer',
  'user_agent',
  ...UTM_KEYS,
  ...CLICK_ID_KEYS,
]);
// Postgres text and jsonb refuse NUL and unpaired UTF-16 surrogates (both are valid in JSON strings).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);
// The same in JSON.stringify output: an escaped NUL or escaped lone surrogate (well-formed stringify
// escapes only unpaired ones) preceded by an even number of backslashes.
const UNSTORABLE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * Checks every event on its own and gathers all problems of each, so one bad event never sinks its batch.
 *
 * @example
 * const { valid, rejected } = validateEvents(body.events, { now: Date.now() });
 */
export function validateEvents(
  events: readonly unknown[],
  options: { now: number },
): { valid: ValidEvent[]; rejected: RejectedEvent[] } {
  const valid: ValidEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const receivedAt = new Date(options.now).toISOString();
  for (let index = 0; index < events.length; index += 1) {
    const result = validateEvent(events[index], index, options.now, receivedAt);
    // Bounded, so an event with thousands of unknown fields cannot blow up the answer.
    if (Array.isArray(result)) rejected.push({ index, errors: result.slice(0, MAX_ERRORS_PER_EVENT) });
    else valid.push(result);
  }
  return { valid, rejected };
}

function validateEvent(raw: unknown, index: number, now: number, receivedAt: string): ValidEvent | string[] {
  if (!eventChecker.Check(raw)) return schemaErrors(raw);
  const errors: string[] = [];

  if (unstorable(raw.event_type)) {
    errors.push('event_type must not contain NUL or unpaired surrogate characters');
  }

  let occurredAt = receivedAt;
  if (raw.timestamp != null) {
    const ms = parseTimestamp(raw.timestamp);
    if (ms === undefined) errors.push(FIELD_MESSAGES.timestamp as string);
    else if (ms > now + FUTURE_TOLERANCE_MS) errors.push('timestamp is more than 1 hour in the future');
    else occurredAt = raw.timestamp;
  }

  const properties = raw.properties ?? {};
  let propertiesJson = '{}';
  if (depthExceeds(properties, MAX_PROPERTIES_DEPTH)) {
    errors.push(`properties must not be nested deeper than ${MAX_PROPERTIES_DEPTH} levels`);
  } else {
    // The event's own keys (a handful), not a lookup of each of the names (most of them absent).
    for (const key in properties) {
      if (!STRING_PROPERTIES.has(key)) continue;
      const value = properties[key];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        errors.push(`properties.${key} must be a string`);
      }
    }
    propertiesJson = JSON.stringify(properties);
    // UTF-16 length × 3 bounds the UTF-8 size, so most events skip the exact count.
    const bytes =
      propertiesJson.length * 3 <= MAX_PROPERTIES_BYTES
        ? propertiesJson.length
        : Buffer.byteLength(propertiesJson);
    if (bytes > MAX_PROPERTIES_BYTES) {
      errors.push(`properties must be at most 32 KiB serialized (got ${bytes} bytes)`);
    } else if (propertiesJson.includes('\\u') && UNSTORABLE_ESCAPE.test(propertiesJson)) {
      errors.push('properties must not contain NUL (\\u0000) or unpaired surrogate characters');
    }
  }
  if (errors.length > 0) return errors;

  const { touch, utmFromUrl } = extractTouch(properties);
  if (utmFromUrl !== undefined) {
    // UTM values of `url` are stored in the properties too; explicit values are never among them. They
    // are appended to the JSON already made rather than stringifying the properties again: a key that
    // is present but blank or not a string is thereby given twice, and jsonb keeps the last one.
    let added = '';
    for (const key in utmFromUrl) added += `,"${key}":${JSON.stringify(utmFromUrl[key])}`;
    propertiesJson =
      propertiesJson === '{}' ? `{${added.slice(1)}}` : `${propertiesJson.slice(0, -1)}${added}}`;
  }
  return {
    index,
    eventId: raw.event_id?.toLowerCase() ?? randomUUID(),
    eventType: raw.event_type,
    visitorId: raw.visitor_id,
    sessionId: raw.session_id ?? null,
    occurredAt,
    properties,
    propertiesJson,
    touch,
  };
}

function schemaErrors(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ['event must be a JSON object'];
  const errors = new Set<string>();
  for (const error of eventChecker.Errors(raw)) {
    const field = error.path.split('/')[1] ?? '';
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      errors.add(`unknown field: ${field.replaceAll('~1', '/').replaceAll('~0', '~').slice(0, 100)}`);
    } else if (error.type === ValueErrorType.ObjectRequiredProperty) {
      errors.add(`${field} is required`);
    } else {
      errors.add(FIELD_MESSAGES[field] ?? `${field} is invalid`);
    }
  }
  // A missing required field also fails its type check; the "is required" line says it all.
  for (const field of Object.keys(FIELD_MESSAGES)) {
    if (errors.has(`${field} is required`)) errors.delete(FIELD_MESSAGES[field] as string);
  }
  return [...errors];
}

/** Iterative, so a hostile nesting depth cannot overflow the stack. Stops at the first level past `max`. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) return true;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
