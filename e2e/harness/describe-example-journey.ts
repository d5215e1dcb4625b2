import {
  type ExampleApp,
  type ExampleName,
  type IngestOnFreshDatabase,
  killAllChildren,
  startExampleApp,
  startIngestOnFreshDatabase,
} from '@mbuzz/ingest-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJourneyStored } from './expect-journey-stored.js';
import {
  EXTERNAL_REFERRER,
  type Journey,
  LANDING_QUERY,
  pageViewHops,
  runVisitorJourney,
  SIGNUP_PLAN,
} from './visitor-journey.js';

/**
 * The end-to-end test of one example app: real ingest service, real Postgres, the scripted visitor,
 * exact rows. One test file per example calls this.
 *
 * @example
 * describeExampleJourney('express');
 */
export function describeExampleJourney(name: ExampleName): void {
  describe(`examples/${name} → ingest → Postgres`, () => {
    let ingest: IngestOnFreshDatabase | undefined;
    let app: ExampleApp | undefined;
    let journey: Journey;
    let exitCode: number | string;

    beforeAll(async () => {
      ingest = await startIngestOnFreshDatabase(name);
      app = await startExampleApp(name, { apiUrl: ingest.apiUrl, apiKey: ingest.tenant.apiKey });
      try {
        journey = await runVisitorJourney(app.origin);
      } finally {
        // SIGTERM: the adapter's signal hook flushes the queue, so after the exit everything is stored.
        exitCode = await app.stop();
      }
    });

    afterAll(async () => {
      await app?.stop();
      try {
        await ingest?.stopAndDrop();
      } finally {
        await killAllChildren();
      }
    });

    it('serves the journey as a browser would see it', () => {
      const hops = journey.navigations.flatMap((navigation) => navigation.hops);
      expect(hops.map((hop) => `${hop.method} ${hop.path} ${hop.status}`)).toEqual([
        `GET /${LANDING_QUERY} 200`,
        'GET /pricing 200',
        'GET /about 200',
        'GET /promo 302',
        'GET /pricing 200',
        'GET /signup 200',
        'POST /signup 303',
        'GET /welcome 200',
      ]);
      for (const request of journey.subrequests) {
        // Next.js answers a router prefetch without its `_rsc` cache-busting parameter with a 307 to
        // the same URL with one; any other answer is the resource itself.
        if (request.label === 'router prefetch') expect(request.status, request.label).toBeLessThan(400);
        else expect(request.status, request.label).toBe(200);
        // Sub-requests never mint ids (docs/api.md): only navigations get cookies.
        expect(
          request.setCookies.filter((c) => c.startsWith('_mbuzz_')),
          request.label,
        ).toEqual([]);
      }
      for (const hop of journey.botHops) {
        expect(
          hop.setCookies.filter((c) => c.startsWith('_mbuzz_')),
          `bot ${hop.path}`,
        ).toEqual([]);
      }
      expect(journey.cookies.visitorId).toMatch(/^[0-9a-f]{64}$/);
      expect(journey.cookies.session).toBeTruthy();
    });

    it('exits cleanly on SIGTERM after flushing', () => {
      expect(app?.cleanExitCodes, app?.service.output()).toContain(exitCode);
    });

    it('stores exactly one visitor, one attributed session, the real page views and the signup', async () => {
      if (!ingest) throw new Error('ingest did not start');
      await expectJourneyStored(ingest.db.sql, {
        landingUrl: journey.landingUrl,
        externalReferrer: EXTERNAL_REFERRER,
        pageViewPaths: pageViewHops(journey).map((hop) => new URL(hop.path, journey.origin).pathname),
        plan: SIGNUP_PLAN,
        cookies: journey.cookies,
      });
    });
  });
}
