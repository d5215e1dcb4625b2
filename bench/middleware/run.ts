import { type BenchChild, startBenchChild } from './bench-child.js';
import type { Framework, Variant } from './bench-server.js';
import { measureThroughput } from './measure-throughput.js';
import { NAVIGATION_HEADERS, PAGE_PATH, returningVisitorCookie } from './navigation.js';
import { printResults, type Samples } from './print-results.js';

/**
 * `pnpm bench:middleware`: requests/s of a small HTML route per framework — bare, with the mbuzz
 * adapter, with posthog-node and with @segment/analytics-node in a middleware, all sending to one
 * local sink — measured alternately (every variant once per round, order rotated each round, each
 * server in its own process) and printed as ratios to bare of the same round.
 * Env: BENCH_ROUNDS (3), BENCH_DURATION_S (3), BENCH_WARMUP_S (0.5), BENCH_CONNECTIONS (10),
 * BENCH_FRAMEWORKS (express,koa,fastify), BENCH_VARIANTS (bare,mbuzz,posthog,segment; add mbuzz-nosend to
 * see the adapter's request path without delivery).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 0.5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PAUSE_MS = 300;
const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS ?? 'express,koa,fastify').split(',') as Framework[];
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'bare,mbuzz,posthog,segment').split(',') as Variant[];
if (VARIANTS[0] !== 'bare') throw new Error('BENCH_VARIANTS must start with bare: every ratio is to bare');
// Key-shaped, so the adapter is enabled; the sink accepts anything.
const API_KEY = 'sk_test_0123456789abcdef0123456789abcdef';

const push = (map: Map<string, number[]>, key: string, value: number) =>
  map.set(key, [...(map.get(key) ?? []), value]);

async function main(): Promise<void> {
  const started = Date.now();
  const children = new Set<BenchChild>();
  const killAll = () => {
    for (const child of children) child.process.kill('SIGKILL');
  };
  process.once('SIGINT', () => {
    killAll();
    process.exit(130);
  });
  try {
    const sink = await startBenchChild('middleware/sink.ts', [], {});
    children.add(sink);
    const sinkUrl = `http://127.0.0.1:${sink.port}`;
    const env = { SINK_URL: sinkUrl, MBUZZ_API_KEY: API_KEY };
    const headers = { ...NAVIGATION_HEADERS, cookie: await returningVisitorCookie(env) };
    console.log(
      `bench:middleware — ${ROUNDS} rounds × ${FRAMEWORKS.length} frameworks × ${VARIANTS.length} variants, ` +
        `${DURATION_S} s each (+${WARMUP_S} s warm-up), ${CONNECTIONS} connections, GET ${PAGE_PATH} ` +
        "as a Chrome navigation with a returning visitor's cookies\n",
    );
    // One process per framework × variant, all started up front and kept for every round (spawning
    // one per window would cost more than the windows); only the one being measured gets traffic.
    const servers = new Map<string, BenchChild>();
    await Promise.all(
      FRAMEWORKS.flatMap((framework) =>
        VARIANTS.map(async (variant) => {
          const server = await startBenchChild('middleware/bench-server.ts', [framework, variant], env);
          children.add(server);
          servers.set(`${framework}/${variant}`, server);
        }),
      ),
    );
    const samples: Samples = { rps: new Map(), rpsRatio: new Map(), cpu: new Map(), cpuRatio: new Map() };
    const problems: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const framework of FRAMEWORKS) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
        const rps = new Map<Variant, number>();
        const cpu = new Map<Variant, number>();
        for (const variant of order) {
          const server = servers.get(`${framework}/${variant}`) as BenchChild;
          const result = await measureThroughput(`http://127.0.0.1:${server.port}${PAGE_PATH}`, headers, {
            durationSeconds: DURATION_S,
            warmupSeconds: WARMUP_S,
            connections: CONNECTIONS,
            cpuUsageUrl: `http://127.0.0.1:${server.cpuPort}/`,
          });
          if (result.non2xx > 0 || result.errors > 0) {
            problems.push(
              `${framework}/${variant} round ${round + 1}: ${result.non2xx} non-2xx, ${result.errors} errors`,
            );
          }
          rps.set(variant, result.requestsPerSecond);
          cpu.set(variant, result.cpuMicrosPerRequest);
          // Let the trackers send what the window left queued before the next server is measured.
          await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        }
        for (const variant of VARIANTS) {
          const key = `${framework}/${variant}`;
          push(samples.rps, key, rps.get(variant) ?? Number.NaN);
          push(samples.cpu, key, cpu.get(variant) ?? Number.NaN);
          push(samples.rpsRatio, key, (rps.get(variant) ?? Number.NaN) / (rps.get('bare') ?? Number.NaN));
          push(samples.cpuRatio, key, (cpu.get(variant) ?? Number.NaN) / (cpu.get('bare') ?? Number.NaN));
        }
        console.log(
          `round ${round + 1}  ${framework.padEnd(8)}` +
            VARIANTS.map(
              (v) => `${v} ${Math.round(rps.get(v) ?? 0)} req/s ${(cpu.get(v) ?? 0).toFixed(0)} µs`,
            ).join('  '),
        );
      }
    }
    printResults(samples, FRAMEWORKS, VARIANTS);
    const delivered = (await (await fetch(`${sinkUrl}/stats`)).json()) as Record<string, number>;
    console.log(
      `\nthe sink received: mbuzz ${delivered.mbuzz} events in ${delivered.mbuzzRequests} requests, ` +
        `posthog-node ${delivered.posthog} requests (gzipped), segment ${delivered.segment} events in ` +
        `${delivered.segmentRequests} requests (what was still queued at the end is not counted)`,
    );
    if (problems.length > 0) console.log(`\nproblems:\n  ${problems.join('\n  ')}`);
    console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    killAll();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
