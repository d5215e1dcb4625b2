import { describeWithService, redisForTests } from '@mbuzz/test-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createTestTenant, makeEvent, postEvents, testConfig } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

// TEST_REDIS_URL, else local Redis; without one the Redis tests are skipped with one line (CI: they fail).
const redisForThisFile = await redisForTests();
const REDIS_URL = redisForThisFile.url;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const config = testConfig({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });

describe('rate limit (in-process counters)', () => {
  it('counts per key: headers on every authenticated answer, then 429 with Retry-After', async () => {
    const app = createTestApp(db.sql, { config });
    try {
      const a = await createTestTenant(db.sql, 'Limited A');
      const b = await createTestTenant(db.sql, 'Limited B');
      const remaining: string[] = [];
      // Mixed answers (202, 422, 400) all count and all carry the headers.
      for (const body of [{ events: [makeEvent()] }, { events: [{}] }, { nope: 1 }]) {
        const res = await postEvents(app, a.authorization, body);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.headers['x-ratelimit-limit']).toBe('3');
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
        remaining.push(String(res.headers['x-ratelimit-remaining']));
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const limited = await postEvents(app, a.authorization, { events: [makeEvent()] });
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual({ error: expect.any(String), code: 'rate_limited' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(limited.headers['x-ratelimit-limit']).toBe('3');

      // Another key has its own quota; health is never limited.
      expect((await postEvents(app, b.authorization, { events: [] })).statusCode).toBe(202);
      for (let n = 0; n < 5; n += 1) {
        const health = await app.inject({ method: 'GET', url: '/api/v1/health' });
        expect(health.statusCode).toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});

describeWithService(redisForThisFile, 'rate limit (Redis store)', () => {
  it('shares one quota between instances', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const one = createTestApp(db.sql, { config, redis });
    const two = createTestApp(db.sql, { config, redis });
    try {
      const t = await createTestTenant(db.sql, 'Redis limited');
      const codes: number[] = [];
      for (const app of [one, two, one, two]) {
        codes.push((await postEvents(app, t.authorization, { events: [] })).statusCode);
      }
      expect(codes).toEqual([202, 202, 202, 429]);
      expect(await redis.keys('mbuzz-ratelimit:*')).not.toHaveLength(0);
    } finally {
      await one.close();
      await two.close();
      await redis.quit();
    }
  });

  it('creates its own client from REDIS_URL', async () => {
    const app = createTestApp(db.sql, { config: testConfig({ rateLimitMax: 1, redisUrl: REDIS_URL }) });
    try {
      const t = await createTestTenant(db.sql, 'Redis url');
      // Requests before the client is connected go through uncounted; once it is, the quota of 1 bites.
      expect((await postEvents(app, t.authorization, { events: [] })).statusCode).toBe(202);
      await expect
        .poll(async () => (await postEvents(app, t.authorization, { events: [] })).statusCode, {
          interval: 20,
        })
        .toBe(429);
    } finally {
      await app.close();
    }
  });
});

describe('rate limit while Redis is unreachable', () => {
  it('lets requests through uncounted instead of failing or hanging', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const app = createTestApp(db.sql, {
      config: testConfig({ rateLimitMax: 1, redisUrl: `redis://127.0.0.1:${port}` }),
    });
    try {
      const t = await createTestTenant(db.sql, 'No redis');
      for (let n = 0; n < 3; n += 1) {
        const res = await postEvents(app, t.authorization, { events: [makeEvent()] });
        expect(res.statusCode).toBe(202);
      }
    } finally {
      await app.close();
    }
  });
});
