import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Served {
  /** `http://127.0.0.1:PORT` (or `https://…`) */
  origin: string;
  /** Resolves once every response so far has been closed, so its `close` listeners (the page view) ran. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Serves `listener` on a random port of a real HTTP server (HTTPS when `tls` is given). */
export async function serve(listener: http.RequestListener, tls?: https.ServerOptions): Promise<Served> {
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  server.on('request', (_req, res: http.ServerResponse) => {
    inFlight++;
    // A turn after 'close', so the middleware's own 'close' listener (the page view) has run, whatever
    // the order the listeners were added in.
    res.once('close', () =>
      setImmediate(() => {
        inFlight--;
        if (inFlight > 0) return;
        for (const wake of waiters) wake();
        waiters = [];
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
