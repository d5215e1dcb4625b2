import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./__fixtures__/queue-child.ts', import.meta.url));

/** Runs the child; rejects if it has not exited by itself within `killAfterMs`. */
function run(env: Record<string, string>, killAfterMs = 20_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const proc = execFile(
      process.execPath,
      ['--import', 'tsx', child],
      { env: { ...process.env, ...env }, timeout: killAfterMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error && (error as { killed?: boolean }).killed) {
          reject(new Error(`child did not exit on its own (killed after ${killAfterMs} ms)`));
        } else resolve({ code: proc.exitCode, stdout, stderr });
      },
    );
  });
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A real local ingest stub that records the event ids it receives. */
async function ingestStub() {
  const received: string[] = [];
  let requests = 0;
  const remotePorts = new Set<number>();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const events = (JSON.parse(body) as { events: { event_id: string }[] }).events;
      received.push(...events.map((e) => e.event_id));
      remotePorts.add(req.socket.remotePort ?? 0);
      requests++;
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { apiUrl: `http://127.0.0.1:${port}/api/v1`, received, remotePorts, requests: () => requests };
}

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `01936f6e-8b2a-7c3d-9e4f-${String(i).padStart(12, '0')}`);

describe('the queue in a real process', () => {
  it('does not keep the process alive while events wait for the next interval', async () => {
    // COUNT=1 stays below batchSize, so only the (unref'd) interval timer is pending.
    const { code, stderr } = await run({ MODE: 'pending', COUNT: '1' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);

  it.each(['global', 'node'])(
    'close() delivers everything queued to a real server (%s fetch)',
    async (fetch) => {
      const stub = await ingestStub();
      const { code, stdout, stderr } = await run({
        MODE: 'close',
        COUNT: '9',
        API_URL: stub.apiUrl,
        FETCH: fetch,
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ sent: 9, dropped: 0, pending: 0 });
      expect(stub.received.sort()).toEqual(ids(9));
      expect(stub.requests()).toBe(5);
      // Keep-alive: the five batches went over fewer connections than requests.
      if (fetch === 'node') expect(stub.remotePorts.size).toBeLessThan(5);
    },
    30_000,
  );

  it('exits on its own after sending through the keep-alive agent (idle sockets do not hold it)', async () => {
    const stub = await ingestStub();
    // COUNT=2 fills a batch: it is sent at once, leaving an idle keep-alive socket behind.
    const { code } = await run({ MODE: 'pending', COUNT: '2', API_URL: stub.apiUrl, FETCH: 'node' });
    expect(code).toBe(0);
    expect(stub.received.sort()).toEqual(ids(2));
  }, 30_000);
});
