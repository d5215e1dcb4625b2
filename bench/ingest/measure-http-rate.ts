import autocannon from 'autocannon';
import type { PageViewSource } from './page-view-source.js';

export interface HttpRate {
  seconds: number;
  requests: number;
  /** Events the service answered 202 for (its `accepted`). */
  accepted: number;
  duplicates: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  /** Answers other than 202, by status. */
  otherStatuses: Record<number, number>;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/**
 * Drives `POST /api/v1/events` with autocannon: every request carries `batchSize` fresh page views
 * (a new body per request, built in `setupRequest`), on `connections` keep-alive connections, for
 * `durationSeconds` or exactly `requests` requests, flat out (latency below saturation is
 * `measurePacedLatency`).
 *
 * @example
 * const full = await measureHttpRate(url, key, source, { requests: 6000, connections: 32, batchSize: 50 });
 */
export async function measureHttpRate(
  baseUrl: string,
  apiKey: string,
  source: PageViewSource,
  options: { connections: number; batchSize: number } & ({ durationSeconds: number } | { requests: number }),
): Promise<HttpRate> {
  let accepted = 0;
  let duplicates = 0;
  const otherStatuses: Record<number, number> = {};
  const result = await autocannon({
    url: `${baseUrl}/api/v1/events`,
    connections: options.connections,
    // A fixed number of requests waits for every answer; a duration drops the ones in flight at the end,
    // whose events may be stored all the same.
    ...('requests' in options ? { amount: options.requests } : { duration: options.durationSeconds }),
    timeout: 30,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({ ...request, body: source.nextBody(options.batchSize) }),
        onResponse: (status, body) => {
          if (status === 202) {
            const answer = JSON.parse(body) as { accepted: number; duplicates: number };
            accepted += answer.accepted;
            duplicates += answer.duplicates;
          } else otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
        },
      },
    ],
  });
  const seconds = result.duration;
  return {
    seconds,
    requests: result.requests.total,
    accepted,
    duplicates,
    eventsPerSecond: accepted / seconds,
    requestsPerSecond: result.requests.total / seconds,
    otherStatuses,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
