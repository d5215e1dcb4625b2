/**
 * `pnpm --filter @mbuzz/bench run ingest:statement` — what the ingest statement costs Postgres per event,
 * without HTTP: replays `STATEMENT_BATCHES` (3,000) batches of bench:ingest's page views (50 each, over
 * 50,000 visitors with up to 3 sessions) through `ingestBatches` on a fresh database, `STATEMENT_GROUP`
 * (1) batches per statement, on 2 connections. Prints, per event: WAL bytes and buffer accesses (the same
 * from run to run: they compare two versions of the statement or the schema without this machine's
 * noise), and the CPU time of the two Postgres backends (noisy). Also the share of session updates that
 * were HOT. Run it in two worktrees to compare versions, or with `STATEMENT_SCHEMA_SQL` (a file of SQL run
 * after the migrations) to compare a schema variant.
 */
import { readFileSync } from 'node:fs';
import { ingestBatches, migrate, validateEvents } from '@mbuzz/ingest';
import { createFreshDatabase } from '@mbuzz/ingest-harness';
import postgres from 'postgres';
import { cpuSnapshot } from './cpu-time.js';
import { createPageViewSource } from './page-view-source.js';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mbuzz_bench_statement';
const BATCHES = Number(process.env.STATEMENT_BATCHES ?? 3000);
const GROUP = Number(process.env.STATEMENT_GROUP ?? 1);
const BATCH_SIZE = 50;

// Left in place after a run for inspection, dropped at the next one (as bench:ingest does).
const db = await createFreshDatabase('statement', { serverUrl: ADMIN_URL, name: DATABASE });
const sql = postgres(db.url, { max: 4, onnotice: () => {} });
try {
  await migrate(sql);
  // A schema variant to compare (SQL run after the migrations), e.g. an index dropped or changed.
  if (process.env.STATEMENT_SCHEMA_SQL)
    await sql.unsafe(readFileSync(process.env.STATEMENT_SCHEMA_SQL, 'utf8'));
  const [account] = await sql<{ id: string }[]>`
    INSERT INTO accounts (name, slug) VALUES ('Statement', 'statement') RETURNING id`;
  const source = createPageViewSource({ visitors: 50_000, sessionsPerVisitor: 3 });
  const inputs = Array.from({ length: BATCHES }, () => ({
    account: { id: account?.id as string },
    environment: 'live' as const,
    events: validateEvents(JSON.parse(source.nextBody(BATCH_SIZE)).events, { now: Date.now() }).valid,
  }));
  const connections = [await sql.reserve(), await sql.reserve()];
  const counters = async () =>
    (
      await sql<{ wal: string; blocks: string }[]>`
        SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS wal, blks_hit + blks_read AS blocks
        FROM pg_stat_database WHERE datname = current_database()`
    )[0] as { wal: string; blocks: string };
  const before = { ...(await counters()), cpu: await cpuSnapshot(sql, undefined, DATABASE) };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    connections.map(async (c) => {
      while (next < inputs.length) {
        const group = inputs.slice(next, next + GROUP);
        next += GROUP;
        await ingestBatches({ sql: c }, group);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = (await cpuSnapshot(sql, undefined, DATABASE)).postgres - before.cpu.postgres;
  for (const c of connections) c.release();
  // Statistics reach pg_stat_database when a backend reports them (at most once a second when busy).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = await counters();
  const [hot] = await sql<{ updates: string; hot: string }[]>`
    SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'sessions'`;
  // The events stored (every generated one is valid; counted, not assumed).
  const events = inputs.reduce((sum, input) => sum + input.events.length, 0);
  console.log(
    JSON.stringify({
      events,
      batchesPerStatement: GROUP,
      eventsPerSecond: Math.round(events / seconds),
      walBytesPerEvent: Math.round((Number(after.wal) - Number(before.wal)) / events),
      bufferAccessesPerEvent: Number(((Number(after.blocks) - Number(before.blocks)) / events).toFixed(1)),
      postgresCpuMsPer1000Events: Number(((cpuSeconds * 1e6) / events).toFixed(1)),
      hotSessionUpdates: `${hot?.hot} of ${hot?.updates}`,
    }),
  );
} finally {
  await sql.end();
  await db.sql.end();
}
