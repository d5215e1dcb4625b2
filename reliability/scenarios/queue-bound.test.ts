import { fileURLToPath } from 'node:url';
import {
  baseEnv,
  type ChildService,
  createFreshDatabase,
  createTenant,
  type FreshDatabase,
  freePort,
  type Ingest,
  killAllChildren,
  spawnService,
  startIngest,
  type Tenant,
} from '@mbuzz/ingest-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppDriver, createAppDriver } from '../lib/drive-app.js';
import { storedMarkers, waitForEventCount } from '../lib/stored-events.js';
import { writeResult } from '../lib/write-result.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/queue-bound-app.mjs', import.meta.url));
/** The byte bound binds first: a page view serializes to ~600 bytes, so ~430 events fit. */
const MAX_QUEUE_BYTES = 256 * 1024;
const MAX_QUEUE_SIZE = 2000;
const BATCH_SIZE = 50;
/** Page views during the outage: ~20× what the queue holds. */
const OUTAGE_EVENTS = Number(process.env.RELIABILITY_QUEUE_OUTAGE_EVENTS ?? 10_000);
const WARMUP = 300;
/**
 * Heap growth allowed over the outage (measured after a full GC): the queue's own bytes, its
 * per-event overhead (id strings, sizes) and the batch in flight, twice over, plus 2 MiB for what
 * the app itself keeps after 10,000 requests (measured: ~1.2 MiB). Unbounded, the 10,000 queued page
 * views would add ~6 MiB (≈ 560 bytes of JSON and a 36-character id each), so the bound can fail.
 */
const HEAP_BOUND_BYTES = 4 * MAX_QUEUE_BYTES + 2 * 1024 * 1024;

interface Stats {
  memory: { rss: number; heapUsed: number };
  drops: Record<string, number>;
}

describe('6 SDK queue bound: an outage longer than the queue holds', () => {
  let db: FreshDatabase;
  let tenant: Tenant;
  let ingest: Ingest;
  let app: ChildService;
  let driver: AppDriver;
  let origin: string;
  const stats: Record<string, Stats> = {};
  let closeResult: { sent: number; dropped: number; pending: number; drops: Record<string, number> };
  let outageMarkers: string[];
  let recoveryMs: number | undefined;

  const readStats = async (): Promise<Stats> => (await (await fetch(`${origin}/__stats`)).json()) as Stats;

  beforeAll(async () => {
    db = await createFreshDatabase('rel_queue_bound');
    tenant = await createTenant(db.url, 'reliability queue bound');
    ingest = await startIngest({ name: 'ingest(queue bound)', database: db.url });
    const port = await freePort();
    app = spawnService({
      name: 'queue-bound app',
      command: process.execPath,
      args: ['--expose-gc', FIXTURE],
      env: {
        ...baseEnv(),
        PORT: String(port),
        MBUZZ_API_URL: ingest.apiUrl,
        MBUZZ_API_KEY: tenant.apiKey,
        MBUZZ_FLUSH_INTERVAL_MS: '200',
        MBUZZ_MAX_QUEUE_SIZE: String(MAX_QUEUE_SIZE),
        MBUZZ_MAX_QUEUE_BYTES: String(MAX_QUEUE_BYTES),
      },
    });
    await app.waitFor(/listening on/);
    origin = `http://127.0.0.1:${port}`;
    driver = createAppDriver(origin);

    const warm = await driver.burst({ count: WARMUP, concurrency: 4, tag: 'warm' });
    expect(warm.answered).toHaveLength(WARMUP);
    expect((await waitForEventCount(db.sql, tenant.accountId, WARMUP, 30_000)).count).toBe(WARMUP);
    stats.before = await readStats();

    await ingest.stop('SIGTERM');
    const firstHalf = await driver.burst({ count: OUTAGE_EVENTS / 2, concurrency: 4, tag: 'out-a' });
    stats.halfway = await readStats();
    const secondHalf = await driver.burst({ count: OUTAGE_EVENTS / 2, concurrency: 4, tag: 'out-b' });
    stats.end = await readStats();
    outageMarkers = [...firstHalf.answered, ...secondHalf.answered];
    expect(outageMarkers).toHaveLength(OUTAGE_EVENTS);

    ingest = await startIngest({
      name: 'ingest(queue bound, again)',
      database: db.url,
      port: ingest.port,
    });
    const upAt = Date.now();
    // What the SDK reported dropped so far is final: nothing new was queued since.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const dropped = (await readStats()).drops.queue_full ?? 0;
    const recovered = await waitForEventCount(
      db.sql,
      tenant.accountId,
      WARMUP + OUTAGE_EVENTS - dropped,
      120_000,
    );
    recoveryMs = recovered.reachedAt === undefined ? undefined : recovered.reachedAt - upAt;
    stats.recovered = await readStats();
    await driver.close();

    app.process.kill('SIGTERM');
    const line = await app.waitFor(/closed (\{.*\})/, 90_000);
    closeResult = JSON.parse(line[1] as string);
    await app.stop();
  });

  afterAll(async () => {
    const stored = await storedMarkers(db.sql, tenant.accountId);
    writeResult('6-queue-bound', {
      maxQueueBytes: MAX_QUEUE_BYTES,
      maxQueueSize: MAX_QUEUE_SIZE,
      outageEvents: OUTAGE_EVENTS,
      storedFromOutage: outageMarkers?.filter((m) => stored.has(m)).length,
      closeResult,
      recoveryMs,
      heapGrowthBytes: {
        halfway:
          stats.halfway && stats.before && stats.halfway.memory.heapUsed - stats.before.memory.heapUsed,
        end: stats.end && stats.before && stats.end.memory.heapUsed - stats.before.memory.heapUsed,
      },
      heapBoundBytes: HEAP_BOUND_BYTES,
      rssMiB: Object.fromEntries(
        Object.entries(stats).map(([k, v]) => [k, Math.round(v.memory.rss / 1048576)]),
      ),
    });
    await ingest?.stop();
    await killAllChildren();
    await db?.drop();
  });

  it("the app's heap stays within a bound derived from maxQueueBytes, and stops growing", () => {
    const before = stats.before?.memory.heapUsed ?? 0;
    const halfway = stats.halfway?.memory.heapUsed ?? 0;
    const end = stats.end?.memory.heapUsed ?? 0;
    expect(end - before).toBeLessThanOrEqual(HEAP_BOUND_BYTES);
    // From half-way to the end another 5,000 events were queued: a bounded queue holds the line.
    expect(end - halfway).toBeLessThanOrEqual(MAX_QUEUE_BYTES + 1024 * 1024);
  });

  it('drops are counted: every page view is either stored exactly once or reported dropped', async () => {
    const stored = await storedMarkers(db.sql, tenant.accountId);
    const storedFromOutage = outageMarkers.filter((marker) => stored.has(marker));
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(closeResult.pending).toBe(0);
    expect(closeResult.drops).toEqual({ queue_full: closeResult.dropped });
    expect(closeResult.dropped).toBeGreaterThan(OUTAGE_EVENTS / 2);
    expect(storedFromOutage.length + closeResult.dropped).toBe(OUTAGE_EVENTS);
    expect(closeResult.sent).toBe(WARMUP + storedFromOutage.length);
    expect(stored.size).toBe(WARMUP + storedFromOutage.length);
  });

  it('the oldest were dropped: what arrived is the newest events (plus at most the batch in flight)', async () => {
    const stored = await storedMarkers(db.sql, tenant.accountId);
    const indexOf = new Map(outageMarkers.map((marker, i) => [marker, i]));
    const kept = outageMarkers.filter((marker) => stored.has(marker));
    // The newest `kept.length` requests, give or take the 4 that were concurrent at any moment.
    const newestFrom = OUTAGE_EVENTS - kept.length - 8;
    const older = kept.filter((marker) => (indexOf.get(marker) ?? 0) < newestFrom);
    expect(older.length).toBeLessThanOrEqual(BATCH_SIZE);
  });
});
