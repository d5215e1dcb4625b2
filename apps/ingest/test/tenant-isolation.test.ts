import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

it('a key of account A can neither write into nor see anything of account B', async () => {
  const a = await createTestTenant(db.sql, 'Tenant A');
  const b = await createTestTenant(db.sql, 'Tenant B');
  const shared = { visitor_id: 'same-visitor', session_id: 'same-session' };
  const bEvent = makeEvent({
    ...shared,
    timestamp: '2025-11-06T10:00:00Z',
    properties: { url: 'https://b.test/?utm_source=b' },
  });
  expect((await postEvents(app, b.authorization, { events: [bEvent] })).statusCode).toBe(202);
  const bBefore = await dumpTables(db.sql, b.account.id);

  // A sends the very same event_id, visitor and session, earlier in time: it must land in A only.
  const aEvent = {
    ...bEvent,
    timestamp: '2025-11-06T09:00:00Z',
    properties: { url: 'https://a.test/?utm_source=a' },
  };
  const res = await postEvents(app, a.authorization, { events: [aEvent] });
  expect(res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

  expect(await dumpTables(db.sql, b.account.id)).toEqual(bBefore);
  const aRows = await dumpTables(db.sql, a.account.id);
  expect(aRows.events).toHaveLength(1);
  expect(aRows.sessions[0].initial_utm).toEqual({ utm_source: 'a' });

  // What A can see through the API is its own account only.
  const validate = await app.inject({
    method: 'GET',
    url: '/api/v1/validate',
    headers: { authorization: a.authorization },
  });
  expect(validate.json().account).toEqual({ id: a.account.id, name: 'Tenant A' });
  expect(validate.body).not.toContain(b.account.id);
});
