import { fileURLToPath } from 'node:url';
import { cookieJar, navigationView, subRequestView } from '@mbuzz/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type SendInit, send } from './send.js';
import { type SpawnedApp, spawnApp } from './spawn-app.js';
import { startSink } from './start-sink.js';

/**
 * A smoke test of `examples/<name>` as a user runs it (`node server.js`, the built adapter), against a
 * stand-in for the ingest API. The full journey against the real ingest service is the e2e suite's job.
 * The example serves the shared routes and exits 0 on SIGTERM once the queue is flushed.
 */
export function describeExampleSmoke(name: string): void {
  const exampleDir = fileURLToPath(new URL(`../../../examples/${name}/`, import.meta.url));

  describe(`examples/${name}`, { timeout: 30_000 }, () => {
    let app: SpawnedApp | undefined;
    let closeSink: (() => Promise<void>) | undefined;

    afterEach(async () => {
      if (app && app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
      await closeSink?.();
    });

    it('serves the shared routes, tracks the visit and flushes on SIGTERM (exit 0)', async () => {
      const sink = await startSink();
      closeSink = sink.close;
      app = await spawnApp(['server.js'], {
        cwd: exampleDir,
        env: {
          PORT: '0',
          HOST: '127.0.0.1',
          MBUZZ_API_URL: sink.url,
          MBUZZ_API_KEY: `sk_test_${'ab'.repeat(16)}`,
          MBUZZ_FLUSH_INTERVAL_MS: '60000',
        },
      });
      const origin = app.origin;
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      let jar: Record<string, string> = {};
      const go = async (path: string, init: SendInit = {}) => {
        const url = `${origin}${path}`;
        const answer = await send(url, {
          ...init,
          headers: { ...navigationView(url, { cookies: jar }).headers, ...init.headers },
        });
        jar = cookieJar(answer.setCookies, jar);
        return answer;
      };
      const fetchLike = (path: string, headers: SendInit['headers'] = {}) =>
        send(`${origin}${path}`, {
          headers: { ...subRequestView(`${origin}${path}`, { cookies: jar }).headers, ...headers },
        });

      const home = await go('/?utm_source=smoke&utm_campaign=example', {
        headers: { referer: 'https://news.example/' },
      });
      expect(home.status).toBe(200);
      for (const link of [
        'href="/pricing"',
        'href="/about"',
        'href="/signup"',
        'href="/assets/app.css"',
        'src="/assets/app.js"',
      ])
        expect(home.body).toContain(link);
      expect(Object.keys(jar).sort()).toEqual(['_mbuzz_sid', '_mbuzz_vid']);

      const css = await fetchLike('/assets/app.css', {
        'sec-fetch-mode': 'no-cors',
        'sec-fetch-dest': 'style',
        accept: 'text/css',
      });
      const js = await fetchLike('/assets/app.js', {
        'sec-fetch-mode': 'no-cors',
        'sec-fetch-dest': 'script',
      });
      const ping = await fetchLike('/api/ping');
      expect([css.status, js.status, ping.status]).toEqual([200, 200, 200]);
      expect(css.headers['content-type']).toMatch(/^text\/css/);
      expect(js.body).toContain("fetch('/api/ping')");
      expect(JSON.parse(ping.body)).toEqual({ ok: true });
      expect([...css.setCookies, ...js.setCookies, ...ping.setCookies]).toEqual([]);

      expect((await go('/pricing')).status).toBe(200);
      expect((await go('/about')).status).toBe(200);
      const promo = await go('/promo');
      expect([promo.status, promo.headers.location]).toEqual([302, '/pricing']);
      expect((await go('/pricing')).status).toBe(200);
      const form = await go('/signup');
      expect(form.body).toMatch(/<form method="post" action="\/signup">[\s\S]*<select name="plan">/);
      const signup = await go('/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'max-age=0' },
        body: 'plan=pro',
      });
      expect([signup.status, signup.headers.location]).toEqual([303, '/welcome']);
      expect((await go('/welcome')).status).toBe(200);
      const missing = await go('/nope');
      expect([missing.status, missing.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);

      expect(sink.events).toEqual([]); // the flush interval is a minute: only the shutdown delivers
      app.child.kill('SIGTERM');
      expect(await app.exited).toEqual({ code: 0, signal: null });

      const visitorIds = new Set(sink.events.map((e) => e.visitor_id));
      const sessionIds = new Set(sink.events.map((e) => e.session_id));
      expect([...visitorIds]).toEqual([jar._mbuzz_vid]);
      expect(sessionIds.size).toBe(1);
      expect(sink.events.map((e) => [e.event_type, e.properties.path ?? e.properties.plan])).toEqual([
        ['page_view', '/'],
        ['page_view', '/pricing'],
        ['page_view', '/about'],
        ['page_view', '/pricing'],
        ['page_view', '/signup'],
        ['signup', 'pro'],
        ['page_view', '/welcome'],
      ]);
      expect(sink.events[0]?.properties).toMatchObject({ utm_source: 'smoke', utm_campaign: 'example' });
    });
  });
}
