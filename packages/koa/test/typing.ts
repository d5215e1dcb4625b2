// Compiled by `tsc --noEmit` only (not a test file): the public types fit Koa's own.
import Koa from 'koa';
import { type MbuzzState, mbuzz } from '../src/index.js';

export function typedApps(): void {
  const plain = new Koa();
  plain.use(mbuzz());
  plain.use((ctx) => {
    ctx.state.mbuzz.track('signup', { plan: 'pro' });
  });

  interface AppState extends MbuzzState {
    user?: string;
  }
  const typed = new Koa<AppState>();
  typed.use(mbuzz({ handleSignals: true, shutdownTimeoutMs: 2000, batchSize: 10 }));
  typed.use((ctx) => {
    const visitorId: string | undefined = ctx.state.mbuzz.visitorId;
    ctx.body = visitorId ?? ctx.state.user;
  });
}
