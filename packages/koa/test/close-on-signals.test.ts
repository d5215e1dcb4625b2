import { fileURLToPath } from 'node:url';
import { navigationView } from '@mbuzz/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './send.js';
import { type SpawnedApp, spawnApp } from './spawn-app.js';
import { startSink } from './start-sink.js';

// Each case runs a real Koa app in a child process (signals cannot be tried in the test process).
const fixture = fileURLToPath(new URL('./fixtures/signal-app.ts', import.meta.url));

describe('handleSignals', { timeout: 30_000 }, () => {
  let app: SpawnedApp | undefined;
  let closeSink: (() => Promise<void>) | undefined;

  afterEach(async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    await closeSink?.();
    app = undefined;
  });

  async function visitThenSignal(signal: NodeJS.Signals, ...args: string[]) {
    const sink = await startSink();
    closeSink = sink.close;
    app = await spawnApp(['--import', 'tsx', fixture, ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { SINK_URL: sink.url },
    });
    const url = `${app.origin}/?utm_source=signal`;
    const answer = await send(url, { headers: navigationView(url).headers });
    expect(answer.status).toBe(200);
    app.child.kill(signal);
    return { exit: await app.exited, events: sink.events };
  }

  it('flushes on SIGTERM, then re-raises it when the app has no handler of its own', async () => {
    const { exit, events } = await visitThenSignal('SIGTERM', 'no-handler');
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(events.map((e) => [e.event_type, e.properties.utm_source])).toEqual([['page_view', 'signal']]);
  });

  it("flushes on SIGTERM and leaves the exit to the app's own handler (exit code 0)", async () => {
    const { exit, events } = await visitThenSignal('SIGTERM', 'own-handler');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(events.map((e) => e.event_type)).toEqual(['page_view']);
  });

  it("also when the app's own `once` handler was added before mbuzz()", async () => {
    const { exit, events } = await visitThenSignal('SIGTERM', 'own-handler-first');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(events.map((e) => e.event_type)).toEqual(['page_view']);
  });

  it('with two middleware instances, flushes both, then re-raises once', async () => {
    const { exit, events } = await visitThenSignal('SIGTERM', 'no-handler', 'hook', 'two-instances');
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(events.map((e) => e.event_type).sort()).toEqual(['page_view', 'second_client']);
  });

  it('flushes on SIGINT too', async () => {
    const { exit, events } = await visitThenSignal('SIGINT', 'no-handler');
    expect(exit).toEqual({ code: null, signal: 'SIGINT' });
    expect(events.map((e) => e.event_type)).toEqual(['page_view']);
  });

  it('without handleSignals, SIGTERM ends the process at once and the queue is lost', async () => {
    const { exit, events } = await visitThenSignal('SIGTERM', 'no-handler', 'no-hook');
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(events).toEqual([]);
  });
});
