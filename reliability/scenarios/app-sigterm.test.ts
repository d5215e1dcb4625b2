import { setTimeout as sleep } from 'node:timers/promises';
import {
  createFreshDatabase,
  createTenant,
  type ExampleName,
  type FreshDatabase,
  type Ingest,
  killAllChildren,
  startExampleApp,
  startIngest,
} from '@mbuzz/ingest-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDriver } from '../lib/drive-app.js';
import { compareMarkers, storedMarkers, waitForEventCount } from '../lib/stored-events.js';
import { writeResult } from '../lib/write-result.js';

/** The examples with the shared shape (EXAMPLES.md): plain `node server.js`, adapter signal hook. */
const EXAMPLES: ExampleName[] = ['express', 'koa', 'fastify'];
/** Two full batches of 50 leave at once; the other 20 wait for the (hour-long) interval or close(). */
const QUEUED = 120;
const SENT_BY_COUNT = 100;

describe('5 SIGTERM to an app using an adapter', () => {
  let db: FreshDatabase;
  let ingest: Ingest;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    db = await createFreshDatabase('rel_app_sigterm');
    await createTenant(db.url, 'reliability migrate only');
    ingest = await startIngest({ name: 'ingest(app sigterm)', database: db.url });
  });

  afterAll(async () => {
    writeResult('5-app-sigterm', figures);
    await ingest?.stop();
    await killAllChildren();
    await db?.drop();
  });

  it.each(EXAMPLES)(
    'examples/%s: the queue is flushed before the process exits (SIGTERM under load)',
    async (name) => {
      const tenant = await createTenant(db.url, `reliability sigterm ${name}`, { migrate: false });
      const app = await startExampleApp(name, {
        apiUrl: ingest.apiUrl,
        apiKey: tenant.apiKey,
        flushIntervalMs: 3_600_000,
      });
      const driver = createAppDriver(app.origin);
      const queued = await driver.burst({ count: QUEUED, concurrency: 4, tag: `${name}-queued` });
      expect(queued.answered).toHaveLength(QUEUED);
      // Only full batches leave before the interval: 20 page views are now held in the app's queue.
      const early = await waitForEventCount(db.sql, tenant.accountId, SENT_BY_COUNT, 30_000);
      expect(early.count).toBe(SENT_BY_COUNT);

      // Traffic keeps coming while the signal lands.
      const traffic = driver.run({ durationMs: 2000, perSecond: 50, tag: `${name}-load` });
      await sleep(1000);
      const signalAt = Date.now();
      const exitCode = await app.stop();
      const exitedAfterMs = Date.now() - signalAt;
      const load = await traffic;
      await driver.close();

      const stored = await storedMarkers(db.sql, tenant.accountId);
      const requested = [...queued.answered, ...load.answered];
      const diff = compareMarkers(stored, requested);
      figures[name] = {
        exitCode,
        exitedAfterMs,
        queuedAtSignal: QUEUED - SENT_BY_COUNT,
        answeredDuringLoad: load.answered.length,
        requestsDuringLoad: load.markers.length,
        stored: [...stored.values()].reduce((a, b) => a + b, 0),
        missing: diff.missing.length,
        missingMarkers: diff.missing.slice(0, 10),
        duplicated: diff.duplicated.length,
      };
      expect(exitCode).toBe(0);
      // Every page view the app answered 200 is stored exactly once, the 20 queued ones included.
      expect(diff).toEqual({ missing: [], duplicated: [], unexpected: [] });
    },
  );
});
