import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WireEvent } from '@mbuzz/core';

/** A stand-in for the ingest API: answers every batch with 202 and keeps the events. */
export async function startSink(): Promise<{ url: string; events: WireEvent[]; close(): Promise<void> }> {
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

export interface SignalApp {
  origin: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts fixtures/signal-app.ts in a child process (through tsx) and waits for its `listening on` line. */
export async function runSignalApp(sinkUrl: string, ...args: string[]): Promise<SignalApp> {
  const fixture = fileURLToPath(new URL('./fixtures/signal-app.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, SINK_URL: sinkUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`the app exited before listening: ${out}`)));
  });
  return { origin, child, exited };
}
