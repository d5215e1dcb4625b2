import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithChromium } from '@mbuzz/test-kit/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type AxeViolation,
  type Incidents,
  launchChromium,
  newContext,
  noIncidents,
  PHONE,
  parseCsv,
  REPORT_TABLE,
  readBreakdown,
  readChanges,
  readHeaders,
  readMetrics,
  screenshot,
  seriousAxeViolations,
  TABLE_METRICS,
  watchIncidents,
} from './helpers/browser.js';
import { requireDashboardBuild } from './helpers/dashboard-build.js';
import {
  type DashboardFixture,
  LOGIN_RATE_LIMIT_MAX,
  PASSWORD,
  startDashboardFixture,
  USERS,
} from './helpers/dashboard-fixture.js';
import {
  eventsOf,
  FORMULA_VALUE,
  OTHER_ACCOUNT_MARKERS,
  type PlannedSession,
  TOUCHES,
  XSS_EVENT_TYPE,
  XSS_VALUE,
} from './helpers/seed-plan.js';
import {
  addDays,
  type BreakdownRow,
  breakdownTruth,
  type DayRange,
  type Dimension,
  dayOf,
  type IsFilter,
  namedRange,
  overviewChange,
  overviewTruth,
  visitorsOverTime,
} from './helpers/truth.js';

// The dashboard (issue 9) in headless Chromium, against the built ingest service serving the built
// dashboard, on a fresh Postgres database seeded through POST /api/v1/events. Every number the page shows
// is compared with the truth computed from what was sent (helpers/truth.ts). One browser for the file;
// the tests run in order and share the admin's signed-in context. Without Postgres the file is left out
// (vitest.config.ts), without Chromium skipped (describeWithChromium) — each with one line; with CI set,
// both fail.

/** How long the page may take to show what the tests wait for. */
const UI_TIMEOUT = 10_000;

const GENERIC_LOGIN_ERROR = 'email or password is wrong';

const toRecord = (rows: Map<string, BreakdownRow>): Record<string, BreakdownRow> => Object.fromEntries(rows);

describeWithChromium(
  'the dashboard in headless Chromium, on the real service and Postgres',
  (executablePath) => {
    let f: DashboardFixture;
    let browser: Browser;
    let admin: BrowserContext;
    let page: Page;
    const incidents: Incidents = noIncidents();
    const adminState = join(tmpdir(), `mbuzz-dashboard-admin-${process.pid}.json`);

    const conv = { conversionEvent: 'signup' };
    const truth = (range: DayRange, filters: IsFilter[] = []) =>
      overviewTruth(f.acmeLive, range, { ...conv, filters });
    const breakdown = (range: DayRange, dimension: Dimension, filters: IsFilter[] = []) =>
      toRecord(breakdownTruth(f.acmeLive, range, dimension, { ...conv, filters }));

    /** Waits until the Overview shows `expected` (the page refetches as the view changes). */
    const expectMetrics = (on: Page, expected: object) =>
      expect.poll(() => readMetrics(on), { timeout: UI_TIMEOUT }).toEqual(expected);
    /** Waits until the Overview shows Acme's true numbers of `range`, and their change against the period before. */
    const expectOverview = (on: Page, range: DayRange, filters: IsFilter[] = []) =>
      expect
        .poll(async () => ({ metrics: await readMetrics(on), changes: await readChanges(on) }), {
          timeout: UI_TIMEOUT,
        })
        .toEqual({
          metrics: truth(range, filters),
          changes: overviewChange(f.acmeLive, range, { ...conv, filters }),
        });
    const expectTable = (on: Page, expected: Record<string, BreakdownRow>, table = REPORT_TABLE) =>
      expect.poll(() => readBreakdown(on, table), { timeout: UI_TIMEOUT }).toEqual(expected);
    const expectNoAxeViolations = async (on: Page, name: string) => {
      const violations: AxeViolation[] = await seriousAxeViolations(on);
      expect(violations, `axe: serious or critical violations on ${name}`).toEqual([]);
    };
    const mainNav = (on: Page) => on.getByRole('navigation', { name: 'Main' });
    const goVia = async (on: Page, link: string, path: string) => {
      await mainNav(on).getByRole('link', { name: link, exact: true }).click();
      await on.waitForURL((url) => url.pathname === path);
    };
    const filterChips = (on: Page) => on.getByRole('list', { name: 'Filters' }).getByRole('listitem');

    /** Logs in through the login page (typing, as a person does), and waits for the signed-in shell. */
    const logIn = async (on: Page, email: string, password = PASSWORD) => {
      await on.goto('/login');
      await on.getByLabel('Email').fill(email);
      await on.getByLabel('Password').fill(password);
      await on.getByRole('button', { name: 'Sign in' }).click();
    };

    beforeAll(async () => {
      requireDashboardBuild();
      [f, browser] = await Promise.all([startDashboardFixture(), launchChromium(executablePath)]);
      admin = await newContext(browser, { baseURL: f.baseUrl });
      admin.setDefaultTimeout(UI_TIMEOUT);
      watchIncidents(admin, incidents, f.baseUrl);
      page = await admin.newPage();
    });

    afterAll(async () => {
      rmSync(adminState, { force: true });
      await browser?.close().catch(() => {});
      await f?.stop();
    });

    it('serves the dashboard at / and its routes, with a CSP that allows no inline script or style', async () => {
      for (const path of ['/', '/login', '/sources', '/events', '/keys']) {
        const res = await fetch(`${f.baseUrl}${path}`);
        const html = await res.text();
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
        expect(html, path).toContain('<div id="app">');
        expect(res.headers.get('cache-control'), path).toMatch(/no-cache/);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp, path).toMatch(/script-src 'self'/);
        expect(csp, path).toMatch(/style-src 'self'/);
        expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval/);
        expect(csp, path).toMatch(/object-src 'none'/);
        expect(csp, path).toMatch(/frame-ancestors 'none'/);
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
      }
      const html = await (await fetch(`${f.baseUrl}/`)).text();
      const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
      expect(asset, 'index.html loads a hashed script from /assets').toBeDefined();
      const res = await fetch(`${f.baseUrl}${asset}`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/max-age=31536000/);
      // The API stays JSON.
      const api = await fetch(`${f.baseUrl}/api/v1/nothing-here`);
      expect(api.headers.get('content-type')).toMatch(/json/);
    });

    it('shows the login page when signed out; a wrong password fails with the generic text', async () => {
      await page.goto('/');
      await page.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: UI_TIMEOUT })
        .toBe('Sign in');
      await expectNoAxeViolations(page, 'the login page');
      await screenshot(page, 'login-desktop');

      await logIn(page, USERS.viewer, 'not the password at all');
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: UI_TIMEOUT });
      expect((await alert.textContent())?.toLowerCase()).toContain(GENERIC_LOGIN_ERROR);
      expect(new URL(page.url()).pathname).toBe('/login');
      // No session came of it.
      expect((await admin.request.get('/api/v1/auth/me')).status()).toBe(401);
    });

    it('logs the admin in; the Overview shows the true numbers of the last 30 days, and their change', async () => {
      await logIn(page, USERS.admin);
      await mainNav(page).waitFor({ timeout: UI_TIMEOUT });
      // The phone test reuses this session (the login limit is low on purpose).
      await admin.storageState({ path: adminState });
      expect(new URL(page.url()).pathname).toBe('/');
      // The session cookie is out of the page's reach, and the CSRF token is kept in memory only.
      const cookie = (await admin.cookies(f.baseUrl)).find((c) => c.name === 'mbuzz_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate(() => document.cookie)).not.toContain('mbuzz_session');
      const { csrf_token: csrf } = (await (await admin.request.get('/api/v1/auth/me')).json()) as {
        csrf_token: string;
      };
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
      expect(stored).not.toContain(csrf);
      await expect.poll(() => page.getByText('Acme').first().isVisible()).toBe(true);
      expect(await page.getByLabel('Date range').inputValue()).toBe('30d');

      // Its choices: the custom event types of the account (as text), not page_view; `signup` by default
      // (the likeliest conversion), not the first in sort order.
      const conversionEvent = page.getByLabel('Conversion event');
      await expect.poll(() => conversionEvent.inputValue()).toBe('signup');
      const choices = await conversionEvent.locator('option').allTextContents();
      expect(choices).toEqual(expect.arrayContaining(['signup', XSS_EVENT_TYPE]));
      expect(choices).not.toContain('page_view');
      const range = namedRange('30d');
      await expectOverview(page, range);
      // Another choice counts its sessions instead, and goes in the URL.
      await conversionEvent.selectOption(XSS_EVENT_TYPE);
      await page.waitForURL((url) => url.searchParams.get('conv') === XSS_EVENT_TYPE);
      await expectMetrics(page, overviewTruth(f.acmeLive, range, { conversionEvent: XSS_EVENT_TYPE }));
      await conversionEvent.selectOption('signup');
      await page.waitForURL((url) => url.searchParams.get('conv') === 'signup');
      await expectOverview(page, range);
      expect(await readChanges(page)).toEqual(overviewChange(f.acmeLive, range, conv));
      // The headings, and the chart drawn with this answer.
      for (const heading of [
        'Visitors',
        'Sessions',
        'Page views',
        'Views per session',
        'Bounce rate',
        'Conversions',
      ]) {
        await expect
          .poll(() => page.getByRole('heading', { name: heading, exact: true }).count())
          .toBeGreaterThan(0);
      }
      const chart = page.locator('figure[aria-label="Visitors over time"][data-ready="true"]');
      await chart.waitFor({ timeout: UI_TIMEOUT });
      // Drawn by the chart library (uPlot draws on a canvas), not hand-made SVG.
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
      // The Overview's top channels.
      await expectTable(page, breakdown(range, 'channel'));
      await expectNoAxeViolations(page, 'the Overview');
      await screenshot(page, 'overview-desktop');
    });

    it('the chart draws the truth: its summary names the busiest day (30 days) and hour (today)', async () => {
      // The chart's own summary for screen readers (its figcaption): "Visitors per day from … to …; the
      // most, N, on <day>." — the one place its data can be read without the canvas.
      const peakOf = (buckets: Array<{ label: string; visitors: number }>) =>
        buckets.reduce((best, bucket) => (bucket.visitors > best.visitors ? bucket : best));
      const dayLabel = (day: string) =>
        new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
          new Date(`${day}T00:00:00Z`),
        );
      const caption = page.locator('figure[aria-label="Visitors over time"] figcaption');

      await page.goto('/?conv=signup');
      const days = peakOf(visitorsOverTime(f.acmeLive, namedRange('30d'), 'day'));
      await expect
        .poll(() => caption.textContent())
        .toMatch(new RegExp(`per day .*the most, ${days.visitors}, on ${dayLabel(days.label)}\\.`));

      await page.goto('/?range=today&conv=signup');
      const hours = peakOf(visitorsOverTime(f.acmeLive, namedRange('today'), 'hour'));
      await expect
        .poll(() => caption.textContent())
        .toMatch(new RegExp(`per hour .*the most, ${hours.visitors}, on ${hours.label}\\.`));
    });

    it('Sources: the Channels tab lists every seeded channel with exact counts', async () => {
      await page.goto('/sources?conv=signup');
      const channels = page.getByRole('tab', { name: 'Channels', exact: true });
      await expect.poll(() => channels.getAttribute('aria-selected')).toBe('true');
      await expect
        .poll(() => readHeaders(page))
        .toEqual([
          'Channel',
          'Visitors',
          'Sessions',
          'Page views',
          'Bounce rate',
          'Conversions',
          'Conversion rate',
        ]);
      const expected = breakdown(namedRange('30d'), 'channel');
      expect(Object.keys(expected).sort()).toEqual(
        ['Direct', 'Email', 'Organic Search', 'Organic Social', 'Paid Search', 'Referral'].sort(),
      );
      await expectTable(page, expected);
      await expectNoAxeViolations(page, 'Sources');
      await screenshot(page, 'sources-desktop');
    });

    it('Sources: the tabs work by keyboard (arrow keys), the tab in the URL', async () => {
      await page.goto('/sources?conv=signup');
      await page.getByRole('tab', { name: 'Channels', exact: true }).focus();
      await page.keyboard.press('ArrowRight');
      await expect
        .poll(() => page.getByRole('tab', { name: 'Sources', exact: true }).getAttribute('aria-selected'))
        .toBe('true');
      await page.waitForURL((url) => url.searchParams.get('tab') === 'sources');
      await expectTable(page, breakdown(namedRange('30d'), 'source'));
    });

    it('Sources: every other tab shows its dimension with exact counts', async () => {
      const tabs: Array<[string, Dimension]> = [
        ['Sources', 'source'],
        ['Campaigns', 'utm_campaign'],
        ['Mediums', 'utm_medium'],
        ['Content', 'utm_content'],
        ['Terms', 'utm_term'],
        ['Referrers', 'referrer_domain'],
        ['Landing pages', 'landing_page'],
      ];
      const range = namedRange('30d');
      for (const [tab, dimension] of tabs) {
        await page.getByRole('tab', { name: tab, exact: true }).click();
        await expect
          .poll(() => page.getByRole('tab', { name: tab, exact: true }).getAttribute('aria-selected'))
          .toBe('true');
        const expected = breakdown(range, dimension);
        expect(Object.keys(expected).length, tab).toBeGreaterThan(1);
        // Whether the sessions without a value show as a "(none)" row is the page's choice; if so, exactly.
        await expect
          .poll(
            async () => {
              const rows = await readBreakdown(page);
              const none = expected['(none)'];
              if (none && !('(none)' in rows)) rows['(none)'] = none;
              return rows;
            },
            { timeout: UI_TIMEOUT },
          )
          .toEqual(expected);
      }
    });

    it(`shows a UTM value of ${XSS_VALUE} as text and runs nothing`, async () => {
      await page.goto('/sources?tab=campaigns&conv=signup');
      const cell = page.getByRole('button', { name: XSS_VALUE, exact: true });
      await cell.waitFor({ timeout: UI_TIMEOUT });
      expect(await cell.textContent()).toBe(XSS_VALUE);
      expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
      // Give an injected handler the time to run, had anything been injected.
      await page.waitForTimeout(300);
      expect(incidents).toEqual(noIncidents());
    });

    it('clicking "Paid Search" filters every panel (a removable chip, the Overview becomes Paid Search\'s)', async () => {
      await page.goto('/?conv=signup');
      const range = namedRange('30d');
      await expectOverview(page, range);
      await page
        .locator(REPORT_TABLE)
        .first()
        .getByRole('button', { name: 'Paid Search', exact: true })
        .click();
      await page.waitForURL((url) => url.searchParams.getAll('f').includes('channel:is:Paid Search'));
      const paid: IsFilter[] = [{ dimension: 'channel', value: 'Paid Search' }];
      await expect
        .poll(() => filterChips(page).allTextContents())
        .toEqual([expect.stringContaining('Channel is Paid Search')]);
      await expectOverview(page, range, paid);
      expect(truth(range, paid)).not.toEqual(truth(range));
      await expectTable(page, breakdown(range, 'channel', paid));

      // The filter follows to Sources: its Sources tab shows only Paid Search's sources.
      await goVia(page, 'Sources', '/sources');
      expect(new URL(page.url()).searchParams.getAll('f')).toEqual(['channel:is:Paid Search']);
      await expect.poll(() => filterChips(page).count()).toBe(1);
      await page.getByRole('tab', { name: 'Sources', exact: true }).click();
      await expectTable(page, breakdown(range, 'source', paid));

      // By keyboard: focus the chip's remove button, Enter.
      await page.getByRole('button', { name: 'Remove filter Channel is Paid Search' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => filterChips(page).count()).toBe(0);
      expect(new URL(page.url()).searchParams.getAll('f')).toEqual([]);
      await expectTable(page, breakdown(range, 'source'));
    });

    it('filters by a value that is markup, and by "(none)", through the URL', async () => {
      const range = namedRange('30d');
      await page.goto('/sources?tab=campaigns&conv=signup');
      await page.getByRole('button', { name: XSS_VALUE, exact: true }).click();
      await page.waitForURL((url) => url.searchParams.getAll('f').includes(`utm_campaign:is:${XSS_VALUE}`));
      await expect
        .poll(() => filterChips(page).allTextContents())
        .toEqual([expect.stringContaining(XSS_VALUE)]);
      await goVia(page, 'Overview', '/');
      const markup: IsFilter[] = [{ dimension: 'utm_campaign', value: XSS_VALUE }];
      await expectOverview(page, range, markup);
      // The same view from its link.
      await page.reload();
      await expectOverview(page, range, markup);
      expect(await page.locator('img[src="x"]').count()).toBe(0);

      await page.goto('/sources?tab=campaigns&conv=signup');
      const none = page.getByRole('button', { name: '(none)', exact: true });
      if ((await none.count()) > 0) {
        await none.click();
        await page.waitForURL((url) => url.searchParams.getAll('f').includes('utm_campaign:is:(none)'));
        await goVia(page, 'Overview', '/');
        await expectOverview(page, range, [{ dimension: 'utm_campaign', value: '(none)' }]);
      }
    });

    it('changing the date range changes the numbers to the truth of the new range', async () => {
      await page.goto('/?conv=signup');
      const dateRange = page.getByLabel('Date range');
      for (const name of ['7d', 'today', 'month'] as const) {
        await dateRange.selectOption(name);
        await page.waitForURL((url) => url.searchParams.get('range') === name);
        await expectOverview(page, namedRange(name));
      }
      expect(truth(namedRange('7d'))).not.toEqual(truth(namedRange('30d')));
      // The state is in the URL: Back returns to the previous range and its numbers.
      await page.goBack();
      await page.waitForURL((url) => url.searchParams.get('range') === 'today');
      await expect.poll(() => dateRange.inputValue()).toBe('today');
      await expectOverview(page, namedRange('today'));

      // A custom range: two weeks that end ten days ago.
      const to = addDays(dayOf(new Date()), -10);
      const from = addDays(to, -13);
      await dateRange.selectOption('custom');
      await page.getByLabel('From', { exact: true }).fill(from);
      await page.getByLabel('To', { exact: true }).fill(to);
      await page.waitForURL(
        (url) =>
          url.searchParams.get('range') === 'custom' &&
          url.searchParams.get('from') === from &&
          url.searchParams.get('to') === to,
        { timeout: UI_TIMEOUT },
      );
      await expectOverview(page, { from, to });

      await dateRange.selectOption('30d');
      await expectOverview(page, namedRange('30d'));
    });

    it('a link with the view state in the URL reproduces the view', async () => {
      const to = addDays(dayOf(new Date()), -3);
      const from = addDays(to, -20);
      const email: IsFilter[] = [{ dimension: 'channel', value: 'Email' }];
      const linked = await admin.newPage();
      try {
        await linked.goto(
          `/sources?range=custom&from=${from}&to=${to}&f=channel:is:Email&tab=campaigns&conv=signup`,
        );
        await expect
          .poll(() => linked.getByLabel('Date range').inputValue(), { timeout: UI_TIMEOUT })
          .toBe('custom');
        expect(await linked.getByLabel('From', { exact: true }).inputValue()).toBe(from);
        expect(await linked.getByLabel('To', { exact: true }).inputValue()).toBe(to);
        await expect
          .poll(() => filterChips(linked).allTextContents())
          .toEqual([expect.stringContaining('Channel is Email')]);
        expect(
          await linked.getByRole('tab', { name: 'Campaigns', exact: true }).getAttribute('aria-selected'),
        ).toBe('true');
        const expected = breakdown({ from, to }, 'utm_campaign', email);
        expect(Object.keys(expected).length).toBeGreaterThan(0);
        await expectTable(linked, expected);

        await linked.goto('/?range=7d&f=source:is:google&conv=signup');
        await expectOverview(linked, namedRange('7d'), [{ dimension: 'source', value: 'google' }]);
      } finally {
        await linked.close();
      }
    });

    it('shows a panel as busy while its query runs, and an error with "Retry" when it fails', async () => {
      await page.goto('/?conv=signup');
      await expectOverview(page, namedRange('30d'));
      let mode: 'slow' | 'fail' | 'pass' = 'slow';
      await page.route('**/api/v1/query', async (route) => {
        if (mode === 'fail') {
          await route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ error: 'the database is unavailable', code: 'internal_error' }),
          });
          return;
        }
        if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_500));
        await route.continue();
      });
      try {
        await page.getByLabel('Date range').selectOption('7d');
        await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBeGreaterThan(0);
        await expectOverview(page, namedRange('7d'));

        mode = 'fail';
        await page.getByLabel('Date range').selectOption('today');
        // The page may retry a failed query a few times before it says so.
        const retry = page.getByRole('button', { name: 'Retry' });
        await retry.first().waitFor({ timeout: 30_000 });
        expect(await page.getByRole('alert').count()).toBeGreaterThan(0);
        mode = 'pass';
        // Each failed panel has its own Retry (one may retry them all): click until none is left.
        await expect
          .poll(async () => {
            const left = await retry.count();
            if (left > 0)
              await retry
                .first()
                .click({ timeout: 1_000 })
                .catch(() => {});
            return left;
          })
          .toBe(0);
        await expectOverview(page, namedRange('today'));
        expect(await page.getByRole('alert').count()).toBe(0);
      } finally {
        await page.unroute('**/api/v1/query');
      }
    });

    it('the "First touch" toggle groups by the visitor\'s first channel and first source', async () => {
      await page.goto('/sources?conv=signup');
      await page.getByRole('tab', { name: 'Channels', exact: true }).click();
      await page.getByLabel('First touch').check();
      await page.waitForURL((url) => url.searchParams.get('touch') === 'first');
      await expectTable(page, breakdown(namedRange('30d'), 'first_channel'));
      expect(breakdown(namedRange('30d'), 'first_channel')).not.toEqual(
        breakdown(namedRange('30d'), 'channel'),
      );
      await page.getByRole('tab', { name: 'Sources', exact: true }).click();
      await expectTable(page, breakdown(namedRange('30d'), 'first_source'));
      await page.getByRole('tab', { name: 'Channels', exact: true }).click();
      await page.getByLabel('First touch').uncheck();
      await expectTable(page, breakdown(namedRange('30d'), 'channel'));
    });

    /** Clicks the page's first "Export CSV" and resolves the downloaded file's rows (empty lines left out). */
    const exportCsv = async (on: Page): Promise<string[][]> => {
      const [download] = await Promise.all([
        on.waitForEvent('download', { timeout: UI_TIMEOUT }),
        on.getByRole('button', { name: 'Export CSV' }).first().click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
      const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
      return rows.filter((row) => row.some((cell) => cell !== ''));
    };
    /** A report CSV (dimension column `dimension`, then metrics) as `{ value: row }`. */
    const csvBreakdown = (rows: string[][], dimension: string): Record<string, BreakdownRow> => {
      const [header = [], ...body] = rows;
      expect(header[0]).toBe(dimension);
      const columns = TABLE_METRICS.map((metric) =>
        header.findIndex((h) => h === metric || h.startsWith(`${metric}:`)),
      );
      expect(
        columns.every((i) => i > 0),
        `CSV header ${header.join(',')}`,
      ).toBe(true);
      return Object.fromEntries(
        body.map((row) => [
          row[0] as string,
          Object.fromEntries(
            TABLE_METRICS.map((metric, i) => [metric, Number(row[columns[i] as number])]),
          ) as unknown as BreakdownRow,
        ]),
      );
    };

    it('exports the Channels table as a CSV that matches the table', async () => {
      await page.goto('/sources?conv=signup');
      const expected = breakdown(namedRange('30d'), 'channel');
      await expectTable(page, expected);
      const csv = csvBreakdown(await exportCsv(page), 'channel');
      expect(csv).toEqual(await readBreakdown(page));
      expect(csv).toEqual(expected);
    });

    it("exports a filtered table as shown, and neutralises a formula from the traffic (a leading ')", async () => {
      const paid: IsFilter[] = [{ dimension: 'channel', value: 'Paid Search' }];
      await page.goto('/sources?f=channel:is:Paid%20Search&tab=sources&conv=signup');
      const expected = breakdown(namedRange('30d'), 'source', paid);
      await expectTable(page, expected);
      expect(csvBreakdown(await exportCsv(page), 'source')).toEqual(expected);

      await page.goto('/sources?tab=terms&conv=signup');
      const terms = breakdown(namedRange('30d'), 'utm_term');
      await page.getByRole('button', { name: FORMULA_VALUE, exact: true }).waitFor({ timeout: UI_TIMEOUT });
      const csv = csvBreakdown(await exportCsv(page), 'utm_term');
      expect(csv[`'${FORMULA_VALUE}`]).toEqual(terms[FORMULA_VALUE]);
      expect(csv[FORMULA_VALUE]).toBeUndefined();
    });

    it('Recent events lists the latest events as text, newest first, and nothing of another account', async () => {
      await goVia(page, 'Recent events', '/events');
      await expect
        .poll(() => readHeaders(page), { timeout: UI_TIMEOUT })
        .toEqual(['Time', 'Type', 'Path', 'Channel', 'Source']);
      // The newest events are those of the markup session (40 minutes ago): its custom event first.
      const firstRow = page.locator('table tbody tr').first();
      await expect
        .poll(async () => (await firstRow.locator('td').allTextContents()).slice(1).map((t) => t.trim()), {
          timeout: UI_TIMEOUT,
        })
        .toEqual([XSS_EVENT_TYPE, FORMULA_VALUE, 'Email', 'newsletter']);
      const body = (await page.locator('body').textContent()) ?? '';
      for (const marker of OTHER_ACCOUNT_MARKERS) expect(body).not.toContain(marker);
      expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
      await expectNoAxeViolations(page, 'Recent events');
      await screenshot(page, 'events-desktop');

      // Its CSV holds the rows of the table, in order, a formula neutralised.
      const shown = await page
        .locator('table tbody tr')
        .evaluateAll((rows) =>
          rows.map((row) =>
            [...row.querySelectorAll('td')].slice(1, 5).map((td) => td.textContent?.trim() ?? ''),
          ),
        );
      const [header = [], ...rows] = await exportCsv(page);
      const columns = ['event_type', 'path', 'channel', 'source'].map((name) => header.indexOf(name));
      expect(
        columns.every((i) => i >= 0),
        `CSV header ${header.join(',')}`,
      ).toBe(true);
      const csv = rows.map((row) => columns.map((i) => row[i] ?? ''));
      const neutralised = (value: string) => (/^[=+\-@]/.test(value) ? `'${value}` : value);
      expect(csv).toEqual(shown.map((row) => row.map(neutralised)));
      expect(csv[0]?.[1]).toBe(`'${FORMULA_VALUE}`);
    });

    it('Recent events keeps a channel filter of the view', async () => {
      await page.goto('/events?f=channel:is:Email');
      await expect
        .poll(() => filterChips(page).allTextContents())
        .toEqual([expect.stringContaining('Channel is Email')]);
      const channels = () =>
        page
          .locator('table tbody tr')
          .evaluateAll((rows) => rows.map((row) => row.querySelectorAll('td')[3]?.textContent?.trim() ?? ''));
      await expect.poll(async () => [...new Set(await channels())]).toEqual(['Email']);
    });

    it('creates a key in the UI, an event sent with it shows in Recent events within 10 s; once revoked the API refuses it', async () => {
      await goVia(page, 'API keys', '/keys');
      const keys = page.locator('table').first();
      await expect
        .poll(() => readHeaders(page), { timeout: UI_TIMEOUT })
        .toEqual(
          expect.arrayContaining(['Prefix', 'Scope', 'Environment', 'Description', 'Created', 'Last used']),
        );
      // The seeded keys, by prefix.
      await expect.poll(() => keys.textContent()).toContain(f.acme.liveKey.slice(0, 12));
      expect(await keys.textContent()).toContain(f.acme.testKey.slice(0, 12));
      await expectNoAxeViolations(page, 'API keys');
      await screenshot(page, 'keys-desktop');

      await page.getByLabel('Environment').selectOption('live');
      await page.getByLabel('Scope').selectOption('ingest');
      await page.getByLabel('Description').fill('browser test key');
      await page.getByRole('button', { name: 'Create key' }).click();
      const secretElement = page.locator('[data-secret]');
      await secretElement.waitFor({ timeout: UI_TIMEOUT });
      const shown = await secretElement.evaluate((element) =>
        [element.getAttribute('data-secret'), (element as HTMLInputElement).value, element.textContent].join(
          ' ',
        ),
      );
      const secret = shown.match(/sk_live_[0-9a-f]{32}/)?.[0] ?? '';
      expect(secret, `[data-secret] shows ${shown}`).toMatch(/^sk_live_[0-9a-f]{32}$/);
      // "Copy" puts the key on the clipboard.
      await admin.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: f.baseUrl });
      await page.getByRole('button', { name: 'Copy' }).first().click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      // The install snippet of each framework (tabs, or all shown), with the new key in it.
      for (const framework of ['Express', 'Koa', 'Fastify', 'Next']) {
        const tab = page.getByRole('tab', { name: framework, exact: true });
        if ((await tab.count()) > 0) await tab.click();
        const snippet = page.locator('pre:visible', { hasText: `@mbuzz/${framework.toLowerCase()}` });
        await expect.poll(() => snippet.count(), { message: `the ${framework} snippet` }).toBeGreaterThan(0);
        expect(await snippet.first().textContent()).toContain(secret);
      }
      await expect.poll(() => keys.textContent()).toContain('browser test key');
      await expectNoAxeViolations(page, 'API keys with a new key');
      await screenshot(page, 'keys-created-desktop');

      // Recent events is open before the event is sent: it must refresh by itself.
      await goVia(page, 'Recent events', '/events');
      await page.locator('table tbody tr').first().waitFor({ timeout: UI_TIMEOUT });
      const path = `/from-the-new-key-${Date.now()}`;
      const session: PlannedSession = {
        visitorId: 'acme-visitor-new-key',
        sessionId: 'acme-session-new-key',
        start: new Date(),
        touch: TOUCHES.direct,
        landingPath: path,
        pageViews: 1,
        customEvents: [],
      };
      const sentAt = Date.now();
      expect((await f.send(secret, eventsOf(session))).status).toBe(202);
      f.acmeLive.push(session);
      await page.getByRole('cell', { name: path, exact: true }).waitFor({ timeout: 10_000 });
      expect(Date.now() - sentAt).toBeLessThan(10_000);

      // Revoke it, with confirmation.
      await goVia(page, 'API keys', '/keys');
      const row = keys.locator('tbody tr', { hasText: 'browser test key' });
      const dialog = page.getByRole('dialog');
      // Escape and Cancel leave the key alone.
      await row.getByRole('button', { name: /^Revoke/ }).click();
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      await row.getByRole('button', { name: /^Revoke/ }).click();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      expect((await f.send(secret, [])).status).toBe(202);
      await row.getByRole('button', { name: /^Revoke/ }).click();
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      await expectNoAxeViolations(page, 'the Revoke dialog');
      await screenshot(page, 'keys-revoke-dialog-desktop');
      await dialog.getByRole('button', { name: 'Revoke key' }).click();
      await expect
        .poll(() => row.getByRole('button', { name: /^Revoke/ }).count(), { timeout: UI_TIMEOUT })
        .toBe(0);
      const revokedAt = Date.now();
      // The service caches a key for at most 5 s: by then it refuses it.
      let status = 0;
      while (Date.now() - revokedAt < 6_000) {
        status = (await f.send(secret, eventsOf({ ...session, sessionId: `acme-refused-${Date.now()}` })))
          .status;
        if (status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status, 'a revoked key is refused within the auth cache lifetime').toBe(401);
      // A refused event counts nowhere; every event that was accepted is in the truth.
    });

    it('the Overview includes the event of the new key (the truth follows what was sent)', async () => {
      await page.goto('/?conv=signup');
      await expectOverview(page, namedRange('30d'));
    });

    it('"Test data" shows the test environment\'s numbers', async () => {
      await page.goto('/?conv=signup');
      await page.getByLabel('Test data').check();
      await page.waitForURL((url) => url.searchParams.get('env') === 'test');
      await expectMetrics(page, overviewTruth(f.acmeTest, namedRange('30d'), conv));
      await page.getByLabel('Test data').uncheck();
      await expectOverview(page, namedRange('30d'));
    });

    it('a viewer sees the reports but no key management', async () => {
      const context = await newContext(browser, { baseURL: f.baseUrl });
      context.setDefaultTimeout(UI_TIMEOUT);
      watchIncidents(context, incidents, f.baseUrl);
      try {
        const viewer = await context.newPage();
        await logIn(viewer, USERS.viewer);
        await mainNav(viewer).waitFor({ timeout: UI_TIMEOUT });
        await viewer.goto('/?conv=signup');
        await expectOverview(viewer, namedRange('30d'));
        expect(await mainNav(viewer).getByRole('link', { name: 'API keys' }).count()).toBe(0);
        await viewer.goto('/keys');
        await mainNav(viewer).waitFor({ timeout: UI_TIMEOUT });
        await expect
          .poll(async () => (await viewer.locator('body').textContent()) ?? '', { timeout: UI_TIMEOUT })
          .toMatch(/can(not|'t|’t) manage|only admin|not allowed|no permission|permission/i);
        expect(await viewer.getByRole('button', { name: 'Create key' }).count()).toBe(0);
        expect(await viewer.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
        expect(await viewer.locator('[data-secret]').count()).toBe(0);
        await expectNoAxeViolations(viewer, "the viewer's API keys page");
        expect((await context.request.get('/api/v1/keys')).status()).toBe(403);

        // Signed out elsewhere (another tab): the next step in this one lands on the login page.
        const me = (await (await context.request.get('/api/v1/auth/me')).json()) as { csrf_token: string };
        const logout = await context.request.post('/api/v1/auth/logout', {
          headers: { 'x-csrf-token': me.csrf_token },
        });
        expect(logout.status()).toBe(204);
        await mainNav(viewer).getByRole('link', { name: 'Sources', exact: true }).click();
        await viewer.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
      } finally {
        await context.close();
      }
    });

    it("another account's user sees only its own data, and cannot touch Acme's keys", async () => {
      const keys = (await (await admin.request.get('/api/v1/keys')).json()) as {
        keys: Array<{ id: string }>;
      };
      const acmeKeyId = keys.keys[0]?.id;
      expect(acmeKeyId).toBeDefined();

      const context = await newContext(browser, { baseURL: f.baseUrl });
      context.setDefaultTimeout(UI_TIMEOUT);
      watchIncidents(context, incidents, f.baseUrl);
      try {
        const globex = await context.newPage();
        // A link opened while signed out: the login page, then the linked view. By keyboard only: type,
        // Tab to the password, Enter.
        await globex.goto('/sources?conv=signup');
        await globex.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
        await globex.getByLabel('Email').focus();
        await globex.keyboard.type(USERS.globex);
        await globex.keyboard.press('Tab');
        await globex.keyboard.type(PASSWORD);
        await globex.keyboard.press('Enter');
        await mainNav(globex).waitFor({ timeout: UI_TIMEOUT });
        await globex.waitForURL(
          (url) => url.pathname === '/sources' && url.searchParams.get('conv') === 'signup',
        );
        await expectTable(globex, toRecord(breakdownTruth(f.globexLive, namedRange('30d'), 'channel', conv)));
        await globex.goto('/?conv=signup');
        await expectMetrics(globex, overviewTruth(f.globexLive, namedRange('30d'), conv));
        // Globex counts days in its own time zone (Pacific/Auckland): its last 7 days are not UTC's.
        const timeZone = f.globex.timeZone;
        const sevenDays = overviewTruth(f.globexLive, namedRange('7d', { timeZone }), { ...conv, timeZone });
        expect(sevenDays).not.toEqual(overviewTruth(f.globexLive, namedRange('7d'), conv));
        await globex.getByLabel('Date range').selectOption('7d');
        await expectMetrics(globex, sevenDays);
        // The cookie of one account cannot revoke another's key.
        const me = (await (await context.request.get('/api/v1/auth/me')).json()) as { csrf_token: string };
        const res = await context.request.delete(`/api/v1/keys/${acmeKeyId}`, {
          headers: { 'x-csrf-token': me.csrf_token },
        });
        expect(res.status()).toBe(404);
      } finally {
        await context.close();
      }
      // And nothing of Globex ever showed on Acme's pages: the truths above were exact; the Sources and
      // Campaigns tabs say so too.
      await page.goto('/sources?tab=sources&conv=signup');
      await expectTable(page, breakdown(namedRange('30d'), 'source'));
      const body = (await page.locator('body').textContent()) ?? '';
      for (const marker of OTHER_ACCOUNT_MARKERS) expect(body).not.toContain(marker);
    });

    it('an account without data shows "No data yet" and the install snippet instead of zeros', async () => {
      const context = await newContext(browser, { baseURL: f.baseUrl });
      context.setDefaultTimeout(UI_TIMEOUT);
      watchIncidents(context, incidents, f.baseUrl);
      try {
        const empty = await context.newPage();
        await logIn(empty, USERS.empty);
        await empty.getByRole('heading', { name: 'No data yet' }).waitFor({ timeout: UI_TIMEOUT });
        expect(await empty.locator('section[data-metric]').count()).toBe(0);
        const code = (await empty.locator('pre, code').allTextContents()).join('\n');
        expect(code).toMatch(/mbuzz/i);
        await expectNoAxeViolations(empty, 'the empty Overview');
        await screenshot(empty, 'empty-desktop');
      } finally {
        await context.close();
      }
    });

    it('an account with test data only links to it from its empty state', async () => {
      const context = await newContext(browser, { baseURL: f.baseUrl });
      context.setDefaultTimeout(UI_TIMEOUT);
      watchIncidents(context, incidents, f.baseUrl);
      try {
        const hooli = await context.newPage();
        await logIn(hooli, USERS.testOnly);
        await hooli.getByRole('heading', { name: 'No data yet' }).waitFor({ timeout: UI_TIMEOUT });
        await hooli.getByRole('link', { name: 'View test data' }).click();
        await hooli.waitForURL((url) => url.searchParams.get('env') === 'test');
        await hooli.getByLabel('Conversion event').selectOption('signup');
        await expectMetrics(hooli, overviewTruth(f.hooliTest, namedRange('30d'), conv));
      } finally {
        await context.close();
      }
    });

    it(`repeated failed logins are rate-limited after ${LOGIN_RATE_LIMIT_MAX} attempts`, async () => {
      const context = await newContext(browser, { baseURL: f.baseUrl });
      context.setDefaultTimeout(UI_TIMEOUT);
      try {
        const login = await context.newPage();
        const alert = login.getByRole('alert');
        for (let attempt = 1; attempt <= LOGIN_RATE_LIMIT_MAX; attempt += 1) {
          await logIn(login, 'mallory@acme.example', `wrong password number ${attempt}`);
          await expect
            .poll(async () => (await alert.textContent())?.toLowerCase(), { timeout: UI_TIMEOUT })
            .toContain(GENERIC_LOGIN_ERROR);
        }
        await logIn(login, 'mallory@acme.example', 'one more wrong password');
        await expect
          .poll(async () => (await alert.textContent()) ?? '', { timeout: UI_TIMEOUT })
          .toMatch(/too many|try again (later|in)|retry/i);
        expect(new URL(login.url()).pathname).toBe('/login');
      } finally {
        await context.close();
      }
    });

    it('every page fits a phone screen (screenshots at 390×844)', async () => {
      const context = await newContext(browser, {
        baseURL: f.baseUrl,
        viewport: PHONE,
        storageState: adminState,
      });
      context.setDefaultTimeout(UI_TIMEOUT);
      watchIncidents(context, incidents, f.baseUrl);
      try {
        const phone = await context.newPage();
        const pages: Array<[string, string]> = [
          ['overview', '/?conv=signup'],
          ['sources', '/sources?conv=signup'],
          ['events', '/events'],
          ['keys', '/keys'],
        ];
        for (const [name, path] of pages) {
          await phone.goto(path);
          await mainNav(phone).waitFor({ timeout: UI_TIMEOUT });
          await phone
            .locator('table tbody tr, section[data-metric] [data-value]')
            .first()
            .waitFor({ timeout: UI_TIMEOUT });
          await screenshot(phone, `${name}-phone`);
          await expectNoAxeViolations(phone, `${path} on a phone`);
          const overflow = await phone.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(1);
        }
        await context.clearCookies();
        await phone.goto('/login');
        await phone.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT });
        await screenshot(phone, 'login-phone');
      } finally {
        await context.close();
      }
    });

    it('signs out', async () => {
      await page.goto('/');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
      expect((await admin.request.get('/api/v1/auth/me')).status()).toBe(401);
    });

    it('ran no script from the data and used no other origin: no dialog, no page error, no request for the injected image or elsewhere', () => {
      expect(incidents).toEqual(noIncidents());
    });
  },
);
