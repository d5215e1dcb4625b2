import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server standing in for every vendor's ingest endpoint (no network). It answers each
 * POST like a successful ingest and counts requests, so the bench can show nothing is sent while timing.
 */
export async function startStubServer() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/__requests') {
        // The bench's own question, not counted: how many SDK requests so far.
        res.end(String(requests));
        return;
      }
      requests++;
      if (req.url?.startsWith('/api/v1/events')) {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"accepted":0,"duplicates":0,"rejected":[]}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":1}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
