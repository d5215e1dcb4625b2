import { randomBytes } from 'node:crypto';
import { createAccount, createApiKey, createUser, setAccountTimeZone } from '@mbuzz/ingest';
import {
  type IngestOnFreshDatabase,
  killAllChildren,
  startIngestOnFreshDatabase,
} from '@mbuzz/ingest-harness';
import { DIST_DIR, requireDashboardBuild } from './dashboard-build.js';
import {
  eventsOf,
  GLOBEX_TIME_ZONE,
  type PlannedSession,
  planAcme,
  planAcmeTest,
  planGlobex,
  planHooliTest,
  type WireEvent,
} from './seed-plan.js';
import { namedRange, startOfDay } from './truth.js';

/** The password of every seeded user. */
export const PASSWORD = 'correct horse battery staple';

/** Login attempts per email per 15 minutes on the tests' service: low, so the limit is met. */
export const LOGIN_RATE_LIMIT_MAX = 3;

export const USERS = {
  admin: 'ana@acme.example',
  viewer: 'vic@acme.example',
  globex: 'gus@globex.example',
  empty: 'eve@initech.example',
  testOnly: 'hal@hooli.example',
} as const;

/** The service, its accounts and what was sent to them. */
export interface DashboardFixture {
  readonly ingest: IngestOnFreshDatabase;
  /** e.g. `http://127.0.0.1:41234` */
  readonly baseUrl: string;
  readonly acme: { id: string; name: string; liveKey: string; testKey: string };
  readonly globex: { id: string; name: string; timeZone: string };
  /** Acme's live sessions: grows when a test sends more (the truth follows). */
  readonly acmeLive: PlannedSession[];
  readonly acmeTest: PlannedSession[];
  readonly globexLive: PlannedSession[];
  /** The test data of Hooli, which has no live data. */
  readonly hooliTest: PlannedSession[];
  /** When the plan was made: the seed's times are relative to it. */
  readonly seededAt: Date;
  /** Sends events with a key; resolves the HTTP status and body. */
  send(key: string, events: WireEvent[]): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/**
 * Starts the built ingest service serving the built dashboard on a fresh database, and seeds it through
 * the real write path: accounts, users and keys with @mbuzz/ingest's functions (as the CLI makes them),
 * events with POST /api/v1/events.
 *
 * - Acme: an admin and a viewer, a live ingest key with the sessions of {@link planAcme}, a test key with
 *   {@link planAcmeTest}.
 * - Globex, in {@link GLOBEX_TIME_ZONE}: a user and its own live sessions ({@link planGlobex}), which
 *   never show on Acme's pages.
 * - Initech: a user and no data at all (the empty state).
 * - Hooli: a user and test data only (the empty state links to it).
 */
export async function startDashboardFixture(): Promise<DashboardFixture> {
  requireDashboardBuild();
  const ingest = await startIngestOnFreshDatabase('dashboard', {
    env: {
      DASHBOARD_DIR: DIST_DIR,
      LOGIN_RATE_LIMIT_MAX: String(LOGIN_RATE_LIMIT_MAX),
      SESSION_SECRET: randomBytes(32).toString('hex'),
    },
  });
  try {
    const sql = ingest.db.sql;
    const [acme, globex, initech, hooli] = await Promise.all([
      createAccount(sql, { name: 'Acme' }),
      createAccount(sql, { name: 'Globex' }),
      createAccount(sql, { name: 'Initech' }),
      createAccount(sql, { name: 'Hooli' }),
    ]);
    await setAccountTimeZone(sql, globex.id, GLOBEX_TIME_ZONE);
    const [acmeLive, acmeTest, globexLive, hooliTest] = await Promise.all([
      createApiKey(sql, { accountId: acme.id, environment: 'live', description: 'seed' }),
      createApiKey(sql, { accountId: acme.id, environment: 'test', description: 'seed (test)' }),
      createApiKey(sql, { accountId: globex.id, environment: 'live' }),
      createApiKey(sql, { accountId: hooli.id, environment: 'test' }),
    ]);
    // argon2id: one after the other, not to load the shared machine more than needed.
    await createUser(sql, { accountId: acme.id, email: USERS.admin, password: PASSWORD, role: 'admin' });
    await createUser(sql, { accountId: acme.id, email: USERS.viewer, password: PASSWORD, role: 'viewer' });
    await createUser(sql, { accountId: globex.id, email: USERS.globex, password: PASSWORD, role: 'admin' });
    await createUser(sql, { accountId: initech.id, email: USERS.empty, password: PASSWORD, role: 'admin' });
    await createUser(sql, { accountId: hooli.id, email: USERS.testOnly, password: PASSWORD, role: 'viewer' });

    const send = async (key: string, events: WireEvent[]) => {
      const res = await fetch(`${ingest.apiUrl}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body };
    };
    const seed = async (key: string, sessions: PlannedSession[]) => {
      const events = sessions.flatMap(eventsOf);
      for (let i = 0; i < events.length; i += 500) {
        const batch = events.slice(i, i + 500);
        const answer = await send(key, batch);
        if (answer.status !== 202) {
          throw new Error(`seeding: POST /events answered ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    };

    const seededAt = new Date();
    const globexSevenDays = namedRange('7d', { now: seededAt, timeZone: GLOBEX_TIME_ZONE });
    const plans = {
      acmeLive: planAcme(seededAt),
      acmeTest: planAcmeTest(seededAt),
      globexLive: planGlobex(seededAt, startOfDay(globexSevenDays.from, GLOBEX_TIME_ZONE)),
      hooliTest: planHooliTest(seededAt),
    };
    await seed(acmeLive.key, plans.acmeLive);
    await seed(acmeTest.key, plans.acmeTest);
    await seed(globexLive.key, plans.globexLive);
    await seed(hooliTest.key, plans.hooliTest);

    return {
      ingest,
      baseUrl: ingest.baseUrl,
      acme: { id: acme.id, name: acme.name, liveKey: acmeLive.key, testKey: acmeTest.key },
      globex: { id: globex.id, name: globex.name, timeZone: GLOBEX_TIME_ZONE },
      ...plans,
      seededAt,
      send,
      async stop() {
        try {
          await ingest.stopAndDrop();
        } finally {
          await killAllChildren();
        }
      },
    };
  } catch (error) {
    await ingest.stopAndDrop().catch(() => {});
    await killAllChildren();
    throw error;
  }
}
