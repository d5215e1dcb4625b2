import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseEnv,
  type ChildService,
  freePort,
  killAllChildren,
  openEmbeddedDatabase,
  REPO_ROOT,
  spawnService,
} from '@mbuzz/ingest-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserLikeClient } from './harness/browser-like-client.js';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/\?utm_source=demo&utm_medium=readme&utm_campaign=try_mbuzz/;

/** `pnpm demo` (without its build step): start, open the printed link, Ctrl-C, read what was stored. */
describe('pnpm demo', () => {
  let dataDir: string;
  let demo: ChildService | undefined;
  let exitCode: number | string;
  let link: string;
  let pageViewPaths: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mbuzz-demo-'));
    demo = spawnService({
      name: 'demo',
      command: process.execPath,
      // As `pnpm demo` runs it, without its build step.
      args: ['--import', 'tsx', join(REPO_ROOT, 'scripts/demo.ts')],
      cwd: REPO_ROOT,
      env: {
        ...baseEnv(),
        MBUZZ_DEMO_INGEST_PORT: String(await freePort()),
        MBUZZ_DEMO_APP_PORT: String(await freePort()),
        MBUZZ_DEMO_DATA_DIR: dataDir,
      },
    });
    link = (await demo.waitFor(LINK, 180_000))[0];
    const origin = new URL(link).origin;
    const visitor = createBrowserLikeClient(origin);
    // Opened from the terminal: no referrer, Sec-Fetch-Site none. Then one internal link.
    const landing = await visitor.navigate(link.slice(origin.length), { site: 'none' });
    const pricing = await visitor.navigate('/pricing', { referer: landing.url, site: 'same-origin' });
    pageViewPaths = [landing, pricing]
      .filter((navigation) => navigation.hops.at(-1)?.status === 200)
      .map((navigation) => new URL(navigation.url).pathname);
    // Ctrl-C: the demo stops the app (which flushes), then ingest, then prints the rows.
    exitCode = await demo.stop('SIGINT', 90_000);
  });

  afterAll(async () => {
    // A demo still running after a failure: a second SIGINT makes it kill its own children at once.
    if (demo && demo.process.exitCode === null && demo.process.signalCode === null) {
      demo.process.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 500));
      demo.process.kill('SIGINT');
    }
    await killAllChildren();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the UTM link and exits 0 on Ctrl-C after printing what was stored', () => {
    expect(exitCode, demo?.output()).toBe(0);
    expect(pageViewPaths).toEqual(['/', '/pricing']);
    expect(demo?.output()).toMatch(/Stored for the demo account/);
    expect(demo?.output()).toMatch(/2 page views\s+utm \{[^}]*"utm_source":"demo"/);
  });

  it('stored one visitor and one session attributed to the link in the embedded database', async () => {
    const db = await openEmbeddedDatabase(dataDir);
    try {
      const sessions = await db.sql<{ initial_utm: Record<string, string>; page_view_count: number }[]>`
        select initial_utm, page_view_count from sessions`;
      const events = await db.sql<{ event_type: string; path: string }[]>`
        select event_type, properties->>'path' as path from events order by occurred_at, event_id`;
      const [{ count: visitors } = { count: -1 }] = await db.sql<{ count: number }[]>`
        select count(*)::int as count from visitors`;
      expect(visitors).toBe(1);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.initial_utm).toMatchObject({
        utm_source: 'demo',
        utm_medium: 'readme',
        utm_campaign: 'try_mbuzz',
      });
      expect(sessions[0]?.page_view_count).toBe(pageViewPaths.length);
      expect(events.map((event) => `${event.event_type} ${event.path}`)).toEqual(
        pageViewPaths.map((path) => `page_view ${path}`),
      );
    } finally {
      await db.close();
    }
  });
});
