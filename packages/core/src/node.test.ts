import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from './node.js';
import { navigationView } from './testing/request-views.js';

const API_KEY = `sk_live_${'0f'.repeat(16)}`;
const servers: Array<ReturnType<typeof createServer>> = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A stand-in ingest answering 202, recording bodies and the socket of each request. */
async function startIngest() {
  const requests: Array<{
    headers: IncomingMessage['headers'];
    body: { events: Array<Record<string, unknown>> };
    socket: Socket;
  }> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const body = JSON.parse(text);
      requests.push({ headers: req.headers, body, socket: req.socket });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: body.events.length, duplicates: 0, rejected: [] }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { requests, apiUrl: `http://127.0.0.1:${port}/api/v1` };
}

describe('@mbuzz/core/node createClient', () => {
  it('delivers over HTTP and reuses the connection for the next batch (keep-alive agent)', async () => {
    const ingest = await startIngest();
    const client = createClient({ apiKey: API_KEY, apiUrl: ingest.apiUrl });
    client.begin(navigationView('https://shop.example/?utm_source=node')).end(200);
    await client.flush();
    // Batches come seconds apart in real use; give the socket a moment to go back to the pool.
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.begin(navigationView('https://shop.example/pricing')).end(200);
    await client.flush();
    const closed = await client.close({ timeoutMs: 2000 });

    expect(closed).toEqual({ sent: 2, dropped: 0, pending: 0 });
    expect(ingest.requests).toHaveLength(2);
    expect(ingest.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(ingest.requests[0]?.headers['user-agent']).toMatch(/^mbuzz-node\//);
    expect(ingest.requests[0]?.body.events[0]).toMatchObject({
      event_type: 'page_view',
      properties: { utm_source: 'node', path: '/' },
    });
    expect(ingest.requests[1]?.socket).toBe(ingest.requests[0]?.socket);
  });

  it('re-exports the main entry', async () => {
    const node = await import('./node.js');
    const main = await import('./index.js');
    for (const name of Object.keys(main)) {
      expect(node, name).toHaveProperty(name);
    }
    expect(node.createClient).not.toBe(main.createClient);
    expect(typeof node.createNodeAdapter).toBe('function');
  });

  it('is a no-op without a key, like the main entry', async () => {
    const client = createClient({ apiKey: 'nope', logger: { warn() {}, error() {} } });
    expect(client.enabled).toBe(false);
    await expect(client.close()).resolves.toEqual({ sent: 0, dropped: 0, pending: 0 });
  });
});
