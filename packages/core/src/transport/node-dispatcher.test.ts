import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from './http-transport.js';
import { createNodeFetch } from './node-dispatcher.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
});

describe('createNodeFetch', () => {
  it('delivers through one kept-alive connection', async () => {
    const ports: number[] = [];
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        ports.push(req.socket.remotePort ?? 0);
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"accepted":1,"duplicates":0,"rejected":[]}');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const nodeFetch = createNodeFetch({ connections: 1 });
    const transport = createHttpTransport({
      apiUrl: `http://127.0.0.1:${port}/api/v1`,
      apiKey: 'sk_test_0123456789abcdef0123456789abcdef',
      fetch: nodeFetch.fetch,
      fetchInit: nodeFetch.fetchInit,
    });
    for (let i = 0; i < 3; i++) {
      const result = await transport.sendSerialized({ json: [`{"event_id":"e${i}"}`], ids: [`e${i}`] });
      expect(result).toMatchObject({ ok: true, answer: { accepted: 1 } });
    }
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);
    await nodeFetch.dispatcher.close();
  });
});
