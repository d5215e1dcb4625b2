import type { Sql } from 'postgres';
import type { QueryScope } from './run-query.js';

export interface RecentEvent {
  event_id: string;
  event_type: string;
  occurred_at: string;
  visitor_id: string;
  session_id: string | null;
  path: string | null;
  url: string | null;
  properties: Record<string, unknown>;
  /** The session's channel and source (its first touch); null for an event without a session. */
  channel: string | null;
  source: string | null;
}

export const MAX_RECENT_EVENTS = 200;

/**
 * The account's latest events (test or live data by the caller's key), newest first, each with its
 * session's channel and source: the dashboard's live view. An index scan backwards on
 * (account_id, occurred_at) that stops after `limit` rows.
 */
export async function recentEvents(sql: Sql, scope: Pick<QueryScope, 'accountId' | 'isTest'>, limit: number) {
  const rows = await sql<(Omit<RecentEvent, 'occurred_at'> & { occurred_at: Date })[]>`
    SELECT e.event_id, e.event_type, e.occurred_at, e.visitor_id, e.session_id,
      e.properties->>'path' AS path, e.properties->>'url' AS url, e.properties, s.channel, s.source
    FROM events e
    LEFT JOIN sessions s ON s.account_id = e.account_id AND s.session_id = e.session_id
    WHERE e.account_id = ${scope.accountId} AND e.is_test = ${scope.isTest}
    ORDER BY e.occurred_at DESC, e.event_id DESC
    LIMIT ${limit}`;
  return rows.map((row) => ({ ...row, occurred_at: row.occurred_at.toISOString() }));
}
