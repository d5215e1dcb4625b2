import { createServer } from 'node:http';

/**
 * The one analytics endpoint every variant sends to: answers mbuzz (`POST /api/v1/events`, 202 with a
 * batch answer), PostHog (`POST /batch/`) and Segment (`POST /v1/batch`) at once, and counts what it
 * received (`GET /stats`) so the run can show every tracker really delivered. Runs in its own process.
 */
const received = { mbuzz: 0, mbuzzRequests: 0, posthog: 0, segment: 0, segmentRequests: 0, other: 0 };

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
      const count = countEvents(Buffer.concat(chunks), 'event_id');
      received.mbuzz += count;
      received.mbuzzRequests += 1;
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: count, duplicates: 0, rejected: [] }));
    } else if (url.startsWith('/batch')) {
      // posthog-node gzips its body by default: count requests there (one batch each).
      received.posthog += Math.max(1, countEvents(Buffer.concat(chunks), 'distinct_id'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":1}');
    } else if (url.startsWith('/v1/batch')) {
      received.segment += countEvents(Buffer.concat(chunks), 'messageId');
      received.segmentRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      received.other += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  });
});

// Counts a key every event has instead of parsing the body: the sink shares the machine's CPUs with
// the server under test, and parsing would bill the trackers for the sink's work.
function countEvents(body: Buffer, key: string): number {
  const needle = Buffer.from(`"${key}"`);
  let count = 0;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + needle.length)) count++;
  return count;
}

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
