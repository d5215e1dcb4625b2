import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('the first touch as the wire contract says', () => {
  it('stores UTM values of properties.url in the event properties; explicit values win, blank ones do not', async () => {
    const t = await createTestTenant(db.sql, 'Utm');
    const res = await postEvents(app, t.authorization, {
      events: [
        makeEvent({
          session_id: 'u1',
          properties: {
            url: 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring+sale&gclid=1',
            utm_source: 'newsletter',
            utm_medium: '  ',
            plan: 'pro',
          },
        }),
        makeEvent({ session_id: 'u2', properties: { url: 'https://shop.example/?utm_term=a%22b' } }),
        makeEvent({ session_id: 'u3', properties: {} }),
      ],
    });
    expect(res.statusCode, res.body).toBe(202);
    const rows = await db.sql<{ session_id: string; properties: Record<string, unknown> }[]>`
      SELECT session_id, properties FROM events WHERE account_id = ${t.account.id} ORDER BY session_id`;
    expect(rows.map((r) => r.properties)).toEqual([
      {
        url: 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring+sale&gclid=1',
        utm_source: 'newsletter',
        utm_medium: 'cpc',
        utm_campaign: 'spring sale',
        plan: 'pro',
      },
      { url: 'https://shop.example/?utm_term=a%22b', utm_term: 'a"b' },
      {},
    ]);
    const [session] =
      await db.sql`SELECT initial_utm, channel, source FROM sessions WHERE account_id = ${t.account.id} AND session_id = 'u1'`;
    expect({ ...session }).toEqual({
      initial_utm: { utm_source: 'newsletter', utm_medium: 'cpc', utm_campaign: 'spring sale' },
      channel: 'Paid Other',
      source: 'newsletter',
    });
  });

  it('takes properties.landing_url (sent after a redirect) as the session landing and touch', async () => {
    const t = await createTestTenant(db.sql, 'Landing');
    const res = await postEvents(app, t.authorization, {
      events: [
        makeEvent({
          session_id: 'l1',
          properties: {
            url: 'https://shop.example/welcome',
            landing_url: 'https://shop.example/go?utm_source=google&utm_medium=cpc&gclid=9',
            referrer: 'https://www.google.com/',
          },
        }),
      ],
    });
    expect(res.statusCode, res.body).toBe(202);
    const [session] = await db.sql`
      SELECT landing_url, initial_utm, click_ids, channel, source, landing_path, referrer_domain
      FROM sessions WHERE account_id = ${t.account.id}`;
    expect({ ...session }).toEqual({
      landing_url: 'https://shop.example/go?utm_source=google&utm_medium=cpc&gclid=9',
      initial_utm: { utm_source: 'google', utm_medium: 'cpc' },
      click_ids: { gclid: '9' },
      channel: 'Paid Search',
      source: 'google',
      landing_path: '/go',
      referrer_domain: 'google.com',
    });
  });

  it('rejects a landing_url that is not a string, like url', async () => {
    const t = await createTestTenant(db.sql, 'Bad landing');
    const res = await postEvents(app, t.authorization, {
      events: [makeEvent({ properties: { landing_url: 5 } })],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().rejected[0].errors).toEqual(['properties.landing_url must be a string']);
  });
});
