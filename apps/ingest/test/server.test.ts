import net from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createApiKey } from '../src/accounts/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { makeEvent } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.drop();
});

/** A pino destination that keeps every line in memory. */
function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

const config = () =>
  loadConfig({ DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'debug', DATABASE_POOL_MAX: '4' });

describe('startServer', () => {
  it('migrates, listens, logs as JSON without any key material, and shuts down gracefully', async () => {
    const logs = captureLogs();
    const server = await startServer(config(), {
      logger: createLogger({ logLevel: 'debug' }, logs.stream),
      handleSignals: false,
    });
    const account = await createAccount(db.sql, { name: 'Served' });
    const { key } = await createApiKey(db.sql, { accountId: account.id, environment: 'live' });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const ok = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ events: [makeEvent({ visitor_id: 'srv' })] }),
    });
    expect(ok.status).toBe(202);
    // Failed auth and an explicit attempt to log a key must not leak it either.
    const bad = await fetch(`${server.url}/api/v1/validate`, {
      headers: { authorization: 'Bearer sk_live_ffffffffffffffffffffffffffffffff' },
    });
    expect(bad.status).toBe(401);
    server.app.log.info({ headers: { authorization: `Bearer ${key}` }, key }, 'careless log line');

    // Shutdown starts while one request is in flight (body half sent) and another has only sent part of
    // its headers on a second connection.
    const port = Number(new URL(server.url).port);
    const inflight = rawConnection(port);
    const late = rawConnection(port);
    const body = JSON.stringify({ events: [makeEvent({ visitor_id: 'inflight' })] });
    const half = Math.floor(body.length / 2);
    await inflight.write(
      `POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    await late.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 250));

    const closing = server.close();
    await new Promise((r) => setTimeout(r, 250));
    // The listener is closed: new connections are refused …
    await expect(fetch(`${server.url}/api/v1/health`)).rejects.toThrow();
    // … the request that arrives now gets the 503 envelope, and the one in flight completes.
    await late.write('\r\n');
    await inflight.write(body.slice(half));
    const [lateAnswer, inflightAnswer] = await Promise.all([late.answer, inflight.answer]);
    expect(inflightAnswer).toMatch(/^HTTP\/1\.1 202/);
    expect(lateAnswer).toMatch(/^HTTP\/1\.1 503/);
    expect(lateAnswer).toMatch(/retry-after: \d+/i);
    expect(lateAnswer).toContain('"code":"unavailable"');
    await closing;
    await expect(server.database.sql`SELECT 1`).rejects.toThrow();

    const [{ count }] = (await db.sql`
      SELECT count(*)::int AS count FROM events WHERE visitor_id IN ('srv', 'inflight')`) as [
      { count: number },
    ];
    expect(count).toBe(2);

    const all = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThan(3);
    for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(all).toContain('mbuzz ingest listening');
    expect(all).toContain('careless log line');
    // One access-log line per request, naming the key only by its prefix.
    const access = logs.lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request');
    expect(access).toContainEqual(
      expect.objectContaining({ method: 'POST', statusCode: 202, keyPrefix: key.slice(0, 12) }),
    );
    expect(all).not.toContain(key);
    expect(all).not.toContain(key.slice(12));
    expect(all).not.toContain('ffffffffffffffffffffffffffffffff');
    expect(all).not.toMatch(/bearer sk_/i);
  });

  it('fails fast with a clear error when the database cannot be reached', async () => {
    const logs = captureLogs();
    const bad = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', PORT: '0' });
    await expect(
      startServer(bad, { logger: createLogger({ logLevel: 'info' }, logs.stream), handleSignals: false }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

/** A raw HTTP/1.1 connection, to control exactly when each byte of a request arrives. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  const answer = new Promise<string>((resolve) => {
    socket.on('data', () => {
      if (/\r\n\r\n[\s\S]*\}/.test(Buffer.concat(chunks).toString()))
        resolve(Buffer.concat(chunks).toString());
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
  return {
    write: (text: string) => new Promise<void>((resolve) => socket.write(text, () => resolve())),
    answer: answer.finally(() => socket.destroy()),
  };
}
