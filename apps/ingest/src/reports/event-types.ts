import type { Sql } from 'postgres';
import type { QueryScope } from './run-query.js';

/** At most this many event types are listed (in name order). */
export const MAX_EVENT_TYPES = 1000;

/**
 * The distinct event types the account has stored in one environment, in name order: a loose index scan
 * ("skip scan") of events (account_id, event_type, occurred_at) INCLUDE (session_id, is_test). Each
 * step of the recursive CTE descends the index once to the first entry after the previous type, so the
 * work grows with the number of types, not of events. `is_test` is read from the index entry; entries
 * of the other environment are stepped over one by one, so asking for the rarer environment of an
 * account reads the other one's entries up to each match (docs/architecture.md).
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
  return sql`
    WITH RECURSIVE types (event_type, n) AS (
      (SELECT event_type, 1 FROM events
       WHERE account_id = ${scope.accountId} AND is_test = ${scope.isTest}
       ORDER BY event_type LIMIT 1)
      UNION ALL
      SELECT (SELECT e.event_type FROM events e
              WHERE e.account_id = ${scope.accountId} AND e.is_test = ${scope.isTest}
                AND e.event_type > types.event_type
              ORDER BY e.event_type LIMIT 1),
             types.n + 1
      FROM types
      WHERE types.event_type IS NOT NULL AND types.n < ${MAX_EVENT_TYPES}
    )
    SELECT event_type FROM types WHERE event_type IS NOT NULL ORDER BY n`;
}
