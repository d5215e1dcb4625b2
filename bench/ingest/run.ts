import os from 'node:os';
import {
  createAccount,
  createFreshDatabase,
  createTenant,
  type Ingest,
  startIngest,
} from '@mbuzz/ingest-harness';
import postgres from 'postgres';
import { measureHttpRate } from './measure-http-rate.js';
import { measurePacedLatency } from './measure-paced-latency.js';
import { measureSideBySide } from './measure-side-by-side.js';
import { createPageViewSource } from './page-view-source.js';
import { printIngestResults } from './print-ingest-results.js';

/**
 * `pnpm bench:ingest`: events/s the ingest service stores end to end (HTTP, validation, one transaction
 * per batch) next to the raw COPY rate of the same rows into the same tables, on this machine's Postgres;
 * then p50/p99 latency at half the measured rate; then checks that every accepted event is stored.
 * HTTP and COPY run in alternating rounds (BENCH_ROUNDS, 3), so other work on the machine weighs on both.
 * Env: BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_DURATION_S (12),
 * BENCH_WARMUP_S (3), BENCH_CONNECTIONS (32), BENCH_COPY_EVENTS (300000), BENCH_COPY_WORKERS (2),
 * BENCH_POOL (the service's DATABASE_POOL_MAX; its default when unset).
 */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mbuzz_bench';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 12);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const COPY_EVENTS = Number(process.env.BENCH_COPY_EVENTS ?? 300_000);
const COPY_WORKERS = Number(process.env.BENCH_COPY_WORKERS ?? 2);
const BATCH_SIZE = 50;
const HALF_LOAD_CONNECTIONS = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<number> {
  const started = Date.now();
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const db = await createFreshDatabase('bench', { serverUrl: ADMIN_URL, name: DATABASE });
  const databaseUrl = db.url;

  // Set up through the CLI, as an operator would.
  const bench = await createTenant(databaseUrl, 'Bench', { environment: 'live' });
  const copyAccountIds: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    copyAccountIds.push((await createAccount(databaseUrl, `COPY ${round}`)).id);
  }
  // The warm-up writes to its own account: it runs for a duration, and the events of requests still in
  // flight when it stops are stored without an answer, so they cannot be counted against `accepted`.
  const warmupTenant = await createTenant(databaseUrl, 'Warmup', { migrate: false, environment: 'live' });

  const source = createPageViewSource({ visitors: 50_000, sessionsPerVisitor: 3 });
  const sql = postgres(databaseUrl, { max: COPY_WORKERS, onnotice: () => {} });
  let service: Ingest | undefined;
  try {
    service = await startIngest({
      name: 'bench:ingest service',
      database: databaseUrl,
      env: {
        ...(process.env.BENCH_POOL ? { DATABASE_POOL_MAX: process.env.BENCH_POOL } : {}),
        ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      },
      onStderr: (text) => process.stderr.write(text),
    });
    const http = { connections: CONNECTIONS, batchSize: BATCH_SIZE };
    log(`service on ${service.baseUrl}; warm-up ${WARMUP_S} s`);
    const warmup = await measureHttpRate(service.baseUrl, warmupTenant.apiKey, source, {
      ...http,
      durationSeconds: WARMUP_S,
    });
    // Measured phases send a fixed number of requests (sized from the warm-up) and get every answer.
    const requestsPerRound = Math.max(50, Math.round((warmup.requestsPerSecond * DURATION_S) / ROUNDS));
    const {
      http: full,
      copy,
      httpCpu,
      copyPostgresCpu,
    } = await measureSideBySide(
      {
        admin,
        sql,
        database: DATABASE,
        serviceUrl: service.baseUrl,
        servicePid: service.service.process.pid,
        apiKey: bench.apiKey,
        copyAccountIds,
        source,
      },
      {
        rounds: ROUNDS,
        requestsPerRound,
        copyEventsPerRound: Math.round(COPY_EVENTS / ROUNDS),
        connections: CONNECTIONS,
        batchSize: BATCH_SIZE,
        copyWorkers: COPY_WORKERS,
        log,
      },
    );

    // The COPY rounds leave hundreds of MB of dirty pages for the checkpointer and the kernel to write back;
    // flushed now, so that the latency below is the service's and not the write-back of the bench's own COPY.
    await sql`CHECKPOINT`;
    // Half load is paced evenly (one request every 1/rate s), not autocannon's overallRate, which sends
    // each second's quota as a burst: see measurePacedLatency.
    const halfRate = Math.max(1, Math.round(full.requestsPerSecond / 2));
    log(
      `${Math.round(full.eventsPerSecond)} events/s; now ${halfRate} requests/s for ${DURATION_S} s for latency`,
    );
    const half = await measurePacedLatency(service.baseUrl, bench.apiKey, source, {
      connections: HALF_LOAD_CONNECTIONS,
      batchSize: BATCH_SIZE,
      requests: halfRate * DURATION_S,
      ratePerSecond: halfRate,
    });
    await service.stop();
    service = undefined;

    const [stored] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE account_id = ${bench.accountId}`;
    const accepted = full.accepted + half.accepted;
    const duplicates = warmup.duplicates + full.duplicates + half.duplicates;
    const ok = printIngestResults({
      full,
      half,
      copy,
      cpu: httpCpu,
      copyPostgresCpu,
      stored: stored?.n ?? 0,
      accepted,
      duplicates,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      machine: `${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}`,
      elapsedSeconds: (Date.now() - started) / 1000,
    });
    return ok ? 0 : 1;
  } finally {
    await service?.stop();
    await sql.end();
    await db.sql.end();
    await admin.end();
  }
}

function log(message: string): void {
  process.stderr.write(`bench:ingest  ${message}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A failed CLI step's error carries the command's output.
    console.error('bench:ingest failed:', error);
    process.exit(1);
  },
);
