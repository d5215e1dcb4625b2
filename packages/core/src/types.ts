/**
 * Public types of @mbuzz/core. This file is the contract between core and the adapters
 * (@mbuzz/express, koa, fastify, next): change it on purpose, and both sides at once.
 */

/** One event as sent on the wire (docs/api.md, POST /api/v1/events). */
export interface WireEvent {
  event_id: string;
  event_type: string;
  visitor_id: string;
  session_id?: string;
  /** ISO 8601 with zone. */
  timestamp: string;
  properties: Record<string, unknown>;
}

/** Server answer for a batch (202 or 422). */
export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; errors: string[] }>;
}

/**
 * Delivers one batch. `createHttpTransport` is the real one; `@mbuzz/core/testing` has a memory one.
 * Must never reject: every failure is a resolved `{ ok: false }`.
 */
export interface Transport {
  send(events: WireEvent[], signal?: AbortSignal): Promise<SendResult>;
  /**
   * Optional fast path used by the batch queue when present: the same delivery as `send`, but the
   * events arrive already serialized (the queue measures each event's size by serializing it once at
   * enqueue, and reuses that JSON for the request body instead of stringifying twice). A transport
   * without it gets `send()` with the events parsed back. Same contract as `send`: never rejects.
   */
  sendSerialized?(batch: SerializedBatch, signal?: AbortSignal): Promise<SendResult>;
}

/** A batch of events already serialized one by one (`JSON.stringify(event)`), in batch order. */
export interface SerializedBatch {
  /** Each event's JSON. The request body is `{"events":[` + json.join(',') + `]}`. */
  readonly json: readonly string[];
  /** `event_id` of each event, same order (for reports: 422 index → id, drops). */
  readonly ids: readonly string[];
}

export type SendResult =
  | { ok: true; answer: BatchAnswer }
  /** `retryable: true` — nothing was stored, the same events may be sent again later. */
  | { ok: false; retryable: boolean; error: MbuzzError };

export type MbuzzErrorCode =
  | 'config'
  | 'network'
  | 'timeout'
  | 'http'
  | 'rejected'
  | 'queue_full'
  | 'aborted'
  | 'internal';

/** Every failure the SDK reports to `onError` is one of these. */
export interface MbuzzError extends Error {
  code: MbuzzErrorCode;
  /** HTTP status, when there was an answer. */
  status?: number;
  /** Events concerned (dropped, rejected, or given up on). */
  eventIds?: string[];
}

export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info?(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/**
 * The neutral view of an incoming request that every adapter builds (one function per adapter).
 * Header names are lower-case.
 */
export interface RequestView {
  method: string;
  /** Absolute URL as the visitor saw it, e.g. `https://shop.example/pricing?utm_source=x`. */
  url: string;
  /** Lower-case header names; a header repeated may be an array. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed cookies when the framework already has them; otherwise core parses `headers.cookie`. */
  cookies?: Record<string, string | undefined>;
}

/** A cookie core wants set on the response. `header` is the ready-to-send `Set-Cookie` value. */
export interface CookieToSet {
  name: string;
  value: string;
  header: string;
  options: {
    maxAgeSeconds: number;
    httpOnly: true;
    sameSite: 'lax';
    secure: boolean;
    path: '/';
  };
}

/**
 * Per-request tracking state returned by `client.begin(view)`. Ids are known as soon as `begin` returns
 * (so handlers can `track()`); the page view is decided by `end(status)` once the status is known.
 */
export interface RequestTracking {
  /**
   * Visitor id for this request: from a valid `_mbuzz_vid` cookie, or newly minted for a navigation.
   * On another request without the cookie it is `undefined` until `track()` is called, which then uses
   * a fresh id for this request only (never stored in a cookie).
   */
  readonly visitorId: string | undefined;
  /** Session id for this request (from a valid `_mbuzz_sid` cookie, or new for a navigation that starts a session). */
  readonly sessionId: string | undefined;
  /** Whether this request is a candidate page view (a real document navigation, not skipped, not a bot). */
  readonly isNavigation: boolean;
  /**
   * Cookies to set on the response. Only navigations get cookies (sub-requests never mint ids), and
   * none for an error status (≥ 400). Call before headers are sent; pass the status if it is known at
   * that point: a redirect (3xx except 304) stores the landing attribution in the session cookie for
   * the next page view. Without a status nothing is carried.
   */
  cookies(status?: number): CookieToSet[];
  /** Custom event with this request's identity, e.g. `track('signup', { plan: 'pro' })`. Never throws. */
  track(eventType: string, properties?: Record<string, unknown>): void;
  /**
   * Call once when the response is finished (status known). Enqueues the page view if this is a
   * navigation answered 2xx or 304 (a reload revalidated from the browser cache), or with no status;
   * a redirect (other 3xx) or an error (≥ 400) is not a page view. Idempotent, never throws.
   */
  end(status?: number): void;
}

export interface CloseResult {
  sent: number;
  dropped: number;
  pending: number;
}

export interface MbuzzClient {
  /** False when disabled or misconfigured: every method is then a cheap no-op. */
  readonly enabled: boolean;
  /** Start tracking one request. Never throws. */
  begin(view: RequestView): RequestTracking;
  /** Queue a custom event for an explicit identity. Never throws. */
  track(input: {
    eventType: string;
    visitorId: string;
    sessionId?: string;
    properties?: Record<string, unknown>;
    timestamp?: Date | string;
  }): void;
  /** Resolves when everything queued before the call has been answered (or given up on). Never rejects. */
  flush(): Promise<void>;
  /** Flush, stop timers, abort what is still in flight at the deadline. Never rejects. */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
}
