import { parseQuery, runQuery } from '@mbuzz/ingest';
import postgres from 'postgres';

/**
 * `node --import tsx reports/explain.ts '<query JSON>'`: EXPLAIN (ANALYZE, BUFFERS) of every statement a
 * report query runs against the bench:reports database — the plans quoted in bench/README.md.
 */
const url = process.env.BENCH_REPORTS_URL ?? 'postgres://postgres@127.0.0.1:5432/mbuzz_bench_reports';
const statements: Array<{ text: string; params: unknown[] }> = [];
const sql = postgres(url, {
  max: 1,
  onnotice: () => {},
  debug: (_connection, text, params) => {
    if (/^\s*(WITH|SELECT)/i.test(text)) statements.push({ text, params: params as unknown[] });
  },
});
const [account] = await sql<{ id: string; until: Date }[]>`
  SELECT id, (settings->>'bench_until')::timestamptz AS until FROM accounts WHERE slug = 'bench'`;
if (!account) throw new Error('no bench account: run pnpm bench:reports first');
const plan = parseQuery(JSON.parse(process.argv[2] ?? '{"metrics":["visitors"]}'));
statements.length = 0;
await runQuery(sql, { accountId: account.id, isTest: false, accountTimeZone: null }, plan, account.until);
const run = statements.splice(0);
for (const { text, params } of run) {
  const rows = await sql.begin(async (tx) => {
    await tx.unsafe("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off").simple();
    return tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params as never[]);
  });
  console.log(rows.map((r) => r['QUERY PLAN']).join('\n'), '\n');
}
await sql.end();
