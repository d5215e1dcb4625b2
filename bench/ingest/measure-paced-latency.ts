import { Agent, request } from 'node:http';
import type { HttpRate } from './measure-http-rate.js';
import type { PageViewSource } from './page-view-source.js';

/**
 * Latency below saturation: `POST /api/v1/events` at a steady `ratePerSecond`, one request every
 * 1/rate s on a fixed schedule (open loop), over at most `connections` keep-alive connections.
 * Each latency is counted from the request's scheduled start, so a request that had to wait for a free
 * connection is charged for the wait (no coordinated omission).
 *
 * Not autocannon's `overallRate`: that lets every connection send back to back until its quota for the
 * current second is used up and then pause until the next second, so the load arrives as a flat-out burst
 * at the start of each second and the percentiles describe the burst, not the rate.
 *
 * @example
 * const half = await measurePacedLatency(url, key, source, { ratePerSecond: 200, requests: 2400, connections: 16, batchSize: 50 });
 */
export async function measurePacedLatency(
  baseUrl: string,
  apiKey: string,
  source: PageViewSource,
  options: { ratePerSecond: number; requests: number; connections: number; batchSize: number },
): Promise<HttpRate> {
  const url = new URL('/api/v1/events', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  const otherStatuses: Record<number, number> = {};
  let accepted = 0;
  let duplicates = 0;
  let errors = 0;

  const send = (scheduledAt: number) =>
    new Promise<void>((resolve) => {
      const body = source.nextBody(options.batchSize);
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 202) {
              latencies.push(performance.now() - scheduledAt);
              const answer = JSON.parse(Buffer.concat(chunks).toString()) as {
                accepted: number;
                duplicates: number;
              };
              accepted += answer.accepted;
              duplicates += answer.duplicates;
            } else otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });

  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < options.requests; i++) {
    const scheduledAt = started + i * intervalMs;
    const wait = scheduledAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(scheduledAt));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies.length === 0
      ? Number.NaN
      : Math.round(
          (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] as number) * 10,
        ) / 10;
  return {
    seconds,
    requests: options.requests,
    accepted,
    duplicates,
    eventsPerSecond: accepted / seconds,
    requestsPerSecond: options.requests / seconds,
    otherStatuses,
    errors,
    timeouts: 0,
    latencyP50Ms: percentile(0.5),
    latencyP99Ms: percentile(0.99),
  };
}
