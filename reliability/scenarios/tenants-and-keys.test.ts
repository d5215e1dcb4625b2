import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createFreshDatabase,
  createTenant,
  type FreshDatabase,
  type Ingest,
  killAllChildren,
  revokeKey,
  startIngest,
  type Tenant,
} from '@mbuzz/ingest-harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchSender, createBatchSender } from '../lib/batch-sender.js';
import { writeResult } from '../lib/write-result.js';

const TENANTS = 4;
const RATE_LIMIT = 250;
/** docs/api.md: a revoked key is refused on every instance within 5 s. */
const REVOCATION_BOUND_MS = 5000;
const REDIS_DB = process.env.RELIABILITY_REDIS_DB ?? '13';

/** The shared Redis of the machine, on a database number of our own. */
function redisUrl(): string {
  const url = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${REDIS_DB}`;
  return url.toString();
}

interface Seeded extends Tenant {
  /** Events this account has stored, by id (the test's model of the account). */
  ids: Set<string>;
  sessions: string[];
}

describe('8 tenants and keys', () => {
  let db: FreshDatabase;
  let instances: Ingest[];
  let senders: BatchSender[];
  let tenants: Seeded[];
  /** Every plain key (and key-like secret) sent to the services, for the log and table scans. */
  const secrets: string[] = [];
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    db = await createFreshDatabase('rel_tenants');
    tenants = [];
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await createTenant(db.url, `reliability tenant ${i}`, { migrate: i === 0 });
      tenants.push({ ...tenant, ids: new Set(), sessions: [] });
      secrets.push(tenant.apiKey);
    }
    const env = { REDIS_URL: redisUrl(), RATE_LIMIT_MAX: String(RATE_LIMIT), LOG_LEVEL: 'debug' };
    instances = [
      await startIngest({ name: 'ingest(tenants, 1)', database: db.url, env }),
      await startIngest({ name: 'ingest(tenants, 2)', database: db.url, env }),
    ];
    senders = instances.map((instance) => createBatchSender(instance.baseUrl, { connections: 8 }));
    // Each account starts with events and sessions of its own.
    for (const [i, tenant] of tenants.entries()) {
      const events = Array.from({ length: 20 }, (_, n) => ({
        event_id: randomUUID(),
        event_type: 'page_view',
        visitor_id: `visitor-${i}-${n % 5}`,
        session_id: `session-${i}-${n % 5}`,
        properties: { url: `https://tenant${i}.example/?utm_source=t${i}`, path: '/' },
      }));
      const outcome = await (senders[i % 2] as BatchSender).post(tenant.apiKey, { events });
      expect(outcome.status).toBe(202);
      for (const event of events) tenant.ids.add(event.event_id);
      tenant.sessions = [...new Set(events.map((event) => event.session_id))];
    }
  });

  afterAll(async () => {
    writeResult('8-tenants-and-keys', figures);
    for (const sender of senders ?? []) await sender.close();
    for (const instance of instances ?? []) await instance.stop();
    await killAllChildren();
    await db?.drop();
  });

  const snapshot = async (accountId: string) => {
    const [row] = await db.sql<{ events: string; sessions: string; visitors: string }[]>`
      SELECT
        (SELECT string_agg(event_id::text || properties::text, ',' ORDER BY event_id)
           FROM events WHERE account_id = ${accountId}) AS events,
        (SELECT string_agg(session_id || ':' || page_view_count || ':' || last_activity_at || ':' ||
                           coalesce(landing_url, ''), ',' ORDER BY session_id)
           FROM sessions WHERE account_id = ${accountId}) AS sessions,
        (SELECT string_agg(visitor_id || ':' || last_seen_at, ',' ORDER BY visitor_id)
           FROM visitors WHERE account_id = ${accountId}) AS visitors`;
    return row;
  };

  it("property: A's key never writes, reads or counts anything of B's (random pairs, either instance)", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: TENANTS - 1 }),
        fc.integer({ min: 1, max: TENANTS - 1 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 1, max: 10 }),
        async (a, offset, via, reused) => {
          runs++;
          const A = tenants[a] as Seeded;
          const B = tenants[(a + offset) % TENANTS] as Seeded;
          const sender = senders[via] as BatchSender;
          const before = await snapshot(B.accountId);
          // A sends events that reuse B's event ids, session ids and visitor ids, plus new ones.
          const stolenIds = [...B.ids].slice(0, reused);
          const events = [...stolenIds, randomUUID()].map((id, n) => ({
            event_id: id,
            event_type: 'page_view',
            visitor_id: `visitor-${tenants.indexOf(B)}-${n % 5}`,
            session_id: B.sessions[n % B.sessions.length],
            properties: { url: `https://attacker.example/?utm_source=from-${a}`, path: '/x' },
          }));
          const write = await sender.post(A.apiKey, { events });
          expect(write.status).toBe(202);
          const answer = JSON.parse(write.body) as { accepted: number; duplicates: number };
          // Duplicates are counted against A's own events only: B's ids are news to A.
          const expectedDuplicates = events.filter((e) => A.ids.has(e.event_id)).length;
          expect(answer).toMatchObject({ accepted: events.length, duplicates: expectedDuplicates });
          for (const event of events) A.ids.add(event.event_id);
          // A's key reads A's account, whatever instance answers.
          const validate = await sender.request({
            method: 'GET',
            path: '/api/v1/validate',
            headers: { authorization: `Bearer ${A.apiKey}` },
          });
          expect(JSON.parse(validate.body).account.id).toBe(A.accountId);
          // B's rows are exactly as they were; A's rows are A's model.
          expect(await snapshot(B.accountId)).toEqual(before);
          const [count] = await db.sql<{ n: number }[]>`
            SELECT count(*)::int AS n FROM events WHERE account_id = ${A.accountId}`;
          expect(count?.n).toBe(A.ids.size);
        },
      ),
      { numRuns: 25 },
    );
    figures.isolationRuns = runs;
  });

  it('keys exist in the database only as SHA-256 digests', async () => {
    const rows = await db.sql<{ row: string; digest: Buffer; prefix: string }[]>`
      SELECT t::text AS row, key_digest AS digest, key_prefix AS prefix FROM api_keys t`;
    expect(rows.length).toBe(TENANTS);
    const dump = rows.map((r) => r.row).join('\n');
    for (const tenant of tenants) {
      const secretPart = tenant.apiKey.slice('sk_test_'.length);
      expect(dump).not.toContain(tenant.apiKey);
      expect(dump).not.toContain(secretPart);
      const digest = createHash('sha256').update(tenant.apiKey).digest();
      expect(rows.filter((r) => Buffer.compare(r.digest, digest) === 0)).toHaveLength(1);
      expect(tenant.apiKey.startsWith(tenant.keyPrefix)).toBe(true);
      expect(tenant.keyPrefix).toHaveLength(12);
    }
    figures.keyRowsScanned = rows.length;
  });

  it('a revoked key is refused by both instances within 5 s', async () => {
    const victim = await createTenant(db.url, 'reliability revoked', { migrate: false });
    secrets.push(victim.apiKey);
    const validate = (sender: BatchSender) =>
      sender.request({
        method: 'GET',
        path: '/api/v1/validate',
        headers: { authorization: `Bearer ${victim.apiKey}` },
      });
    // Both instances know (and cache) the key before it is revoked.
    for (const sender of senders) expect((await validate(sender)).status).toBe(200);
    await revokeKey(db.url, victim);
    const revokedAt = Date.now();
    const refusedAfterMs = await Promise.all(
      senders.map(async (sender) => {
        for (;;) {
          const outcome = await validate(sender);
          const elapsed = Date.now() - revokedAt;
          if (outcome.status === 401) {
            expect(outcome.code).toBe('revoked_api_key');
            return elapsed;
          }
          expect(outcome.status).toBe(200);
          if (elapsed > REVOCATION_BOUND_MS + 1000) return elapsed;
          await sleep(100);
        }
      }),
    );
    figures.revocationRefusedAfterMs = refusedAfterMs;
    for (const elapsed of refusedAfterMs) expect(elapsed).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    // And it stays refused everywhere.
    for (const sender of senders) expect((await validate(sender)).code).toBe('revoked_api_key');
  });

  it(`the rate limit (${RATE_LIMIT} per window) holds across both instances: combined admits == limit`, async () => {
    const limited = await createTenant(db.url, 'reliability rate limit', { migrate: false });
    secrets.push(limited.apiKey);
    const attempts = RATE_LIMIT * 3;
    const outcomes = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        (senders[i % 2] as BatchSender).post(limited.apiKey, { events: [] }),
      ),
    );
    const admitted = outcomes.filter((o) => o.status === 202);
    const limitedAnswers = outcomes.filter((o) => o.status === 429);
    figures.rateLimit = {
      limit: RATE_LIMIT,
      attempts,
      admitted: admitted.length,
      admittedByInstance: [0, 1].map(
        (k) => outcomes.filter((o, i) => i % 2 === k && o.status === 202).length,
      ),
      refused429: limitedAnswers.length,
    };
    expect(admitted.length + limitedAnswers.length).toBe(attempts);
    expect(admitted.length).toBe(RATE_LIMIT);
    for (const answer of limitedAnswers) {
      expect(answer.code).toBe('rate_limited');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(outcomes[0]?.headers['x-ratelimit-limit']).toBe(String(RATE_LIMIT));
  });

  it('the Authorization header and key material never reach the logs (debug level, both instances)', async () => {
    // Also a well-formed unknown key and a garbage bearer token, which end up in error paths.
    const unknown = `sk_live_${randomUUID().replaceAll('-', '')}`;
    const garbage = `Bearer not-a-key-${randomUUID()}`;
    secrets.push(unknown, garbage.slice('Bearer '.length));
    for (const sender of senders) {
      for (const authorization of [`Bearer ${unknown}`, garbage, `bearer   ${tenants[0]?.apiKey}  `]) {
        await sender.post(undefined, { events: [] }, { authorization });
      }
    }
    await sleep(200); // pino writes asynchronously
    const logs = instances.map((instance) => instance.service.output());
    figures.logBytesScanned = logs.reduce((sum, log) => sum + log.length, 0);
    for (const log of logs) {
      expect(log.length).toBeGreaterThan(0);
      // The debug logs did record the requests (so the scan looked at something).
      expect(log).toContain('/api/v1/events');
      for (const secret of secrets) {
        expect(log).not.toContain(secret);
        if (secret.startsWith('sk_')) expect(log).not.toContain(secret.slice(8));
      }
      expect(log.toLowerCase()).not.toContain('bearer');
    }
  });
});
