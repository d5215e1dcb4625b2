import {
  createFreshDatabase,
  createTenant,
  type ExampleApp,
  type FreshDatabase,
  type Ingest,
  killAllChildren,
  startExampleApp,
  startIngest,
  type Tenant,
} from '@mbuzz/ingest-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppDriver, type AppTraffic, createAppDriver } from '../lib/drive-app.js';
import { bootstrapStandardError, percentile, roundMs } from '../lib/percentile.js';
import { compareMarkers, storedMarkers, waitForEventCount } from '../lib/stored-events.js';
import { writeResult } from '../lib/write-result.js';

const OUTAGE_SECONDS = Number(process.env.RELIABILITY_OUTAGE_SECONDS ?? 30);
const BASELINE_SECONDS = Number(process.env.RELIABILITY_BASELINE_SECONDS ?? 20);
const PER_SECOND = 100;
/** Issue 5: the app's p99 with ingest down stays within 10 % of its p99 with ingest up. */
const P99_RATIO_BOUND = 1.1;
/**
 * A p99 of 3,000 latencies on 2 shared cores is itself uncertain: its bootstrap standard error was
 * 0.23–0.65 ms on a 2.3–3.5 ms p99 over six runs, and twin apps whose ingests were both up measured
 * 0.94–1.10 × each other (0.82–1.24 × by hand earlier). So the test fails when the down app's p99 exceeds
 * 1.1 × its twin's by more than three standard errors of that difference (bootstrap, from the run's own
 * samples: one-sided, a false alarm about once in 700 runs for a normal estimate), and never by less than 0.5 ms. An SDK that held
 * requests up during the outage adds milliseconds to the tail, well outside that.
 */
const P99_NOISE_FLOOR_MS = Number(process.env.RELIABILITY_P99_FLOOR_MS ?? 0.5);
const STANDARD_ERRORS = 3;

/**
 * One example app whose ingest service goes down, and a twin whose ingest stays up, driven side by
 * side: on 2 shared cores, latency drifts with whatever else runs, so "the run with ingest up" is
 * measured in the same seconds as the outage (and, for calibration, both up before it).
 */
interface Side {
  tenant: Tenant;
  ingest: Ingest;
  app: ExampleApp;
  driver: AppDriver;
  phases: { bothUp?: AppTraffic; outage?: AppTraffic };
  exitCode?: number | string;
}

describe('2 ingest down while an example app serves traffic', () => {
  let db: FreshDatabase;
  let down: Side;
  let up: Side;
  let recoveryMs: number | undefined;

  const startSide = async (label: string): Promise<Side> => {
    const tenant = await createTenant(db.url, `reliability ingest ${label}`, { migrate: false });
    const ingest = await startIngest({ name: `ingest(${label})`, database: db.url });
    const app = await startExampleApp('express', {
      apiUrl: ingest.apiUrl,
      apiKey: tenant.apiKey,
      flushIntervalMs: 200,
    });
    return { tenant, ingest, app, driver: createAppDriver(app.origin), phases: {} };
  };
  const drive = (side: Side, seconds: number, tag: string) =>
    side.driver.run({ durationMs: seconds * 1000, perSecond: PER_SECOND, tag });
  const requested = (side: Side) => [
    ...(side.phases.bothUp?.markers ?? []),
    ...(side.phases.outage?.markers ?? []),
  ];

  beforeAll(async () => {
    db = await createFreshDatabase('rel_ingest_down');
    await createTenant(db.url, 'reliability migrate only');
    down = await startSide('goes down');
    up = await startSide('stays up');
    await Promise.all([drive(down, 2, 'warmup-down'), drive(up, 2, 'warmup-up')]);

    [down.phases.bothUp, up.phases.bothUp] = await Promise.all([
      drive(down, BASELINE_SECONDS, 'down-bothup'),
      drive(up, BASELINE_SECONDS, 'up-bothup'),
    ]);
    await ingestStopped(down);
    [down.phases.outage, up.phases.outage] = await Promise.all([
      drive(down, OUTAGE_SECONDS, 'down-outage'),
      drive(up, OUTAGE_SECONDS, 'up-outage'),
    ]);
    down.ingest = await startIngest({
      name: 'ingest(goes down, again)',
      database: db.url,
      port: down.ingest.port,
    });
    const upAt = Date.now();
    // The SDK's own retries deliver the backlog: no request to the app is needed to trigger it.
    const warmups = 2 * PER_SECOND;
    const expected = warmups + requested(down).length;
    const recovered = await waitForEventCount(db.sql, down.tenant.accountId, expected - warmups / 2, 120_000);
    recoveryMs = recovered.reachedAt === undefined ? undefined : recovered.reachedAt - upAt;

    for (const side of [down, up]) {
      await side.driver.close();
      // SIGTERM: the adapter's hook flushes whatever is still queued before the process exits.
      side.exitCode = await side.app.stop();
    }
  });

  const ingestStopped = async (side: Side) => {
    const code = await side.ingest.stop('SIGTERM');
    expect(code).toBe(0);
  };

  afterAll(async () => {
    await down?.ingest.stop();
    await up?.ingest.stop();
    await killAllChildren();
    await db?.drop();
  });

  it('the app answered every request, with its ingest up and down, and exited 0 after SIGTERM', () => {
    for (const side of [down, up]) {
      for (const traffic of [side.phases.bothUp, side.phases.outage]) {
        expect(traffic?.statuses).toEqual({ 200: traffic?.markers.length });
      }
      expect(side.exitCode).toBe(0);
    }
  });

  it('after recovery every page view arrived exactly once', async () => {
    const results: Record<string, unknown> = {};
    for (const [name, side] of [
      ['down', down],
      ['up', up],
    ] as const) {
      const stored = await storedMarkers(db.sql, side.tenant.accountId);
      const wanted = requested(side);
      const diff = compareMarkers(stored, wanted);
      // Warm-up page views are stored too; they are not part of the comparison.
      diff.unexpected = diff.unexpected.filter((marker) => !marker.startsWith('warmup-'));
      results[name] = { requests: wanted.length, stored: wanted.length - diff.missing.length, diff };
      expect(diff).toEqual({ missing: [], duplicated: [], unexpected: [] });
    }
    expect(recoveryMs).toBeDefined();
  });

  it(`the app's p99 with ingest down is within ${Math.round((P99_RATIO_BOUND - 1) * 100)} % of the same app's with ingest up`, () => {
    const p = (traffic: AppTraffic | undefined, q: number) => percentile(traffic?.latenciesMs ?? [], q);
    const twinNoiseMs = Math.abs(p(down.phases.bothUp, 99) - p(up.phases.bothUp, 99));
    const downOutage = down.phases.outage?.latenciesMs ?? [];
    const upOutage = up.phases.outage?.latenciesMs ?? [];
    const excessSe = bootstrapStandardError(
      downOutage,
      upOutage,
      (d, u) => percentile(d, 99) - P99_RATIO_BOUND * percentile(u, 99),
    );
    const p99Bound = () =>
      p(up.phases.outage, 99) * P99_RATIO_BOUND + Math.max(P99_NOISE_FLOOR_MS, STANDARD_ERRORS * excessSe);
    const figures = {
      outageSeconds: OUTAGE_SECONDS,
      requestsPerSecondPerApp: PER_SECOND,
      requests: requested(down).length + requested(up).length,
      requestsWhileDown: down.phases.outage?.markers.length,
      recoveryMs,
      p50Ms: {
        bothUp: [roundMs(p(down.phases.bothUp, 50)), roundMs(p(up.phases.bothUp, 50))],
        outage: [roundMs(p(down.phases.outage, 50)), roundMs(p(up.phases.outage, 50))],
      },
      p99Ms: {
        bothUp: [roundMs(p(down.phases.bothUp, 99)), roundMs(p(up.phases.bothUp, 99))],
        outage: [roundMs(p(down.phases.outage, 99)), roundMs(p(up.phases.outage, 99))],
      },
      p99BoundMs: roundMs(p99Bound()),
      twinNoiseMs: roundMs(twinNoiseMs),
      excessStandardErrorMs: roundMs(excessSe),
      p99RatioOutage: roundMs(p(down.phases.outage, 99) / p(up.phases.outage, 99)),
      p99RatioBothUp: roundMs(p(down.phases.bothUp, 99) / p(up.phases.bothUp, 99)),
      skipped: [down, up].map((s) => (s.phases.bothUp?.skipped ?? 0) + (s.phases.outage?.skipped ?? 0)),
    };
    writeResult('2-ingest-down', figures);
    expect(p(down.phases.outage, 99)).toBeLessThanOrEqual(p99Bound());
  });
});
