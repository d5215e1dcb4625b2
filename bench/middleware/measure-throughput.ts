import autocannon from 'autocannon';

export interface Throughput {
  requestsPerSecond: number;
  /** Server CPU time (user + system) per answered request, in microseconds; NaN without `cpuUsageUrl`. */
  cpuMicrosPerRequest: number;
  non2xx: number;
  errors: number;
}

const cpuUsage = async (url: string): Promise<number> => {
  const usage = (await (await fetch(url)).json()) as { user: number; system: number };
  return usage.user + usage.system;
};

/**
 * Requests per second of `GET url` with the given headers, after a short warm-up (JIT, connection
 * pools, the trackers' first flushes) that is not counted. With `cpuUsageUrl` (the server's
 * `process.cpuUsage()`), also the server's CPU time per request over the measured window.
 *
 * @example
 * const { requestsPerSecond } = await measureThroughput(url, headers, { durationSeconds: 3, warmupSeconds: 0.5, connections: 10 });
 */
export async function measureThroughput(
  url: string,
  headers: Record<string, string>,
  options: { durationSeconds: number; warmupSeconds: number; connections: number; cpuUsageUrl?: string },
): Promise<Throughput> {
  const run = (duration: number) =>
    autocannon({ url, headers, duration, connections: options.connections, pipelining: 1 });
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  const cpuBefore = options.cpuUsageUrl ? await cpuUsage(options.cpuUsageUrl) : Number.NaN;
  const result = await run(options.durationSeconds);
  const cpuAfter = options.cpuUsageUrl ? await cpuUsage(options.cpuUsageUrl) : Number.NaN;
  return {
    requestsPerSecond: result.requests.average,
    cpuMicrosPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
