// Compiled by `tsc --noEmit` only (not a test file): the public types fit Express's own.
import express, { Router } from 'express';
import { mbuzz } from '../src/index.js';

export function typedApps(): void {
  const app = express();
  const middleware = mbuzz({ handleSignals: true, shutdownTimeoutMs: 2000, batchSize: 10 });
  app.use(middleware);
  const router = Router();
  router.use(middleware);
  router.post('/signup', (req, res) => {
    req.mbuzz.track('signup', { plan: String(req.body?.plan) });
    const visitorId: string | undefined = req.mbuzz.visitorId;
    res.json({ visitorId });
  });
  void middleware.close({ timeoutMs: 1000 }).then(({ sent, dropped, pending }) => sent + dropped + pending);
}
