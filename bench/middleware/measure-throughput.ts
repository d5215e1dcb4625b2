import autocannon from 'autocannon';

export interface Throughput {
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
}

/**
 * Requests per second of `GET url` with the given headers, after a short warm-up (JIT, connection
 * pools, the trackers' first flushes) that is not counted.
 *
 * @example
 * const { requestsPerSecond } = await measureThroughput(url, headers, { durationSeconds: 3 });
 */
export async function measureThroughput(
  url: string,
  headers: Record<string, string>,
  options: { durationSeconds: number; warmupSeconds: number; connections: number },
): Promise<Throughput> {
  const run = (duration: number) =>
    autocannon({ url, headers, duration, connections: options.connections, pipelining: 1 });
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  const result = await run(options.durationSeconds);
  return { requestsPerSecond: result.requests.average, non2xx: result.non2xx, errors: result.errors };
}
