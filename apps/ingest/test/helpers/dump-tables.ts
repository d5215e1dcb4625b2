import type { Sql } from 'postgres';

/**
 * Every stored row of one account's visitors, sessions and events, in key order, as plain JSON.
 * `received_at` is left out: it is the time of the write, the one column that legitimately differs.
 */
export async function dumpTables(sql: Sql, accountId: string) {
  const [visitors, sessions, events] = await Promise.all([
    sql`SELECT * FROM visitors WHERE account_id = ${accountId} ORDER BY visitor_id`,
    sql`SELECT * FROM sessions WHERE account_id = ${accountId} ORDER BY session_id`,
    sql`SELECT account_id, event_id, visitor_id, session_id, event_type, occurred_at, properties, is_test
        FROM events WHERE account_id = ${accountId} ORDER BY event_id`,
  ]);
  return JSON.parse(JSON.stringify({ visitors, sessions, events }));
}
