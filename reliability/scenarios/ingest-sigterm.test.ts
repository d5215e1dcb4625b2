import { setTimeout as sleep } from 'node:timers/promises';
import type { WireEvent } from '@mbuzz/core';
import {
  createFreshDatabase,
  createTenant,
  type FreshDatabase,
  type Ingest,
  killAllChildren,
  startIngest,
  type Tenant,
} from '@mbuzz/ingest-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchSender, createBatchSender, type Outcome } from '../lib/batch-sender.js';
import { makeEvents } from '../lib/make-events.js';
import { percentile, roundMs } from '../lib/percentile.js';
import { type LoadReport, runLoad } from '../lib/run-load.js';
import { compareIds, storedEventIds } from '../lib/stored-events.js';
import { countStatuses, createTimeline } from '../lib/timeline.js';
import { writeResult } from '../lib/write-result.js';

const BATCHES_PER_SECOND = 40; // 2,000 events/s: busy, below capacity
const BEFORE_MS = 3000;
const AFTER_MS = 4000;
const BURST_BATCHES = 24;

describe('4 SIGTERM to the ingest service under load', () => {
  let db: FreshDatabase;
  let tenant: Tenant;
  let first: Ingest;
  let second: Ingest | undefined;
  let sender: BatchSender;
  let report: LoadReport;
  let timeline: ReturnType<typeof createTimeline>;
  let signalAt: number;
  let exitCode: number | string;
  /** Events of batches whose 202 came back before the first process had exited: its answers. */
  const acceptedByFirst = new Set<string>();
  let exitedAt = Number.POSITIVE_INFINITY;
  let storedByFirst: Set<string>;
  let finishedAfterSignal = 0;
  let burstOutcomes: Array<{ outcome: Outcome; events: WireEvent[]; ids: string[] }>;

  beforeAll(async () => {
    db = await createFreshDatabase('rel_sigterm');
    tenant = await createTenant(db.url, 'reliability sigterm');
    first = await startIngest({ name: 'ingest(sigterm, first)', database: db.url });
    sender = createBatchSender(first.baseUrl, { connections: 32 });
    timeline = createTimeline();

    const load = runLoad({
      sender,
      apiKey: tenant.apiKey,
      durationMs: BEFORE_MS + AFTER_MS,
      batchesPerSecond: BATCHES_PER_SECOND,
      concurrency: 256,
      // Like the SDK: what was refused or cut off is sent again, with the same ids, once the service is back.
      retryUntil: Date.now() + BEFORE_MS + AFTER_MS + 60_000,
      onOutcome: (outcome, at, ids) => {
        timeline.record(outcome, at);
        if (outcome.status === 202 && Date.now() < exitedAt) for (const id of ids) acceptedByFirst.add(id);
      },
    });
    await sleep(BEFORE_MS);
    // A burst of big batches, so that many requests are surely in flight when the signal lands.
    const burstAt = Date.now();
    const burst = Array.from({ length: BURST_BATCHES }, () => {
      const events = makeEvents(200);
      const ids = events.map((event) => event.event_id);
      return sender.post(tenant.apiKey, { events }).then((outcome) => ({ outcome, events, ids }));
    });
    await sleep(10);
    signalAt = Date.now();
    exitCode = await first.stop('SIGTERM');
    burstOutcomes = await Promise.all(burst);
    finishedAfterSignal = burstOutcomes.filter(
      ({ outcome }) => outcome.status === 202 && burstAt + outcome.latencyMs > signalAt,
    ).length;
    for (const { outcome, ids } of burstOutcomes) {
      if (outcome.status === 202) for (const id of ids) acceptedByFirst.add(id);
    }
    exitedAt = Date.now();
    // The ids the first process acknowledged must be in its database now, before anyone else writes.
    storedByFirst = await storedEventIds(db.sql, tenant.accountId);
    second = await startIngest({
      name: 'ingest(sigterm, second)',
      database: db.url,
      port: first.port,
    });
    const restartedAt = Date.now();
    report = await load;
    // The burst's refused batches are sent again, as a sender must after a 503 or a cut connection.
    for (const { outcome, events, ids } of burstOutcomes) {
      for (const id of ids) report.sentIds.add(id);
      let answer = outcome;
      for (let attempt = 0; answer.status !== 202 && attempt < 20; attempt++) {
        answer = await sender.post(tenant.apiKey, { events });
      }
      if (answer.status !== 202) report.unresolved++;
    }

    const inFlight = timeline.between(0, signalAt);
    writeResult('4-ingest-sigterm', {
      requests: report.requests,
      batches: report.batches,
      events: report.sentIds.size,
      stored: (await storedEventIds(db.sql, tenant.accountId)).size,
      acceptedByFirstProcess: acceptedByFirst.size,
      storedWhenFirstExited: storedByFirst.size,
      exitCode,
      shutdownMs: exitedAt - signalAt,
      downMs: restartedAt - signalAt,
      statusesOfRequestsStartedBeforeSignal: countStatuses(inFlight),
      burstInFlightAtSignal: countBy(burstOutcomes.map(({ outcome }) => String(outcome.status))),
      cutOffBeforeSignal: countBy(
        [...timeline.between(0, signalAt), ...burstOutcomes.map(({ outcome }) => outcome)]
          .filter((a) => a.status === 'network')
          .map((a) => String(a.code)),
      ),
      burstFinishedAfterSignal: finishedAfterSignal,
      statusesAfterSignal: countStatuses(timeline.between(signalAt, restartedAt)),
      statuses: report.statuses,
      p99Ms: roundMs(percentile(report.latenciesMs, 99)),
    });
  });
  afterAll(async () => {
    await sender?.close();
    await second?.stop();
    await killAllChildren();
    await db?.drop();
  });

  it('exits 0 after finishing the requests in flight', () => {
    expect(exitCode).toBe(0);
    // Big batches sent just before the signal were still being worked on when it landed: answered 202.
    expect(finishedAfterSignal).toBeGreaterThan(0);
    // Every client got an answer (202, or 503 while closing) — or, for a request written to a
    // keep-alive connection the server closed before reading it, a closed connection: nothing was
    // stored for it, and the sender retried it like any network error (exactly-once is checked below).
    const answers = [...timeline.between(0, signalAt), ...burstOutcomes.map(({ outcome }) => outcome)];
    expect(answers.filter((a) => a.status !== 202 && a.status !== 503 && a.status !== 'network')).toEqual([]);
  });

  it('no event that got a 202 from the stopping process is missing', () => {
    // Read from the database right after the exit, before the second process started.
    expect(acceptedByFirst.size).toBeGreaterThan(0);
    const missing = [...acceptedByFirst].filter((id) => !storedByFirst.has(id));
    expect(missing).toEqual([]);
    expect(compareIds(storedByFirst, report.sentIds).unexpected).toEqual([]);
  });

  it('after a restart and retries, every event sent is stored exactly once', async () => {
    const diff = compareIds(await storedEventIds(db.sql, tenant.accountId), report.sentIds);
    expect(report.unresolved).toBe(0);
    expect(diff.missing).toEqual([]);
    expect(diff.unexpected).toEqual([]);
  });
});

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
