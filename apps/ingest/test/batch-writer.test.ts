import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/index.js';
import { createBatchWriter } from '../src/events/create-batch-writer.js';
import { ingestBatches } from '../src/events/ingest-events.js';
import { type ValidEvent, validateEvents } from '../src/events/validate-events.js';
import { WriterBusyError } from '../src/events/writer-busy-error.js';
import { toApiError } from '../src/http/error-handler.js';
import { dumpTables } from './helpers/dump-tables.js';
import { makeEvent } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const valid = (events: Record<string, unknown>[]): ValidEvent[] => {
  const result = validateEvents(events, { now: Date.now() });
  expect(result.rejected).toEqual([]);
  return result.valid;
};

/** A pool that records each ingest statement it executes. */
function countingSql() {
  const statements: string[] = [];
  const sql = postgres(db.url, {
    max: 2,
    fetch_types: false,
    onnotice: () => {},
    debug: (_connection, query, _parameters, types) => {
      // postgres.js reports a statement when described and when executed; count executions only.
      if (query.includes('jsonb_array_elements') && types.length > 0) statements.push(query);
    },
  });
  return { sql, statements };
}

describe('createBatchWriter (group commit)', () => {
  it('merges batches waiting for a slot into one statement and answers each on its own', async () => {
    const { sql, statements } = countingSql();
    const writer = createBatchWriter({ sql, maxConcurrent: 1 });
    const a = await createAccount(db.sql, { name: 'Group A' });
    const b = await createAccount(db.sql, { name: 'Group B' });
    try {
      const shared = makeEvent({ visitor_id: 'gv', session_id: 'gs' });
      const inputs = [
        {
          account: a,
          environment: 'live' as const,
          events: valid([makeEvent({ visitor_id: 'gv', session_id: 'gs' })]),
        },
        {
          account: a,
          environment: 'live' as const,
          events: valid([shared, makeEvent({ visitor_id: 'gv', session_id: 'gs' })]),
        },
        // The same event_id in another account is not a duplicate.
        { account: b, environment: 'test' as const, events: valid([shared]) },
        // Sent again while the first copy waits in the same group: a duplicate.
        { account: a, environment: 'live' as const, events: valid([shared]) },
      ];
      const results = await Promise.all(inputs.map((input) => writer.write(input)));
      expect(results).toEqual([
        { accepted: 1, duplicates: 0 },
        { accepted: 2, duplicates: 0 },
        { accepted: 1, duplicates: 0 },
        { accepted: 1, duplicates: 1 },
      ]);
      // The first batch ran alone; the three that queued behind it shared one statement.
      expect(statements.length).toBe(2);

      const rowsA = await dumpTables(db.sql, a.id);
      const rowsB = await dumpTables(db.sql, b.id);
      expect(rowsA.events).toHaveLength(3);
      expect(rowsA.sessions).toMatchObject([{ session_id: 'gs', page_view_count: 3, is_test: false }]);
      expect(rowsB.events).toHaveLength(1);
      expect(rowsB.sessions).toMatchObject([{ session_id: 'gs', page_view_count: 1, is_test: true }]);
    } finally {
      await sql.end();
    }
  });

  it('places each row in its own batch when a batch between others has no events', async () => {
    const a = await createAccount(db.sql, { name: 'Around empty A' });
    const b = await createAccount(db.sql, { name: 'Around empty B' });
    const results = await ingestBatches({ sql: db.sql }, [
      {
        account: a,
        environment: 'live',
        events: valid([makeEvent({ visitor_id: 'a1' }), makeEvent({ visitor_id: 'a2' })]),
      },
      { account: b, environment: 'test', events: [] },
      { account: b, environment: 'live', events: valid([makeEvent({ visitor_id: 'b1' })]) },
    ]);
    expect(results).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 0, duplicates: 0 },
      { accepted: 1, duplicates: 0 },
    ]);
    const stored = await db.sql`SELECT account_id, visitor_id, is_test FROM events
                                WHERE account_id IN (${a.id}, ${b.id}) ORDER BY visitor_id`;
    expect(stored.map((r) => [r.account_id, r.visitor_id, r.is_test])).toEqual([
      [a.id, 'a1', false],
      [a.id, 'a2', false],
      [b.id, 'b1', false],
    ]);
  });

  it('keeps a failing batch from failing the others of its group', async () => {
    const { sql } = countingSql();
    const writer = createBatchWriter({ sql, maxConcurrent: 1 });
    const account = await createAccount(db.sql, { name: 'Isolation' });
    try {
      const good = valid([makeEvent({ visitor_id: 'ok' })]);
      // Bypasses validation on purpose: Postgres refuses this timestamp, failing the whole statement.
      const broken = valid([makeEvent({ visitor_id: 'broken' })]).map((e) => ({
        ...e,
        occurredAt: '2025-13-45T99:00:00Z',
      }));
      const results = await Promise.allSettled([
        writer.write({ account, environment: 'live', events: valid([makeEvent({ visitor_id: 'first' })]) }),
        writer.write({ account, environment: 'live', events: broken }),
        writer.write({ account, environment: 'live', events: good }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const stored = await db.sql`SELECT visitor_id FROM events WHERE account_id = ${account.id} ORDER BY 1`;
      expect(stored.map((r) => r.visitor_id)).toEqual(['first', 'ok']);
    } finally {
      await sql.end();
    }
  });

  it('answers 503 when a batch waits longer than the queue timeout', async () => {
    const { sql } = countingSql();
    const account = await createAccount(db.sql, { name: 'Busy' });
    const writer = createBatchWriter({ sql, maxConcurrent: 1, queueTimeoutMs: 50 });
    const locker = await db.sql.reserve();
    try {
      // Hold a lock the first statement needs, so it occupies the only slot.
      await locker`BEGIN`;
      await locker`LOCK TABLE events IN EXCLUSIVE MODE`;
      const first = writer.write({ account, environment: 'live', events: valid([makeEvent()]) });
      const second = writer.write({ account, environment: 'live', events: valid([makeEvent()]) });
      await expect(second).rejects.toBeInstanceOf(WriterBusyError);
      // …which the HTTP layer answers as a retryable 503.
      expect(toApiError(await second.catch((e: unknown) => e))).toMatchObject({
        statusCode: 503,
        code: 'unavailable',
      });
      await locker`COMMIT`;
      await expect(first).resolves.toEqual({ accepted: 1, duplicates: 0 });
    } finally {
      locker.release();
      await sql.end();
    }
  });
});
