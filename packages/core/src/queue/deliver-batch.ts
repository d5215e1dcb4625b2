import { createMbuzzError } from '../errors.js';
import type { SendResult, SerializedBatch, Transport, WireEvent } from '../types.js';
import type { TakenBatch } from './event-ring.js';

/**
 * Hands one batch to the transport: pre-serialized when it can take that (no second stringify),
 * otherwise parsed back into events. Never rejects, even if a custom transport does.
 */
export async function deliverBatch(
  transport: Transport,
  batch: TakenBatch,
  signal: AbortSignal,
): Promise<SendResult> {
  try {
    if (transport.sendSerialized) {
      const serialized: SerializedBatch = { json: batch.json, ids: batch.ids };
      return await transport.sendSerialized(serialized, signal);
    }
    return await transport.send(
      batch.json.map((json) => JSON.parse(json) as WireEvent),
      signal,
    );
  } catch (cause) {
    // A custom transport broke its promise never to reject: nothing known stored, so retryable.
    return {
      ok: false,
      retryable: true,
      error: createMbuzzError('internal', 'transport threw', { cause, eventIds: batch.ids }),
    };
  }
}

/** Event ids a 422 answer rejects, by index into the batch (bad or repeated indexes ignored). */
export function rejectedEventIds(
  ids: readonly string[],
  rejected: ReadonlyArray<{ index: number }>,
): string[] {
  const out: string[] = [];
  if (!Array.isArray(rejected)) return out;
  const seen = new Set<number>();
  for (const entry of rejected) {
    const index = entry?.index;
    if (Number.isInteger(index) && index >= 0 && index < ids.length && !seen.has(index)) {
      seen.add(index);
      out.push(ids[index] as string);
    }
  }
  return out;
}
