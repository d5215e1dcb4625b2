import { createServer } from 'node:http';

/**
 * The one analytics endpoint every variant sends to: answers mbuzz (`POST /api/v1/events`, 202 with a
 * batch answer), PostHog (`POST /batch/`) and Segment (`POST /v1/batch`) at once, and counts what it
 * received (`GET /stats`) so the run can show every tracker really delivered. Runs in its own process.
 */
const received = { mbuzz: 0, posthog: 0, segment: 0, other: 0 };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = req.url ?? '';
    if (url.startsWith('/api/v1/events')) {
      const count = countEvents(Buffer.concat(chunks), 'events');
      received.mbuzz += count;
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: count, duplicates: 0, rejected: [] }));
    } else if (url.startsWith('/batch')) {
      // posthog-node may gzip its body; the count is then approximate (one per request).
      received.posthog += countEvents(Buffer.concat(chunks), 'batch');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":1}');
    } else if (url.startsWith('/v1/batch')) {
      received.segment += countEvents(Buffer.concat(chunks), 'batch');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      received.other += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  });
});

function countEvents(body: Buffer, field: string): number {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const list = parsed[field];
    return Array.isArray(list) ? list.length : 1;
  } catch {
    return 1;
  }
}

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
