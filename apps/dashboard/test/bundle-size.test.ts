import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DIST_DIR, requireDashboardBuild } from './helpers/dashboard-build.js';

/** Issue 9: the dashboard's initial JS is under 150 KB gzip. */
const BUDGET_BYTES = 150 * 1024;

/**
 * The JS the browser loads before the first render: every `<script src>` and `<link rel="modulepreload">`
 * of dist/index.html (same-origin files of the build; no CDN may be referenced).
 */
function initialScripts(html: string): string[] {
  const urls = new Set<string>();
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    const src = tag.match(/\bsrc=["']?([^"'\s>]+)/i)?.[1];
    if (src) urls.add(src);
  }
  for (const tag of html.match(/<link\b[^>]*>/gi) ?? []) {
    if (!/\brel=["']?modulepreload/i.test(tag)) continue;
    const href = tag.match(/\bhref=["']?([^"'\s>]+)/i)?.[1];
    if (href) urls.add(href);
  }
  return [...urls];
}

describe('the built dashboard (apps/dashboard/dist)', () => {
  it('exists: the browser tests serve it (pnpm test builds it first)', () => {
    requireDashboardBuild();
  });

  it('loads its initial JS from its own files only, no inline script, under 150 KB gzip', () => {
    requireDashboardBuild();
    const html = readFileSync(`${DIST_DIR}index.html`, 'utf8');
    // The server's CSP allows no inline script: every script of the page is a file.
    expect(html.match(/<script\b(?![^>]*\bsrc=)[^>]*>/gi) ?? []).toEqual([]);
    const scripts = initialScripts(html);
    expect(scripts.length, 'index.html references no script').toBeGreaterThan(0);
    let total = 0;
    const sizes: string[] = [];
    for (const url of scripts) {
      expect(url, 'a script from another origin (no CDN at run time)').toMatch(/^\/(?!\/)/);
      const file = `${DIST_DIR}${url.replace(/^\//, '')}`;
      expect(existsSync(file), `${url} is referenced by index.html but not in dist`).toBe(true);
      const gzipped = gzipSync(readFileSync(file)).length;
      total += gzipped;
      sizes.push(`${url}: ${(gzipped / 1024).toFixed(1)} KB`);
    }
    expect(total, `initial JS ${(total / 1024).toFixed(1)} KB gzip (${sizes.join(', ')})`).toBeLessThan(
      BUDGET_BYTES,
    );
  });
});
