import {
  type ExampleApp,
  type IngestOnFreshDatabase,
  killAllChildren,
  startExampleApp,
  startIngestOnFreshDatabase,
} from '@mbuzz/ingest-harness';
import { launchChromium } from '@mbuzz/test-kit/browser';
import { describeWithChromium } from '@mbuzz/test-kit/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBrowserLikeClient, GOOGLEBOT_UA } from './harness/browser-like-client.js';
import { expectJourneyStored } from './harness/expect-journey-stored.js';
import { EXTERNAL_REFERRER, LANDING_QUERY, SIGNUP_PLAN } from './harness/visitor-journey.js';

interface NavigationHop {
  method: string;
  path: string;
  status: number;
  referer: string | undefined;
}

/**
 * A real browser through the Express example: the same journey as the scripted visitor. Without a Chromium
 * it is skipped with one line saying how to get one; with CI set it fails.
 */
describeWithChromium('headless Chromium → examples/express → ingest → Postgres', (executablePath) => {
  let ingest: IngestOnFreshDatabase | undefined;
  let app: ExampleApp | undefined;
  let browser: Browser | undefined;
  const hops: NavigationHop[] = [];
  const subrequests: Array<{ path: string; status: number }> = [];
  let cookies: { visitorId: string | undefined; session: string | undefined };
  let exitCode: number | string;

  // Clicks a link of the current page and waits until the page it leads to has loaded everything
  // (its stylesheet, script and the script's XHR).
  const follow = async (page: Page, href: string, landsOn: string) => {
    await page.locator(`a[href="${href}"]`).first().click();
    await page.waitForURL(`${app?.origin}${landsOn}`);
    await page.waitForLoadState('networkidle');
  };

  beforeAll(async () => {
    ingest = await startIngestOnFreshDatabase('browser_express');
    app = await startExampleApp('express', { apiUrl: ingest.apiUrl, apiKey: ingest.tenant.apiKey });
    const origin = app.origin;
    const bot = createBrowserLikeClient(origin, GOOGLEBOT_UA);
    const stranger = createBrowserLikeClient(origin);
    browser = await launchChromium(executablePath);
    try {
      // Headless Chromium says "HeadlessChrome" in its User-Agent, which isbot rightly takes for a robot;
      // a person's Chrome of the same version says "Chrome".
      const userAgent = (
        await browser.newPage().then(async (probe) => {
          const ua = await probe.evaluate(() => navigator.userAgent);
          await probe.close();
          return ua;
        })
      ).replace('HeadlessChrome', 'Chrome');
      const context = await browser.newContext({ userAgent });
      const page = await context.newPage();
      page.on('response', (response) => {
        const request = response.request();
        const url = new URL(response.url());
        if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
          hops.push({
            method: request.method(),
            path: url.pathname + url.search,
            status: response.status(),
            referer: request.headers().referer,
          });
        } else {
          subrequests.push({ path: url.pathname, status: response.status() });
        }
      });

      // Land from the newsletter link while a cookie-less request and the crawler hit the app.
      await Promise.all([
        page.goto(`${origin}/${LANDING_QUERY}`, { referer: EXTERNAL_REFERRER }),
        stranger.subrequest({
          path: '/api/ping',
          dest: 'empty',
          mode: 'cors',
          referer: `${origin}/${LANDING_QUERY}`,
          withCookies: false,
        }),
        bot.navigate(`/${LANDING_QUERY}`, { site: 'none' }),
      ]);
      await page.waitForLoadState('networkidle');
      await Promise.all([follow(page, '/pricing', '/pricing'), bot.navigate('/pricing', { site: 'none' })]);
      await follow(page, '/about', '/about');
      // The pages have no link to /promo (a campaign URL); put one in, as a banner would have it.
      await page.evaluate(() => {
        const link = document.createElement('a');
        link.href = '/promo';
        link.textContent = 'Promo';
        document.body.append(link);
      });
      await follow(page, '/promo', '/pricing');
      await follow(page, '/signup', '/signup');
      await page.locator('select[name="plan"]').selectOption(SIGNUP_PLAN);
      await page
        .locator('form[action="/signup"] [type="submit"], form[action="/signup"] button')
        .first()
        .click();
      await page.waitForURL(`${origin}/welcome`);
      await page.waitForLoadState('networkidle');

      const stored = await context.cookies(origin);
      cookies = {
        visitorId: stored.find((cookie) => cookie.name === '_mbuzz_vid')?.value,
        session: stored.find((cookie) => cookie.name === '_mbuzz_sid')?.value,
      };
    } finally {
      await browser.close();
      exitCode = await app.stop();
    }
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await app?.stop();
    try {
      await ingest?.stopAndDrop();
    } finally {
      await killAllChildren();
    }
  });

  it('went through the journey as designed', () => {
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
    expect(hops[0]?.referer).toBe(EXTERNAL_REFERRER);
    // The pages really made their sub-requests, so "no event from a sub-request" means something.
    expect(
      subrequests.filter((request) => request.path === '/api/ping' && request.status === 200).length,
    ).toBeGreaterThanOrEqual(6);
    expect(subrequests.some((request) => request.path === '/assets/app.css' && request.status === 200)).toBe(
      true,
    );
    expect(app?.cleanExitCodes, app?.service.output()).toContain(exitCode);
  });

  it('stores exactly one visitor, one attributed session, the real page views and the signup', async () => {
    if (!ingest || !app) throw new Error('setup failed');
    const origin = app.origin;
    await expectJourneyStored(ingest.db.sql, {
      landingUrl: `${origin}/${LANDING_QUERY}`,
      externalReferrer: EXTERNAL_REFERRER,
      pageViewPaths: hops
        .filter((hop) => hop.method === 'GET' && hop.status >= 200 && hop.status < 300)
        .map((hop) => new URL(hop.path, origin).pathname),
      plan: SIGNUP_PLAN,
      cookies,
    });
  });
});
