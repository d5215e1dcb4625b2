import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BreakdownRow, Metrics } from './truth.js';

/** Where the screenshots go (git-ignored): `apps/dashboard/test-artifacts/screenshots`. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

/** A phone's viewport (an iPhone 12–15 in CSS pixels). */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export { launchChromium } from '@mbuzz/test-kit/browser';

/**
 * A browser context in UTC (the truth counts days in UTC) with English formatting, at desktop size
 * unless told; downloads accepted (CSV exports). {@link watchIncidents} records what must not happen in it.
 */
export async function newContext(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; storageState?: string; baseURL: string },
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: options.baseURL,
    viewport: options.viewport ?? DESKTOP,
    timezoneId: 'UTC',
    locale: 'en-US',
    acceptDownloads: true,
    ...(options.storageState ? { storageState: options.storageState } : {}),
  });
}

/**
 * What must never happen on a dashboard page: a dialog (alert), an uncaught error, a request for the
 * `src=x` of an injected `<img>`, a request to another origin (no CDN, no network at run time).
 */
export interface Incidents {
  dialogs: string[];
  pageErrors: string[];
  injectedRequests: string[];
  externalRequests: string[];
}

export const noIncidents = (): Incidents => ({
  dialogs: [],
  pageErrors: [],
  injectedRequests: [],
  externalRequests: [],
});

/**
 * Records the dialogs, uncaught errors, `/x` requests and requests to other origins than `origin` (the
 * server's) of every page of `context`, dismissing dialogs.
 */
export function watchIncidents(context: BrowserContext, incidents: Incidents, origin: string): void {
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/x') incidents.injectedRequests.push(request.url());
    if (/^(https?|wss?):$/.test(url.protocol) && url.origin !== new URL(origin).origin) {
      incidents.externalRequests.push(request.url());
    }
  });
  const watch = (page: Page) => {
    page.on('dialog', (dialog) => {
      incidents.dialogs.push(`${page.url()}: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss().catch(() => {});
    });
    page.on('pageerror', (error) => incidents.pageErrors.push(`${page.url()}: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
}

/** The Overview's numbers: each `[data-metric]` section's `[data-value]`, as a number. */
export async function readMetrics(page: Page): Promise<Partial<Record<keyof Metrics, number>>> {
  return page.$$eval('section[data-metric]', (sections) =>
    Object.fromEntries(
      sections.map((section) => {
        const raw = section.querySelector('[data-value]')?.getAttribute('data-value');
        return [
          section.getAttribute('data-metric'),
          raw === null || raw === undefined ? Number.NaN : Number(raw),
        ];
      }),
    ),
  );
}

/** The Overview's changes: each `[data-change]` (`""`: null). */
export async function readChanges(page: Page): Promise<Partial<Record<keyof Metrics, number | null>>> {
  return page.$$eval('section[data-metric]', (sections) =>
    Object.fromEntries(
      sections.map((section) => {
        const raw = section.querySelector('[data-change]')?.getAttribute('data-change');
        return [
          section.getAttribute('data-metric'),
          raw === '' || raw === null || raw === undefined ? null : Number(raw),
        ];
      }),
    ),
  );
}

/** The columns of a Sources table after the dimension, in order (contract). */
export const TABLE_METRICS: Array<keyof BreakdownRow> = [
  'visitors',
  'sessions',
  'page_views',
  'bounce_rate',
  'conversions',
  'conversion_rate',
];

/** A report table (Sources, the Overview's top channels): one with a "Visitors" column — not uPlot's legend. */
export const REPORT_TABLE = 'table:has(th:text-is("Visitors"))';

/**
 * A table of the page as `{ value: row }`: the first cell's text (its button's) is the dimension value,
 * the `td[data-value]` cells are the metrics in the contract's column order. `table` selects the table
 * (the first report table of the page by default). Rows without a button (a loading or empty row) are left out.
 */
export async function readBreakdown(page: Page, table = REPORT_TABLE): Promise<Record<string, BreakdownRow>> {
  const rows = await page
    .locator(table)
    .first()
    .evaluate((element) =>
      [...element.querySelectorAll('tbody tr')].map((tr) => ({
        value: tr.querySelector('button')?.textContent ?? null,
        cells: [...tr.querySelectorAll('td[data-value]')].map((td) => td.getAttribute('data-value')),
      })),
    );
  const table_: Record<string, BreakdownRow> = {};
  for (const row of rows) {
    if (row.value === null) continue;
    table_[row.value] = Object.fromEntries(
      TABLE_METRICS.map((metric, i) => [metric, row.cells[i] == null ? Number.NaN : Number(row.cells[i])]),
    ) as unknown as BreakdownRow;
  }
  return table_;
}

/** The header texts of the first table of the page. */
export async function readHeaders(page: Page, table = 'table'): Promise<string[]> {
  return (await page.locator(table).first().locator('thead th').allTextContents()).map((text) => text.trim());
}

const require = createRequire(import.meta.url);

/** One axe-core violation, for a failure message. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and resolves its serious and critical violations. The page's CSP forbids
 * inline scripts, so axe's source is evaluated through the DevTools protocol (page.evaluate of a
 * string), which the CSP does not govern — the page itself stays as strict as it is.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await settled(page);
  const axe = require('axe-core') as { source: string };
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded === 'undefined') await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: object): Promise<unknown> };
    };
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Waits until no panel of the page is loading (`aria-busy="true"`) and its chart, if any, is drawn. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('[aria-busy="true"]') === null &&
      [...document.querySelectorAll('figure[aria-label="Visitors over time"]')].every(
        (figure) => figure.getAttribute('data-ready') === 'true',
      ),
  );
}

/** Saves a full-page screenshot as `<name>.png` under {@link SCREENSHOT_DIR}, once the page has settled. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await settled(page);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}

/**
 * A CSV as rows of fields (RFC 4180: quoted fields with doubled quotes; CRLF or LF line ends). A leading
 * `'` that protects a formula-like value is kept: the test compares what a spreadsheet would get.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
