import {
  createFreshDatabase,
  createTenant,
  type FreshDatabase,
  type Ingest,
  killAllChildren,
  startIngest,
  type Tenant,
} from '@mbuzz/ingest-harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchSender, createBatchSender, type Outcome } from '../lib/batch-sender.js';
import { type HostileRequest, hostileRequest, POLLUTION_MARK } from '../lib/hostile-bodies.js';
import { hostileCases, mixedBatch } from '../lib/hostile-cases.js';
import { writeResult } from '../lib/write-result.js';

const GENERATED_BODIES = Number(process.env.RELIABILITY_FUZZ_BODIES ?? 10_000);
/** Bodies sent at once per property run (keep-alive connections), so 10,000 take seconds, not minutes. */
const PARALLEL = 16;
const ALLOWED_STATUSES = [202, 400, 401, 413, 415, 422];
const UNKNOWN_KEY = `sk_test_${'f'.repeat(32)}`;

describe('7 hostile input to the ingest service', () => {
  let db: FreshDatabase;
  let fuzzTenant: Tenant;
  let caseTenant: Tenant;
  let ingest: Ingest;
  let sender: BatchSender;
  let pid: number | undefined;
  const handWritten: Record<string, unknown> = {};
  const figures: Record<string, unknown> = { handWritten };

  beforeAll(async () => {
    db = await createFreshDatabase('rel_hostile');
    fuzzTenant = await createTenant(db.url, 'reliability fuzz');
    caseTenant = await createTenant(db.url, 'reliability hostile cases', { migrate: false });
    ingest = await startIngest({ name: 'ingest(hostile)', database: db.url });
    pid = ingest.service.process.pid;
    sender = createBatchSender(ingest.baseUrl, { connections: PARALLEL });
  });

  afterAll(async () => {
    writeResult('7-hostile-input', figures);
    await sender?.close();
    await ingest?.stop();
    await killAllChildren();
    await db?.drop();
  });

  const send = (request: HostileRequest): Promise<Outcome> => {
    const headers: Record<string, string> = {};
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (request.auth === 'valid') headers.authorization = `Bearer ${fuzzTenant.apiKey}`;
    if (request.auth === 'malformed') headers.authorization = 'Bearer sk_nope';
    if (request.auth === 'unknown') headers.authorization = `Bearer ${UNKNOWN_KEY}`;
    return sender.request({
      method: 'POST',
      path: '/api/v1/events',
      headers,
      body: Buffer.from(request.body),
    });
  };

  it(`${GENERATED_BODIES} generated bodies (fast-check): never a 5xx, an envelope for every error, exact counts`, async () => {
    let sent = 0;
    let expectedStored = 0;
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileRequest, { minLength: PARALLEL, maxLength: PARALLEL }),
        async (requests) => {
          const outcomes = await Promise.all(requests.map(send));
          sent += requests.length;
          outcomes.forEach((outcome, i) => {
            const request = requests[i] as HostileRequest;
            statuses[String(outcome.status)] = (statuses[String(outcome.status)] ?? 0) + 1;
            expect(ALLOWED_STATUSES, describeFailure(request, outcome)).toContain(outcome.status);
            const answer = JSON.parse(outcome.body) as Record<string, unknown>;
            if (outcome.status === 202 || outcome.status === 422) {
              expect(request.auth).toBe('valid');
              const events = eventsOf(request.body);
              const rejected = answer.rejected as unknown[];
              expect(Number(answer.accepted) + rejected.length, describeFailure(request, outcome)).toBe(
                events,
              );
              expectedStored += Number(answer.accepted) - Number(answer.duplicates);
            } else {
              expect(typeof answer.error).toBe('string');
              expect(typeof answer.code).toBe('string');
            }
          });
        },
      ),
      { numRuns: Math.ceil(GENERATED_BODIES / PARALLEL), endOnFailure: true },
    );
    const [row] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE account_id = ${fuzzTenant.accountId}`;
    Object.assign(figures, {
      generatedBodies: sent,
      generatedStatuses: statuses,
      expectedStored,
      stored: row?.n,
    });
    expect(sent).toBeGreaterThanOrEqual(GENERATED_BODIES);
    // Every event the answers called accepted and new is stored, and nothing else.
    expect(row?.n).toBe(expectedStored);
  });

  it.each(hostileCases().map((c) => [c.name, c] as const))('hand-written: %s', async (_name, hostile) => {
    const headers: Record<string, string> = {};
    if (hostile.contentType !== null) headers['content-type'] = hostile.contentType ?? 'application/json';
    if (hostile.authorization !== null) {
      headers.authorization = hostile.authorization ?? `Bearer ${caseTenant.apiKey}`;
    }
    const outcome = await sender.request({
      method: 'POST',
      path: '/api/v1/events',
      headers,
      body: hostile.body,
    });
    handWritten[hostile.name] = outcome.status === 'network' ? `reset (${outcome.code})` : outcome.status;
    if (hostile.mayResetWhileSending && outcome.status === 'network') {
      expect(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(outcome.code);
      return;
    }
    expect(outcome.status, outcome.body.slice(0, 300)).toBe(hostile.status);
    if (hostile.code) expect(outcome.code).toBe(hostile.code);
    // 5xx never happen; 4xx answers reveal nothing of the input beyond field names.
    expect(outcome.body.length).toBeLessThan(2_000_000);
  });

  it('stores the valid events of a mixed batch and lists the invalid ones by index', async () => {
    const { events, validIds, invalidIndexes } = mixedBatch();
    const outcome = await sender.post(caseTenant.apiKey, { events });
    expect(outcome.status).toBe(422);
    const answer = JSON.parse(outcome.body) as { accepted: number; rejected: Array<{ index: number }> };
    expect(answer.accepted).toBe(validIds.length);
    expect(answer.rejected.map((r) => r.index)).toEqual(invalidIndexes);
    const rows = await db.sql<{ id: string }[]>`
      SELECT event_id::text AS id FROM events WHERE account_id = ${caseTenant.accountId}
        AND event_id::text IN ${db.sql(validIds)}`;
    expect(rows.map((r) => r.id).sort()).toEqual([...validIds].sort());
  });

  it('no prototype pollution: the service still reads bodies and events as it did', async () => {
    // Had any body planted `events` on Object.prototype, `{}` would pass as a batch.
    const empty = await sender.post(caseTenant.apiKey, {});
    expect([empty.status, empty.code]).toEqual([400, 'invalid_body']);
    // Had it planted event_id / session_id / timestamp / url, a bare event would pick them up.
    const visitor = `pollution-probe-${Date.now()}`;
    const bare = await sender.post(caseTenant.apiKey, {
      events: [{ event_type: 'probe', visitor_id: visitor }],
    });
    expect(bare.status).toBe(202);
    const rows = await db.sql<
      { event_id: string; session_id: string | null; properties: unknown; age_s: number }[]
    >`
      SELECT event_id::text, session_id, properties, extract(epoch FROM now() - occurred_at)::float AS age_s
      FROM events WHERE account_id = ${caseTenant.accountId} AND visitor_id = ${visitor}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.session_id).toBeNull();
    expect(rows[0]?.properties).toEqual({});
    expect(rows[0]?.event_id).not.toBe('00000000-0000-4000-8000-00000000dead');
    expect(Math.abs(rows[0]?.age_s ?? 1e9)).toBeLessThan(3600);
    // No stored row took the marker the pollution payloads carried in the places a polluted default
    // would show (custom properties may hold it legitimately: `prototype` is an ordinary key there).
    const [marked] = await db.sql<{ n: number }[]>`
      SELECT (SELECT count(*) FROM events
               WHERE event_type = ${POLLUTION_MARK} OR visitor_id = ${POLLUTION_MARK}
                  OR session_id = ${POLLUTION_MARK})
           + (SELECT count(*) FROM sessions
               WHERE session_id = ${POLLUTION_MARK} OR landing_url LIKE ${`%${POLLUTION_MARK}%`}
                  OR initial_utm::text LIKE ${`%${POLLUTION_MARK}%`}) AS n`;
    expect(Number(marked?.n)).toBe(0);
  });

  it('never crashed: the same process is up and healthy', async () => {
    const health = await sender.request({ method: 'GET', path: '/api/v1/health' });
    expect(health.status).toBe(200);
    expect(ingest.service.process.exitCode).toBeNull();
    expect(ingest.service.process.pid).toBe(pid);
    figures.crashed = false;
  });
});

/** Events in a body as the server sees them (UTF-8, JSON), or 0 when it is not a batch. */
function eventsOf(body: string | Uint8Array): number {
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    const value = JSON.parse(text) as { events?: unknown };
    return Array.isArray(value?.events) ? value.events.length : 0;
  } catch {
    return 0;
  }
}

function describeFailure(request: HostileRequest, outcome: Outcome): string {
  const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('base64');
  return `${outcome.status} ${outcome.body.slice(0, 200)} for ${request.contentType} ${request.auth}: ${body.slice(0, 500)}`;
}
