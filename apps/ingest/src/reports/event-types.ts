import type { Sql } from 'postgres';
import type { QueryScope } from './run-query.js';

/** At most this many event types are listed (in name order). */
export const MAX_EVENT_TYPES = 1000;

/**
 * The distinct event types the account has stored in one environment, in name order: a loose index scan
 * ("skip scan"). Each step of the recursive CTE descends an index once to the first entry after the
 * previous type, so the work grows with the number of types, not of events. Test data is read from the
 * partial index events (account_id, event_type) WHERE is_test (migration 006); live data from events
 * (account_id, event_type, occurred_at) INCLUDE (session_id, is_test), stepping over the test entries
 * between two live ones (few: test traffic is small). `is_test` is written as a literal predicate, not a
 * parameter, so the planner can prove the partial index applies.
 *
 * @example
 * await eventTypes(sql, { accountId, isTest: false }); // ['add_to_cart', 'page_view', 'signup']
 */
export async function eventTypes(
  sql: Sql,
  scope: Pick<QueryScope, 'accountId' | 'isTest'>,
): Promise<string[]> {
  const rows = (await eventTypesStatement(sql, scope)) as unknown as { event_type: string }[];
  return rows.map((row) => row.event_type);
}

/** The statement of {@link eventTypes}, for EXPLAIN in tests and benches. */
export function eventTypesStatement(sql: Sql, scope: Pick<QueryScope, 'accountId' | 'isTest'>) {
  const environment = scope.isTest ? sql`e.is_test` : sql`NOT e.is_test`;
  return sql`
    WITH RECURSIVE types (event_type, n) AS (
      (SELECT e.event_type, 1 FROM events e
       WHERE e.account_id = ${scope.accountId} AND ${environment}
       ORDER BY e.event_type LIMIT 1)
      UNION ALL
      SELECT (SELECT e.event_type FROM events e
              WHERE e.account_id = ${scope.accountId} AND ${environment} AND e.event_type > types.event_type
              ORDER BY e.event_type LIMIT 1),
             types.n + 1
      FROM types
      WHERE types.event_type IS NOT NULL AND types.n < ${MAX_EVENT_TYPES}
    )
    SELECT event_type FROM types WHERE event_type IS NOT NULL ORDER BY n`;
}
