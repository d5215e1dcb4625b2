import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts.js';
import { classifyTouch } from '../src/attribution/classify-touch.js';
import { ingestEvents } from '../src/events/ingest-events.js';
import { validateEvents } from '../src/events/validate-events.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const TOUCHES = [
  { url: 'https://shop.example/' },
  {
    url: 'https://shop.example/a?utm_source=google&utm_medium=cpc&gclid=1',
    referrer: 'https://www.google.com/',
  },
  { url: 'https://shop.example/b?utm_source=newsletter&utm_medium=email' },
  { url: 'https://shop.example/c', referrer: 'https://t.co/x' },
  { url: 'https://shop.example/d', referrer: 'https://chatgpt.com/' },
  { url: 'https://shop.example/e?msclkid=9' },
  { url: 'https://shop.example/f', landing_url: 'https://shop.example/go?utm_source=fb&utm_medium=paid' },
];

let run = 0;

/** Stores `events` in the given order, split into batches at `cuts`, into a fresh account. */
async function store(events: Array<Record<string, unknown>>, order: number[], cuts: number[]) {
  run += 1;
  const account = await createAccount(db.sql, { name: `Order ${run}` });
  const ordered = order.map((i) => events[i] as Record<string, unknown>);
  const bounds = [
    0,
    ...cuts.filter((c) => c > 0 && c < ordered.length).sort((a, b) => a - b),
    ordered.length,
  ];
  for (let b = 0; b + 1 < bounds.length; b += 1) {
    const { valid } = validateEvents(ordered.slice(bounds[b], bounds[b + 1]), { now: Date.now() });
    await ingestEvents({ sql: db.sql }, { account, environment: 'live', events: valid });
  }
  const sessions = await db.sql`
    SELECT session_id, channel, source, referrer_domain, landing_path, utm_source, utm_medium, started_at
    FROM sessions WHERE account_id = ${account.id} ORDER BY session_id`;
  const visitors = await db.sql`
    SELECT visitor_id, first_channel, first_source FROM visitors WHERE account_id = ${account.id} ORDER BY visitor_id`;
  return JSON.parse(JSON.stringify({ sessions, visitors }));
}

describe('channel and source are part of the first touch', () => {
  it('are the same whatever order and batches the events arrive in (fast-check)', async () => {
    const event = fc.record({
      session: fc.integer({ min: 0, max: 2 }),
      touch: fc.integer({ min: 0, max: TOUCHES.length - 1 }),
      // Few distinct seconds, so timestamp ties happen and the tie-break is exercised.
      second: fc.integer({ min: 0, max: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { minLength: 1, maxLength: 8 }),
        fc.infiniteStream(fc.nat()),
        fc.array(fc.nat({ max: 8 }), { maxLength: 3 }),
        async (specs, randomness, cuts) => {
          const events = specs.map((spec, i) => ({
            event_id: `01936f6e-8b2a-7c3d-9e4f-${(run * 1000 + i).toString(16).padStart(12, '0')}`,
            event_type: 'page_view',
            visitor_id: 'v1',
            session_id: `s${spec.session}`,
            timestamp: `2026-11-20T10:00:0${spec.second}.000Z`,
            properties: TOUCHES[spec.touch] as Record<string, unknown>,
          }));
          const forward = events.map((_e, i) => i);
          const shuffled = [...forward];
          const it = randomness[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i -= 1) {
            const j = (it.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
          }
          const a = await store(events, forward, []);
          const b = await store(events, shuffled, cuts);
          expect(b).toEqual(a);
          // And the stored channel is that of the session's earliest event (when no other event ties it).
          for (const row of a.sessions as Array<{ session_id: string; channel: string; source: string }>) {
            const mine = specs.filter((s) => `s${s.session}` === row.session_id);
            const earliest = Math.min(...mine.map((s) => s.second));
            const first = mine.filter((s) => s.second === earliest);
            if (new Set(first.map((s) => s.touch)).size !== 1) continue;
            const p = TOUCHES[(first[0] as { touch: number }).touch] as {
              url: string;
              referrer?: string;
              landing_url?: string;
            };
            const landing = p.landing_url ?? p.url;
            const q = new URLSearchParams(landing.split('?')[1] ?? '');
            const pick = (keys: string[]) =>
              Object.fromEntries(keys.flatMap((k) => (q.get(k) ? [[k, q.get(k) as string]] : [])));
            const expected = classifyTouch({
              utm: pick(['utm_source', 'utm_medium']),
              clickIds: pick(['gclid', 'msclkid']),
              referrer: p.referrer ?? null,
              landingUrl: landing,
            });
            expect({ channel: row.channel, source: row.source }).toEqual({
              channel: expected.channel,
              source: expected.source,
            });
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('a migration fills channel and source of sessions stored before, and first touch of visitors', async () => {
    const { backfillAttribution } = await import('../src/db/backfill-attribution.js');
    const account = await createAccount(db.sql, { name: 'Backfill' });
    const { valid } = validateEvents(
      [
        {
          event_type: 'page_view',
          visitor_id: 'bv',
          session_id: 'b1',
          timestamp: '2026-11-20T10:00:00Z',
          properties: { url: 'https://shop.example/?utm_source=google&utm_medium=cpc' },
        },
        {
          event_type: 'page_view',
          visitor_id: 'bv',
          session_id: 'b2',
          timestamp: '2026-11-21T10:00:00Z',
          properties: { url: 'https://shop.example/x', referrer: 'https://www.bing.com/' },
        },
      ],
      { now: Date.now() },
    );
    await ingestEvents({ sql: db.sql }, { account, environment: 'live', events: valid });
    // As if stored before migration 003.
    await db.sql`UPDATE sessions SET channel = NULL, source = NULL, referrer_domain = NULL, landing_path = NULL WHERE account_id = ${account.id}`;
    await db.sql`UPDATE visitors SET first_channel = NULL, first_source = NULL WHERE account_id = ${account.id}`;
    await db.sql`INSERT INTO pending_backfills (name) VALUES ('session_attribution')`;
    expect(await backfillAttribution(db.sql)).toBeGreaterThanOrEqual(2);
    const rows =
      await db.sql`SELECT session_id, channel, source, referrer_domain, landing_path FROM sessions WHERE account_id = ${account.id} ORDER BY session_id`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      {
        session_id: 'b1',
        channel: 'Paid Search',
        source: 'google',
        referrer_domain: null,
        landing_path: '/',
      },
      {
        session_id: 'b2',
        channel: 'Organic Search',
        source: 'Bing',
        referrer_domain: 'bing.com',
        landing_path: '/x',
      },
    ]);
    const [visitor] =
      await db.sql`SELECT first_channel, first_source FROM visitors WHERE account_id = ${account.id}`;
    expect({ ...visitor }).toEqual({ first_channel: 'Paid Search', first_source: 'google' });
    expect(await db.sql`SELECT * FROM pending_backfills`).toHaveLength(0);
    // Done once: a second run finds nothing to do.
    expect(await backfillAttribution(db.sql)).toBe(0);
  });
});
