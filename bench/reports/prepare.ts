import { createAccount, migrate } from '@mbuzz/ingest';
import postgres, { type Sql } from 'postgres';
import { seedAccount } from './seed.js';

export interface PreparedDatabase {
  url: string;
  sql: Sql;
  accountId: string;
  /** When the data set ends (its "now"). */
  until: Date;
  loadSeconds: number;
}

/**
 * Creates (or reuses, with `reuse`) the bench database: one account with `sessions` sessions over 90 days
 * plus three noise accounts with a tenth each, then VACUUM ANALYZE so plans and index-only scans are those
 * of a settled database.
 */
export async function prepareDatabase(options: {
  adminUrl: string;
  name: string;
  sessions: number;
  reuse: boolean;
  log: (line: string) => void;
}): Promise<PreparedDatabase> {
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${options.name}`;
  const url = new URL(options.adminUrl);
  url.pathname = `/${options.name}`;
  if (exists && options.reuse) {
    await admin.end();
    const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
    const { applied } = await migrate(sql);
    // A migration may rewrite a table (which clears its visibility map): settle it as autovacuum would.
    if (applied.length > 0) {
      options.log(`applied ${applied.join(', ')}; VACUUM ANALYZE …`);
      await sql.unsafe('VACUUM ANALYZE');
    }
    const [row] = await sql<{ id: string; until: Date }[]>`
      SELECT a.id, (a.settings->>'bench_until')::timestamptz AS until FROM accounts a WHERE a.slug = 'bench'`;
    if (row) {
      options.log(`reusing database ${options.name}`);
      return { url: url.toString(), sql, accountId: row.id, until: row.until, loadSeconds: 0 };
    }
    await sql.end();
  }
  await admin.unsafe(`DROP DATABASE IF EXISTS ${options.name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${options.name}`);
  await admin.end();
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
  await migrate(sql);
  const until = new Date();
  until.setUTCMinutes(0, 0, 0);
  const started = performance.now();
  const account = await createAccount(sql, { name: 'Bench' });
  await sql`UPDATE accounts SET settings = jsonb_build_object('bench_until', ${until.toISOString()}::text) WHERE id = ${account.id}`;
  options.log(`loading ${options.sessions.toLocaleString('en')} sessions into ${options.name} …`);
  await seedAccount(sql, {
    accountId: account.id,
    sessions: options.sessions,
    days: 90,
    until,
    sessionsPerVisitor: 1.8,
    prefix: 'b',
  });
  for (let n = 1; n <= 3; n += 1) {
    const noise = await createAccount(sql, { name: `Noise ${n}` });
    await seedAccount(sql, {
      accountId: noise.id,
      sessions: Math.round(options.sessions / 10),
      days: 90,
      until,
      sessionsPerVisitor: 1.8,
      prefix: `n${n}`,
      isTest: n === 3,
    });
  }
  options.log('VACUUM ANALYZE …');
  await sql.unsafe('VACUUM ANALYZE');
  const loadSeconds = (performance.now() - started) / 1000;
  options.log(`loaded in ${loadSeconds.toFixed(0)} s`);
  return { url: url.toString(), sql, accountId: account.id, until, loadSeconds };
}
