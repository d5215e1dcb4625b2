import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireEvent } from '@mbuzz/core';

/** A stand-in for the ingest API (see `startSink`). */
export interface Sink {
  /** The `apiUrl` to give the client: `http://127.0.0.1:PORT/api/v1`. */
  url: string;
  /** Every event received so far, in order. */
  events: WireEvent[];
  close(): Promise<void>;
}

/** A stand-in for the ingest API: answers every batch with 202 and keeps the events. */
export async function startSink(): Promise<Sink> {
  const events: WireEvent[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const batch = (JSON.parse(body) as { events: WireEvent[] }).events;
      events.push(...batch);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: batch.length, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    events,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
