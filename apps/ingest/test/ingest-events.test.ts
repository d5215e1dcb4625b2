import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../src/events/ingest-events.js';
import { ingestStatement } from '../src/events/ingest-sql.js';
import { validateEvents } from '../src/events/validate-events.js';
import { dumpTables } from './helpers/dump-tables.js';
import { createTestApp, createTestTenant, makeEvent, postEvents } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  app = createTestApp(db.sql);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const at = (minute: number, second = 0) =>
  `2025-11-06T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;

/** A small realistic journey: two visitors, three sessions, utm on landing, custom events. */
function journey() {
  return [
    makeEvent({
      visitor_id: 'va',
      session_id: 'sa1',
      timestamp: at(0),
      properties: {
        url: 'https://shop.test/?utm_source=google&utm_medium=cpc&utm_campaign=spring+sale&gclid=G1',
        referrer: 'https://www.google.com/',
      },
    }),
    makeEvent({
      visitor_id: 'va',
      session_id: 'sa1',
      timestamp: at(2),
      properties: { url: 'https://shop.test/p' },
    }),
    makeEvent({
      visitor_id: 'va',
      session_id: 'sa1',
      event_type: 'signup',
      timestamp: at(3),
      properties: { plan: 'pro' },
    }),
    makeEvent({
      visitor_id: 'va',
      session_id: 'sa2',
      timestamp: at(50),
      properties: { url: 'https://shop.test/?utm_source=news' },
    }),
    makeEvent({
      visitor_id: 'vb',
      session_id: 'sb1',
      timestamp: at(5),
      properties: { url: 'https://shop.test/b', utm_source: 'x' },
    }),
    makeEvent({
      visitor_id: 'vb',
      session_id: 'sb1',
      timestamp: at(7),
      properties: { url: 'https://shop.test/c' },
    }),
  ];
}

describe('ingest: idempotency and order', () => {
  it('the same batch sent three times leaves the rows of one send', async () => {
    const t = await createTestTenant(db.sql, 'Thrice');
    const events = journey();
    const first = await postEvents(app, t.authorization, { events });
    expect(first.json()).toEqual({ accepted: 6, duplicates: 0, rejected: [] });
    const once = await dumpTables(db.sql, t.account.id);

    for (let n = 0; n < 2; n += 1) {
      const again = await postEvents(app, t.authorization, { events });
      expect(again.statusCode).toBe(202);
      expect(again.json()).toEqual({ accepted: 6, duplicates: 6, rejected: [] });
    }
    expect(await dumpTables(db.sql, t.account.id)).toEqual(once);

    expect(once.sessions).toHaveLength(3);
    const sa1 = once.sessions.find((s: { session_id: string }) => s.session_id === 'sa1');
    expect(sa1).toMatchObject({
      visitor_id: 'va',
      started_at: at(0),
      last_activity_at: at(3),
      page_view_count: 2,
      initial_utm: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring sale' },
      click_ids: { gclid: 'G1' },
      initial_referrer: 'https://www.google.com/',
      landing_url: 'https://shop.test/?utm_source=google&utm_medium=cpc&utm_campaign=spring+sale&gclid=G1',
    });
    const sb1 = once.sessions.find((s: { session_id: string }) => s.session_id === 'sb1');
    expect(sb1.initial_utm).toEqual({ utm_source: 'x' });
    expect(once.visitors).toMatchObject([
      { visitor_id: 'va', first_seen_at: at(0), last_seen_at: at(50) },
      { visitor_id: 'vb', first_seen_at: at(5), last_seen_at: at(7) },
    ]);
  });

  it('two batches in either order, or split any way, leave identical rows', async () => {
    const events = journey();
    const a = [events[3], events[1], events[4]];
    const b = [events[5], events[0], events[2]];

    const t1 = await createTestTenant(db.sql, 'Order AB');
    await postEvents(app, t1.authorization, { events: a });
    await postEvents(app, t1.authorization, { events: b });

    const t2 = await createTestTenant(db.sql, 'Order BA');
    await postEvents(app, t2.authorization, { events: b });
    await postEvents(app, t2.authorization, { events: a });

    const t3 = await createTestTenant(db.sql, 'One by one reversed');
    for (const event of [...events].reverse()) await postEvents(app, t3.authorization, { events: [event] });

    const normalise = (dump: Record<string, Array<Record<string, unknown>>>) =>
      JSON.parse(JSON.stringify(dump).replaceAll(/"account_id":"[^"]+"/g, '"account_id":"x"'));
    const ab = normalise(await dumpTables(db.sql, t1.account.id));
    expect(normalise(await dumpTables(db.sql, t2.account.id))).toEqual(ab);
    expect(normalise(await dumpTables(db.sql, t3.account.id))).toEqual(ab);
  });

  it('page_view_count ignores duplicates, within and across batches', async () => {
    const t = await createTestTenant(db.sql, 'Counting');
    const pv = makeEvent({ visitor_id: 'c', session_id: 'cs', timestamp: at(1) });
    const pv2 = makeEvent({ visitor_id: 'c', session_id: 'cs', timestamp: at(2) });
    const first = await postEvents(app, t.authorization, { events: [pv, pv, pv2] });
    expect(first.json()).toEqual({ accepted: 3, duplicates: 1, rejected: [] });
    await postEvents(app, t.authorization, {
      events: [pv2, makeEvent({ visitor_id: 'c', session_id: 'cs', event_type: 'click' })],
    });
    const [row] = await db.sql`SELECT page_view_count FROM sessions WHERE account_id = ${t.account.id}`;
    expect(row?.page_view_count).toBe(2);
  });

  it('first touch is the earliest event even when it arrives last', async () => {
    const t = await createTestTenant(db.sql, 'Late landing');
    const landing = makeEvent({
      visitor_id: 'l',
      session_id: 'ls',
      timestamp: at(0),
      properties: { url: 'https://s.test/?utm_source=fb&fbclid=F', referrer: 'https://facebook.com/' },
    });
    const later = makeEvent({
      visitor_id: 'l',
      session_id: 'ls',
      timestamp: at(10),
      properties: { url: 'https://s.test/?utm_source=mail', referrer: 'https://mail.test/' },
    });
    await postEvents(app, t.authorization, { events: [later] });
    await postEvents(app, t.authorization, { events: [landing] });
    const [row] = await db.sql`SELECT * FROM sessions WHERE account_id = ${t.account.id}`;
    expect(row).toMatchObject({
      initial_utm: { utm_source: 'fb' },
      click_ids: { fbclid: 'F' },
      initial_referrer: 'https://facebook.com/',
      landing_url: 'https://s.test/?utm_source=fb&fbclid=F',
      page_view_count: 2,
    });
    expect((row as { started_at: Date }).started_at.toISOString()).toBe(at(0));
    expect((row as { last_activity_at: Date }).last_activity_at.toISOString()).toBe(at(10));
  });

  it('an event without session_id joins the latest session only within 30 minutes', async () => {
    const t = await createTestTenant(db.sql, 'Sessionless');
    await postEvents(app, t.authorization, {
      events: [makeEvent({ visitor_id: 'n', session_id: 'ns', timestamp: at(0) })],
    });
    const near = makeEvent({ visitor_id: 'n', session_id: null, event_type: 'buy', timestamp: at(25) });
    const far = makeEvent({ visitor_id: 'n', session_id: null, event_type: 'buy', timestamp: at(59) });
    const other = makeEvent({ visitor_id: 'other', session_id: null, event_type: 'buy', timestamp: at(1) });
    await postEvents(app, t.authorization, { events: [near, far, other] });
    const rows = await db.sql<{ event_id: string; session_id: string | null }[]>`
      SELECT event_id, session_id FROM events WHERE account_id = ${t.account.id}`;
    const sessionOf = (id: unknown) => rows.find((r) => r.event_id === id)?.session_id;
    expect(sessionOf(near.event_id)).toBe('ns');
    expect(sessionOf(far.event_id)).toBeNull();
    expect(sessionOf(other.event_id)).toBeNull();
    const [session] = await db.sql`SELECT last_activity_at FROM sessions WHERE account_id = ${t.account.id}`;
    expect((session as { last_activity_at: Date }).last_activity_at.toISOString()).toBe(at(25));
  });

  it('8 concurrent batches sharing sessions in different orders all succeed', async () => {
    const t = await createTestTenant(db.sql, 'Concurrent');
    const sessions = Array.from({ length: 12 }, (_, n) => `cs${n}`);
    const batches = Array.from({ length: 8 }, (_, b) => {
      const order = b % 2 === 0 ? sessions : [...sessions].reverse();
      return order.flatMap((s, n) =>
        [0, 1].map((k) => makeEvent({ visitor_id: `cv${n % 5}`, session_id: s, timestamp: at(b, n + k) })),
      );
    });
    const results = await Promise.all(batches.map((events) => postEvents(app, t.authorization, { events })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(202));
    const [{ total }] = (await db.sql`
      SELECT sum(page_view_count)::int AS total FROM sessions WHERE account_id = ${t.account.id}`) as [
      { total: number },
    ];
    expect(total).toBe(8 * 12 * 2);
  });

  it('is callable directly with a fixed number of statements whatever the batch size', async () => {
    const t = await createTestTenant(db.sql, 'Direct');
    const statements: string[] = [];
    const debugSql = (await import('postgres')).default(db.url, {
      max: 1,
      fetch_types: false, // no type-catalogue query on connect: count only what ingestEvents sends
      debug: (_connection, query) => statements.push(query),
    });
    try {
      const texts = new Set<string>();
      for (const size of [1, 200]) {
        statements.length = 0;
        const raw = Array.from({ length: size }, (_, n) =>
          makeEvent({ visitor_id: `d${n}`, session_id: `ds${n}` }),
        );
        const { valid } = validateEvents(raw, { now: Date.now() });
        const result = await ingestEvents(
          { sql: debugSql },
          { account: t.account, environment: 'live', events: valid },
        );
        expect(result).toEqual({ accepted: size, duplicates: 0 });
        // postgres.js reports a new prepared statement twice (describe, execute): count distinct texts.
        expect(new Set(statements).size).toBe(1);
        for (const text of statements) texts.add(text);
      }
      expect(texts.size).toBe(1);
    } finally {
      await debugSql.end();
    }
  });

  it('plans no nested loop over two row sets (grouped statements stay linear in their size), nor a JIT compile', async () => {
    // The planner guesses 1 row for CTEs fed by INSERT … RETURNING; a join of two of them may become a
    // nested loop that is quadratic in the number of events of a grouped statement. A nested loop whose
    // inner side is an index lookup into a table (one probe per outer row), or the hours of one row
    // (generate_series), is linear, and allowed; so is one whose outer side is the one row of `tenants`.
    const tenants = { accountIds: [], isTest: [], firstRows: [] };
    const { string: text } = await ingestStatement(db.sql, tenants, '[]').describe();
    const plan = await db.sql.unsafe(`EXPLAIN ${text}`, ['{}', '{}', '{}', '[]']);
    const lines = plan.map((row) => String(row['QUERY PLAN']));
    expect(lines.length).toBeGreaterThan(10);
    // Below jit_above_cost: Postgres would JIT-compile a statement estimated above it, which takes seconds
    // (a version that read the rows as an array of arrays was estimated at 2.6 M and took 2.6 s for 3 rows).
    const [{ jit_above_cost: jitAbove }] = (await db.sql`SHOW jit_above_cost`) as unknown as [
      { jit_above_cost: string },
    ];
    const totalCost = Number(/cost=[\d.]+\.\.([\d.]+)/.exec(lines[0] as string)?.[1]);
    expect(totalCost).toBeLessThan(Number(jitAbove));
    const indent = (line: string) => line.search(/\S/);
    const quadratic = lines.flatMap((line, i) => {
      if (!line.includes('Nested Loop')) return [];
      // The node's children: the next lines one level deeper that start with "->".
      const depth = indent(line);
      const children: string[] = [];
      for (let k = i + 1; k < lines.length && indent(lines[k] as string) > depth; k += 1) {
        const child = lines[k] as string;
        if (child.trimStart().startsWith('->') && indent(child) === depth + 6) children.push(child.trim());
      }
      const linear =
        /^-> {2}(Index (Only )?Scan using \S+ on (sessions|visitors)|Function Scan on generate_series)\b/.test(
          children[1] ?? '',
        ) || /^-> {2}CTE Scan on tenants\b/.test(children[0] ?? '');
      return linear ? [] : [line];
    });
    expect(quadratic).toEqual([]);
  });

  it('casts the bound arrays once per statement, not once per row', async () => {
    // A text-to-array cast is not constant-folded: written in a row expression it parses the whole array
    // for every row (O(rows × batches); at 40 batches per statement it cost ~25 % of Postgres' time).
    const tenants = { accountIds: [], isTest: [], firstRows: [] };
    const { string: text } = await ingestStatement(db.sql, tenants, '[]').describe();
    const plan = await db.sql.unsafe(`EXPLAIN VERBOSE ${text}`, ['{}', '{}', '{}', '[]']);
    const lines = plan.map((row) => String(row['QUERY PLAN']));
    const casts = lines.filter((line) => /::(uuid|boolean|bigint)\[\]/.test(line));
    expect(casts.length).toBeGreaterThan(0);
    // Every cast is in the output of the one-row node that computes `tenants`.
    const tenantsAt = lines.findIndex((line) => /CTE tenants/.test(line));
    expect(tenantsAt).toBeGreaterThanOrEqual(0);
    for (const cast of casts) {
      const at = lines.indexOf(cast);
      expect(at).toBeGreaterThan(tenantsAt);
      expect(at).toBeLessThanOrEqual(tenantsAt + 3);
    }
  });
});
