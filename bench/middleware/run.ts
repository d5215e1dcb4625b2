import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Framework, Variant } from './bench-server.js';
import { measureThroughput } from './measure-throughput.js';

/**
 * `pnpm bench:middleware`: requests/s of a small HTML route per framework — bare, with the mbuzz
 * adapter, with posthog-node and with @segment/analytics-node in a middleware — measured alternately
 * (every variant once per round, order rotated each round) and printed as ratios to bare.
 * Env: BENCH_ROUNDS (3), BENCH_DURATION_S (3), BENCH_WARMUP_S (0.5), BENCH_CONNECTIONS (10),
 * BENCH_FRAMEWORKS (express,koa,fastify).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 0.5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS ?? 'express,koa,fastify').split(',') as Framework[];
const VARIANTS: Variant[] = ['bare', 'mbuzz', 'posthog', 'segment'];
const PEERS: Variant[] = ['posthog', 'segment'];
const API_KEY = 'sk_test_0123456789abcdef0123456789abcdef';
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

// Chrome's headers for a link click: every request is a real page view for every tracker.
const NAVIGATION_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  referer: 'http://127.0.0.1/',
};
const PAGE_PATH = '/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch';

interface Child {
  process: ChildProcess;
  port: number;
}

function startChild(script: string, args: string[], env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: BENCH_DIR,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        resolve({ process: child, port: Number(match[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${output}`)));
  });
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

// The cookies the mbuzz adapter gives a first visit; every request then replays them (a returning
// visitor inside a live session, the common case: a session has several page views, one first visit).
async function visitorCookies(sinkUrl: string): Promise<string> {
  const server = await startChild('middleware/bench-server.ts', ['express', 'mbuzz'], {
    SINK_URL: sinkUrl,
    MBUZZ_API_KEY: API_KEY,
  });
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}${PAGE_PATH}`, {
      headers: NAVIGATION_HEADERS,
    });
    const cookies = response.headers.getSetCookie().map((header) => header.split(';')[0]);
    if (!cookies.some((cookie) => cookie?.startsWith('_mbuzz_vid='))) {
      throw new Error(
        `the mbuzz adapter set no visitor cookie on a navigation (got ${JSON.stringify(cookies)})`,
      );
    }
    return cookies.join('; ');
  } finally {
    await stopChild(server);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const pct = (ratio: number) => `${((1 - ratio) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const started = Date.now();
  const sink = await startChild('middleware/sink.ts', [], {});
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  const children = new Set<Child>([sink]);
  const cleanup = () => {
    for (const child of children) child.process.kill('SIGKILL');
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const cookie = await visitorCookies(sinkUrl);
    const headers = { ...NAVIGATION_HEADERS, cookie };
    console.log(
      `bench:middleware — ${ROUNDS} rounds × ${FRAMEWORKS.length} frameworks × ${VARIANTS.length} variants, ` +
        `${DURATION_S} s each (+${WARMUP_S} s warm-up), ${CONNECTIONS} connections, returning visitor's cookies\n`,
    );
    // rps[framework][variant] = one figure per round; ratio[framework][variant] = variant / bare of the same round.
    const rps = new Map<string, number[]>();
    const ratios = new Map<string, number[]>();
    const problems: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const framework of FRAMEWORKS) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
        const thisRound = new Map<Variant, number>();
        for (const variant of order) {
          const server = await startChild('middleware/bench-server.ts', [framework, variant], {
            SINK_URL: sinkUrl,
            MBUZZ_API_KEY: API_KEY,
          });
          children.add(server);
          try {
            const result = await measureThroughput(`http://127.0.0.1:${server.port}${PAGE_PATH}`, headers, {
              durationSeconds: DURATION_S,
              warmupSeconds: WARMUP_S,
              connections: CONNECTIONS,
            });
            if (result.non2xx > 0 || result.errors > 0) {
              problems.push(
                `${framework}/${variant} round ${round + 1}: ${result.non2xx} non-2xx, ${result.errors} errors`,
              );
            }
            thisRound.set(variant, result.requestsPerSecond);
            rps.set(`${framework}/${variant}`, [
              ...(rps.get(`${framework}/${variant}`) ?? []),
              result.requestsPerSecond,
            ]);
          } finally {
            await stopChild(server);
            children.delete(server);
          }
        }
        const bare = thisRound.get('bare') ?? Number.NaN;
        for (const variant of VARIANTS) {
          const key = `${framework}/${variant}`;
          ratios.set(key, [...(ratios.get(key) ?? []), (thisRound.get(variant) ?? Number.NaN) / bare]);
        }
        console.log(
          `round ${round + 1} ${framework.padEnd(8)} ` +
            VARIANTS.map((v) => `${v} ${Math.round(thisRound.get(v) ?? 0)}`).join('  ') +
            ' req/s',
        );
      }
    }

    console.log('\nmedian of per-round ratios to bare (cost = throughput lost):\n');
    console.log(
      `${'framework'.padEnd(10)}${'bare req/s'.padStart(12)}${VARIANTS.slice(1)
        .map((v) => `${v === 'mbuzz' ? '@mbuzz' : v}`.padStart(18))
        .join('')}`,
    );
    const verdicts: string[] = [];
    for (const framework of FRAMEWORKS) {
      const bareRps = median(rps.get(`${framework}/bare`) ?? []);
      const cells = VARIANTS.slice(1).map((variant) => {
        const ratio = median(ratios.get(`${framework}/${variant}`) ?? []);
        return `${ratio.toFixed(3)} (-${pct(ratio)})`.padStart(18);
      });
      console.log(`${framework.padEnd(10)}${String(Math.round(bareRps)).padStart(12)}${cells.join('')}`);
      const cost = 1 - median(ratios.get(`${framework}/mbuzz`) ?? []);
      const peerCosts = PEERS.map((peer) => 1 - median(ratios.get(`${framework}/${peer}`) ?? []));
      const under5 = cost < 0.05;
      const underHalf = peerCosts.every((peerCost) => cost < peerCost / 2);
      verdicts.push(
        `${framework}: mbuzz costs ${(cost * 100).toFixed(1)}% of bare ` +
          `(${under5 ? 'under' : 'NOT under'} 5%; ${underHalf ? 'under' : 'NOT under'} half of ` +
          `posthog-node ${((peerCosts[0] ?? 0) * 100).toFixed(1)}% / segment ${((peerCosts[1] ?? 0) * 100).toFixed(1)}%)`,
      );
    }
    console.log(`\n${verdicts.join('\n')}`);
    const delivered = (await (await fetch(`${sinkUrl}/stats`)).json()) as Record<string, number>;
    console.log(
      `\nevents the sink received: mbuzz ${delivered.mbuzz}, posthog ${delivered.posthog}, segment ${delivered.segment}` +
        ' (servers are killed after each measurement, so queued events are not all delivered)',
    );
    if (problems.length > 0) console.log(`\nproblems:\n  ${problems.join('\n  ')}`);
    console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
