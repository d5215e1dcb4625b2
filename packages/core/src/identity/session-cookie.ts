import { ATTRIBUTION_KEYS, type Attribution } from '../events/read-attribution.js';
import { isSessionId } from './random-hex.js';

/**
 * Landing attribution waiting for the page a redirect leads to (`/go?utm_source=x` → 302 → `/pricing`):
 * the redirect is not a page view, so the next page view of the session carries these.
 */
export interface PendingLanding {
  /** UTM values and click ids of the landing URL. */
  attribution?: Attribution;
  /** External referrer of the landing request. */
  referrer?: string;
  /** The landing URL itself (the redirecting one). */
  landingUrl?: string;
}

/** The parsed `_mbuzz_sid` cookie. */
export interface SessionCookie {
  sessionId: string;
  /** Fingerprints of the traffic sources that belong to this session (see `sourceFingerprint`). */
  fingerprints: string[];
  pending: PendingLanding | undefined;
}

/**
 * The cookie value is `<id>[.<fingerprints>[.<pending>]]`: fingerprints are base36 joined by `-`, and the
 * pending landing is base64url JSON. Every character is one that `encodeURIComponent` leaves alone, so the
 * value reads back the same whether a framework URL-decodes cookies or not.
 */
const MAX_FINGERPRINTS = 4;
/** Keeps the whole Set-Cookie header far below the 4096-byte limit browsers enforce. */
const MAX_PENDING_CHARS = 2400;

export function parseSessionCookie(value: string | undefined): SessionCookie | undefined {
  if (value === undefined) return undefined;
  const firstDot = value.indexOf('.');
  const sessionId = firstDot === -1 ? value : value.slice(0, firstDot);
  if (!isSessionId(sessionId)) return undefined;
  if (firstDot === -1) return { sessionId, fingerprints: [], pending: undefined };

  // Malformed state keeps the (valid) session but is otherwise ignored.
  const secondDot = value.indexOf('.', firstDot + 1);
  const stop = secondDot === -1 ? value.length : secondDot;
  const fingerprints: string[] = [];
  // `-`-separated, scanned in place: only the fingerprints kept are sliced out.
  for (let from = firstDot + 1; from <= stop && fingerprints.length < MAX_FINGERPRINTS; ) {
    let dash = value.indexOf('-', from);
    if (dash === -1 || dash > stop) dash = stop;
    if (isFingerprint(value, from, dash)) fingerprints.push(value.slice(from, dash));
    from = dash + 1;
  }
  const pending = secondDot === -1 ? undefined : decodePending(value.slice(secondDot + 1));
  return { sessionId, fingerprints, pending };
}

/** `text[start, end)` is 1–8 characters of [0-9a-z]. */
function isFingerprint(text: string, start: number, end: number): boolean {
  if (end <= start || end - start > 8) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

export function formatSessionCookie(cookie: SessionCookie): string {
  let fingerprints = '';
  let count = 0;
  const all = cookie.fingerprints;
  for (let i = 0; i < all.length && count < MAX_FINGERPRINTS; i++) {
    const fingerprint = all[i] as string;
    if (fingerprint === '' || all.indexOf(fingerprint) !== i) continue; // empty or repeated
    fingerprints = count === 0 ? fingerprint : `${fingerprints}-${fingerprint}`;
    count++;
  }
  const pending = cookie.pending ? encodePending(cookie.pending) : '';
  if (pending !== '') return `${cookie.sessionId}.${fingerprints}.${pending}`;
  return count > 0 ? `${cookie.sessionId}.${fingerprints}` : cookie.sessionId;
}

/**
 * A short, stable digest of a traffic source (FNV-1a, base36): the landing URL's UTM values and click
 * ids when it has any, else the external referrer's site. `''` for no source (direct or internal).
 * Only compared for equality, never reversed.
 */
export function sourceFingerprint(
  attribution: Attribution | undefined,
  referrerSite: string | undefined,
): string {
  let hash: number;
  if (attribution !== undefined) {
    // Each `key=value` pair hashed alone and the pair hashes summed: the same parameters in any order
    // of the query string give the same fingerprint, without sorting.
    hash = 0x71; // 'q'
    for (const key in attribution) {
      const value = attribution[key] as string;
      hash = (hash + Math.imul(fnv(fnv(FNV_OFFSET, key) ^ 0x3d, value) ^ 0x0a, 0x01000193)) | 0;
    }
  } else if (referrerSite) {
    hash = fnv(fnv(FNV_OFFSET, 'r\n'), referrerSite);
  } else {
    return '';
  }
  return (hash >>> 0).toString(36);
}

const FNV_OFFSET = 0x811c9dc5;
function fnv(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

function encodePending(pending: PendingLanding): string {
  const compact: { a?: Attribution; r?: string; u?: string } = {};
  if (pending.attribution) compact.a = { ...pending.attribution };
  if (pending.referrer) compact.r = pending.referrer;
  if (pending.landingUrl) compact.u = pending.landingUrl;
  if (!compact.a && !compact.r) return ''; // a landing URL alone carries no attribution

  let encoded = toBase64Url(JSON.stringify(compact));
  // Over budget: give up the least useful parts first. The UTM values are what the first touch needs.
  if (encoded.length > MAX_PENDING_CHARS) {
    delete compact.u;
    encoded = toBase64Url(JSON.stringify(compact));
  }
  if (encoded.length > MAX_PENDING_CHARS && compact.r) {
    compact.r = compact.r.slice(0, 200);
    encoded = toBase64Url(JSON.stringify(compact));
  }
  if (encoded.length > MAX_PENDING_CHARS && compact.a) {
    for (const key of Object.keys(compact.a)) compact.a[key] = (compact.a[key] as string).slice(0, 60);
    encoded = toBase64Url(JSON.stringify(compact));
  }
  return encoded.length > MAX_PENDING_CHARS ? '' : encoded;
}

function decodePending(text: string): PendingLanding | undefined {
  if (text.length > MAX_PENDING_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(text));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { a, r, u } = parsed as { a?: unknown; r?: unknown; u?: unknown };
  const pending: PendingLanding = {};
  if (a !== null && typeof a === 'object') {
    const attribution: Attribution = {};
    let any = false;
    for (const key of ATTRIBUTION_KEYS) {
      const value = (a as Record<string, unknown>)[key];
      if (typeof value === 'string' && value !== '') {
        attribution[key] = value;
        any = true;
      }
    }
    if (any) pending.attribution = attribution;
  }
  if (typeof r === 'string' && r !== '') pending.referrer = r;
  if (typeof u === 'string' && u !== '') pending.landingUrl = u;
  return pending.attribution || pending.referrer ? pending : undefined;
}

// btoa/atob and TextEncoder exist on Node ≥ 16 and on every Edge runtime (no Buffer on the Edge).
function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
