import { setTimeout as sleep } from 'node:timers/promises';
import type { CloseResult } from '@mbuzz/core';
import { createClient } from '@mbuzz/core/node';
import { createTenant, type Ingest, killAllChildren, startIngest, type Tenant } from '@mbuzz/ingest-harness';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchSender, createBatchSender } from '../lib/batch-sender.js';
import { percentile, roundMs } from '../lib/percentile.js';
import { type PrivatePostgres, startPrivatePostgres } from '../lib/private-postgres.js';
import { type LoadReport, runLoad } from '../lib/run-load.js';
import { compareIds, storedEventIds } from '../lib/stored-events.js';
import { countStatuses, createTimeline } from '../lib/timeline.js';
import { writeResult } from '../lib/write-result.js';

const DOWN_SECONDS = Number(process.env.RELIABILITY_PG_DOWN_SECONDS ?? 10);
const BEFORE_MS = 3000;
const AFTER_MS = 5000;
const BATCHES_PER_SECOND = 20; // 1,000 events/s over HTTP, well below capacity
const SDK_EVENTS_PER_SECOND = 100;

describe('3 postgres restarted under load', () => {
  let pg: PrivatePostgres;
  let sql: postgres.Sql;
  let tenant: Tenant;
  let sdkTenant: Tenant;
  let ingest: Ingest;
  let sender: BatchSender;

  beforeAll(async () => {
    // A private cluster: the machine's shared one must never be stopped.
    pg = await startPrivatePostgres();
    tenant = await createTenant(pg.url, 'reliability pg restart');
    sdkTenant = await createTenant(pg.url, 'reliability pg restart sdk', { migrate: false });
    ingest = await startIngest({ name: 'ingest(pg restart)', database: pg.url });
    sender = createBatchSender(ingest.baseUrl, { connections: 32 });
    sql = postgres(pg.url, { max: 2, onnotice: () => {} });
  });

  afterAll(async () => {
    await sender?.close();
    await sql?.end({ timeout: 1 }).catch(() => {});
    await ingest?.stop();
    await killAllChildren();
    await pg?.destroy();
  });

  interface Run {
    pid: number | undefined;
    report: LoadReport;
    timeline: ReturnType<typeof createTimeline>;
    stoppedAt: number;
    startingAt: number;
    upAt: number;
    tracked: number;
    closed: CloseResult;
    sdkDropped: number;
  }
  let run: Run;

  beforeAll(async () => {
    const pid = ingest.service.process.pid;
    const timeline = createTimeline();
    const sdkErrors: string[] = [];
    let sdkDropped = 0;
    const client = createClient({
      apiKey: sdkTenant.apiKey,
      apiUrl: ingest.apiUrl,
      flushIntervalMs: 200,
      onError: (error) => sdkErrors.push(error.code),
      onDrop: (info) => {
        sdkDropped += info.count;
      },
      logger: { warn() {}, error() {} },
    });
    const totalMs = BEFORE_MS + DOWN_SECONDS * 1000 + AFTER_MS;

    const load = runLoad({
      sender,
      apiKey: tenant.apiKey,
      durationMs: totalMs,
      batchesPerSecond: BATCHES_PER_SECOND,
      concurrency: 256,
      retryUntil: Date.now() + totalMs + 120_000,
      onOutcome: timeline.record,
    });
    let tracked = 0;
    const sdkTraffic = (async () => {
      const end = Date.now() + totalMs;
      while (Date.now() < end) {
        for (let i = 0; i < SDK_EVENTS_PER_SECOND / 10; i++) {
          client.track({ eventType: 'signup', visitorId: `sdk-${tracked % 97}`, properties: { n: tracked } });
          tracked++;
        }
        await sleep(100);
      }
    })();

    await sleep(BEFORE_MS);
    const downAt = Date.now();
    await pg.stop('fast');
    const stoppedAt = Date.now();
    await sleep(DOWN_SECONDS * 1000);
    const startingAt = Date.now();
    await pg.start();
    const upAt = Date.now();

    const report = await load;
    await sdkTraffic;
    const closed = await client.close({ timeoutMs: 60_000 });
    run = { pid, report, timeline, stoppedAt, startingAt, upAt, tracked, closed, sdkDropped };

    const [sdkRows] = await sql<{ total: number; distinct_n: number }[]>`
      SELECT count(*)::int AS total, count(DISTINCT properties->>'n')::int AS distinct_n
      FROM events WHERE account_id = ${sdkTenant.accountId}`;
    const firstStoredAfterUp = timeline.firstAfter(upAt, 202);
    const down = timeline.between(stoppedAt, startingAt);
    writeResult('3-postgres-restart', {
      downSeconds: roundMs((upAt - downAt) / 1000),
      requests: report.requests,
      batches: report.batches,
      events: report.sentIds.size,
      stored: (await storedEventIds(sql, tenant.accountId)).size,
      statuses: report.statuses,
      statusesOfRequestsStartedWhileDown: countStatuses(down),
      slowestAnswerWhileDownMs: Math.round(Math.max(0, ...down.map((e) => e.latencyMs))),
      recoveryMs: firstStoredAfterUp ? firstStoredAfterUp.at - upAt : null,
      // Requests held during the outage are answered only when postgres.js reconnects (see the bug below).
      lastHeldRequestAnsweredAfterUpMs: Math.round(
        Math.max(0, ...down.map((e) => e.at + e.latencyMs - upAt)),
      ),
      p99Ms: roundMs(percentile(report.latenciesMs, 99)),
      sdk: { tracked, close: closed, dropped: sdkDropped, stored: sdkRows, errorCodes: countBy(sdkErrors) },
    });
  });

  it('never answers 500 or drops a connection, and the same process serves on after the restart', () => {
    expect(Object.keys(run.report.statuses).sort()).toEqual(['202', '503']);
    expect(run.timeline.entries.filter((e) => e.status === 503 && !e.retryAfter)).toEqual([]);
    expect(ingest.service.process.exitCode).toBeNull();
    expect(ingest.service.process.pid).toBe(run.pid);
    expect(run.timeline.firstAfter(run.upAt, 202)).toBeDefined();
  });

  // Issue 2: "database unreachable → 503 unavailable with Retry-After within about 1 s". postgres.js
  // waits up to 20 s between reconnects by default; `backoff: 0.1` in postgresOptions keeps it short.
  it('answers every request made while Postgres is down with 503 + Retry-After, each within 1.5 s', () => {
    // Requests in the last dbQueueTimeoutMs (2 s) before the start may legitimately wait into the recovery.
    const down = run.timeline.between(run.stoppedAt, run.startingAt - 2500);
    expect(down.length).toBeGreaterThan(0);
    expect(countStatuses(down)).toEqual({ 503: down.length });
    expect(down.filter((e) => e.latencyMs > 1500).map((e) => Math.round(e.latencyMs))).toEqual([]);
  });

  it('stores every batch sent over HTTP exactly once (retried with the same ids after 503)', async () => {
    const diff = compareIds(await storedEventIds(sql, tenant.accountId), run.report.sentIds);
    expect(run.report.unresolved).toBe(0);
    expect(diff.missing).toEqual([]);
    expect(diff.unexpected).toEqual([]);
  });

  it('the SDK retried through the outage: every tracked event stored once, none dropped', async () => {
    const [rows] = await sql<{ total: number; distinct_n: number }[]>`
      SELECT count(*)::int AS total, count(DISTINCT properties->>'n')::int AS distinct_n
      FROM events WHERE account_id = ${sdkTenant.accountId}`;
    expect(run.closed).toEqual({ sent: run.tracked, dropped: 0, pending: 0 });
    expect(run.sdkDropped).toBe(0);
    expect(rows).toEqual({ total: run.tracked, distinct_n: run.tracked });
  });
});

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
