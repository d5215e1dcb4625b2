import { createMbuzzError } from '../errors.js';
import type { MbuzzErrorCode, SendResult, Transport, WireEvent } from '../types.js';

/** A failure the memory transport answers with. A bare code is retryable unless it is `http`/`rejected`. */
export type MemoryFailure =
  | MbuzzErrorCode
  | { code?: MbuzzErrorCode; status?: number; retryable?: boolean; message?: string };

export interface MemoryTransportOptions {
  /**
   * Makes deliveries fail: a failure for every send, or a function deciding per send
   * (`attempt` counts every `send` call from 1; return `undefined` to succeed).
   */
  failWith?: MemoryFailure | ((events: WireEvent[], attempt: number) => MemoryFailure | undefined);
}

/** A transport that keeps what it is sent, for tests. */
export interface MemoryTransport extends Transport {
  /** Accepted batches in arrival order (each a copy of the events sent). */
  readonly batches: WireEvent[][];
  /** Every accepted event once, in arrival order; a resent `event_id` is counted as a duplicate like the server does. */
  readonly events: WireEvent[];
  /** `send` calls so far, failed ones included. */
  readonly attempts: number;
  /** Resent events the transport had already accepted. */
  readonly duplicates: number;
  /** Changeable at any time (e.g. fail, then recover). */
  failWith: MemoryTransportOptions['failWith'];
  /** Forgets everything recorded (not `failWith`). */
  reset(): void;
}

/**
 * An in-memory transport for adapter and app tests: pass it as `createClient({ transport })` (no API key
 * needed), then `await client.flush()` and read `transport.events`.
 *
 * @example
 * ```ts
 * import { createMemoryTransport } from '@mbuzz/core/testing';
 * const transport = createMemoryTransport();
 * const mbuzz = createClient({ transport });
 * // … drive a request …
 * await mbuzz.flush();
 * expect(transport.events[0]?.event_type).toBe('page_view');
 * ```
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const batches: WireEvent[][] = [];
  const events: WireEvent[] = [];
  const seen = new Set<string>();
  let attempts = 0;
  let duplicates = 0;

  const transport: MemoryTransport = {
    batches,
    events,
    get attempts() {
      return attempts;
    },
    get duplicates() {
      return duplicates;
    },
    failWith: options.failWith,
    async send(sent: WireEvent[]): Promise<SendResult> {
      attempts++;
      const failWith = transport.failWith;
      const failure = typeof failWith === 'function' ? failWith(sent, attempts) : failWith;
      if (failure !== undefined) return toFailure(failure, sent);
      const copy = structuredClone(sent);
      batches.push(copy);
      let fresh = 0;
      for (const event of copy) {
        if (seen.has(event.event_id)) {
          duplicates++;
          continue;
        }
        seen.add(event.event_id);
        events.push(event);
        fresh++;
      }
      return { ok: true, answer: { accepted: copy.length, duplicates: copy.length - fresh, rejected: [] } };
    },
    reset() {
      batches.length = 0;
      events.length = 0;
      seen.clear();
      attempts = 0;
      duplicates = 0;
    },
  };
  return transport;
}

function toFailure(failure: MemoryFailure, events: WireEvent[]): SendResult {
  const spec = typeof failure === 'string' ? { code: failure } : failure;
  const code = spec.code ?? 'network';
  const retryable = spec.retryable ?? (code !== 'http' && code !== 'rejected');
  const error = createMbuzzError(code, spec.message ?? `memory transport failed with ${code}`, {
    status: spec.status,
    eventIds: events.map((e) => e.event_id),
  });
  return { ok: false, retryable, error };
}
