import type { Outcome } from './batch-sender.js';

/** One answer of a fault scenario, stamped with when its request started (epoch ms). */
export interface TimelineEntry {
  at: number;
  status: number | 'network';
  code: string | undefined;
  retryAfter: string | undefined;
  latencyMs: number;
}

/**
 * Records every answer during a fault, so the test can say what the service answered in each phase.
 *
 * @example
 * const timeline = createTimeline();
 * await runLoad({ ..., onOutcome: timeline.record });
 * timeline.between(downAt, upAt);
 */
export function createTimeline() {
  const entries: TimelineEntry[] = [];
  return {
    entries,
    record(outcome: Outcome, at: number): void {
      entries.push({
        at,
        status: outcome.status,
        code: outcome.code,
        retryAfter: outcome.retryAfter,
        latencyMs: outcome.latencyMs,
      });
    },
    /** Answers to requests started in [from, to). */
    between(from: number, to: number): TimelineEntry[] {
      return entries.filter((entry) => entry.at >= from && entry.at < to);
    },
    /** First answer with `status` to a request started at or after `from`. */
    firstAfter(from: number, status: number): TimelineEntry | undefined {
      return entries
        .filter((entry) => entry.at >= from && entry.status === status)
        .sort((a, b) => a.at - b.at)[0];
    },
  };
}

/** `{ "202": 10, "503": 4 }` from a list of answers. */
export function countStatuses(entries: readonly TimelineEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[String(entry.status)] = (counts[String(entry.status)] ?? 0) + 1;
  return counts;
}
