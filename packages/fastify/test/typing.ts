// Compiled by `tsc --noEmit` only (not a test file): the public types fit Fastify's own.
import type { MbuzzClient } from '@mbuzz/core';
import Fastify from 'fastify';
import { type MbuzzFastifyOptions, mbuzz } from '../src/index.js';

export async function typedApps(): Promise<void> {
  const app = Fastify();
  const options: MbuzzFastifyOptions = { shutdownTimeoutMs: 2000, batchSize: 10 };
  await app.register(mbuzz, options);
  // @ts-expect-error signals are the app's to handle: close the app on SIGTERM
  await app.register(mbuzz, { handleSignals: true });

  app.post('/signup', async (request) => {
    request.mbuzz.track('signup', { plan: 'pro' });
    const visitorId: string | undefined = request.mbuzz.visitorId;
    const sessionId: string | undefined = request.mbuzz.sessionId;
    // @ts-expect-error a handler sees only visitorId, sessionId and track()
    request.mbuzz.end(200);
    // @ts-expect-error a handler sees only visitorId, sessionId and track()
    request.mbuzz.cookies(200);
    return { visitorId, sessionId };
  });

  const client: MbuzzClient = app.mbuzz;
  client.track({ eventType: 'invoice_paid', visitorId: 'user:42' });
  await app.close();
}
