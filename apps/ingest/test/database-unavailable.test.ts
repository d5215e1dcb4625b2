import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresOptions } from '../src/db/open-database.js';
import { createTcpProxy } from './helpers/tcp-proxy.js';
import { createTestApp, createTestTenant, makeEvent, postEvents, testConfig } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const health = (app: ReturnType<typeof createTestApp>) =>
  app.inject({ method: 'GET', url: '/api/v1/health' });

it('answers 503 with Retry-After while the database is gone, and recovers without a restart', async () => {
  const dbUrl = new URL(db.url);
  const proxy = await createTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port());
  const sql = postgres(viaProxy.toString(), postgresOptions({ databasePoolMax: 4 }));
  const tenant = await createTestTenant(db.sql, 'Outage');
  // A long auth cache keeps the key known during the outage, so the ingest path itself meets the outage.
  const app = createTestApp(sql, { authCacheTtlMs: 5000, config: testConfig({ databasePoolMax: 4 }) });
  try {
    expect((await postEvents(app, tenant.authorization, { events: [makeEvent()] })).statusCode).toBe(202);
    expect((await health(app)).statusCode).toBe(200);

    await proxy.stop();
    const down = await postEvents(app, tenant.authorization, { events: [makeEvent()] });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: expect.any(String), code: 'unavailable' });
    expect(down.headers['retry-after']).toMatch(/^\d+$/);
    const h = await health(app);
    expect(h.statusCode).toBe(503);
    expect(h.json()).toEqual({ status: 'unavailable', version: expect.any(String), database: 'unreachable' });

    // A key that is not cached needs the database to be checked: also a 503, not a 401 or 500.
    const fresh = await createTestTenant(db.sql, 'Unseen');
    const unseen = await postEvents(app, fresh.authorization, { events: [makeEvent()] });
    expect(unseen.statusCode).toBe(503);
    expect(unseen.headers['retry-after']).toBeDefined();

    await proxy.start();
    await expect.poll(async () => (await health(app)).statusCode, { interval: 100, timeout: 5000 }).toBe(200);
    const back = await postEvents(app, tenant.authorization, { events: [makeEvent()] });
    expect(back.statusCode).toBe(202);
  } finally {
    await app.close();
    await sql.end({ timeout: 1 });
    await proxy.stop();
  }
});

it('answers 503 when nothing listens at the database address at all', async () => {
  const closedPort = await (async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  })();
  const sql = postgres(
    `postgres://postgres@127.0.0.1:${closedPort}/none`,
    postgresOptions({ databasePoolMax: 2 }),
  );
  const app = createTestApp(sql);
  try {
    const res = await postEvents(app, 'Bearer sk_live_0123456789abcdef0123456789abcdef', { events: [] });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('unavailable');
    expect(res.headers['retry-after']).toBeDefined();
    expect((await health(app)).statusCode).toBe(503);
  } finally {
    await app.close();
    await sql.end({ timeout: 1 });
  }
});

it('answers 503 when the database accepts connections but never answers (connect timeout)', async () => {
  const { createServer } = await import('node:net');
  const held = new Set<import('node:net').Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const { port } = silent.address() as { port: number };
  const sql = postgres(`postgres://postgres@127.0.0.1:${port}/none`, postgresOptions({ databasePoolMax: 2 }));
  const app = createTestApp(sql);
  try {
    const res = await postEvents(app, 'Bearer sk_live_0123456789abcdef0123456789abcdef', { events: [] });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    const h = await health(app);
    expect(h.statusCode).toBe(503);
    expect(h.json().database).toBe('unreachable');
  } finally {
    await app.close();
    await sql.end({ timeout: 1 });
    for (const socket of held) socket.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});
