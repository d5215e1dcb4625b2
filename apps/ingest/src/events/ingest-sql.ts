import type { Sql } from 'postgres';

/**
 * Stores one batch in ONE statement (so one implicit transaction and one round trip), whatever its size.
 * The batch arrives as a single jsonb array (`$batch`) of rows:
 *   { i, id, t: event_type, v: visitor_id, s: session_id, at, p: properties, u: utm, c: click_ids, url, ref }
 *
 * Steps, all set-based:
 *  1. de-duplicate by event_id (first in the batch wins);
 *  2. events without a session_id join the visitor's most recent session (stored or in this batch) when
 *     its last activity is at most 30 minutes before the event;
 *  3. insert events ON CONFLICT DO NOTHING — RETURNING tells which are new;
 *  4. upsert visitors and sessions from the NEW events only, so a re-sent event changes nothing.
 *
 * Order independence: started_at/first_seen_at are LEAST, last_* are GREATEST, page_view_count adds new
 * page views only, and the first touch is the minimum of the tuple
 * (started_at, visitor_id, landing_url, initial_referrer, initial_utm, click_ids) — a minimum is the same
 * whatever order the events arrive in, and the tuple breaks timestamp ties deterministically.
 *
 * Deadlocks: each INSERT reads its rows sorted by key (events by event_id, visitors by visitor_id,
 * sessions by session_id) and the tables are always written in the same order, so concurrent batches
 * that share rows acquire their locks in one global order.
 */
export function ingestStatement(sql: Sql, input: { accountId: string; isTest: boolean; batchJson: string }) {
  const { accountId, isTest, batchJson } = input;
  return sql<{ inserted: number }[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${batchJson}::text::jsonb)
        AS x(i int, id uuid, t text, v text, s text, at timestamptz, p jsonb, u jsonb, c jsonb, url text, ref text)
    ),
    batch AS (
      SELECT DISTINCT ON (id) * FROM input ORDER BY id, i
    ),
    batch_sessions AS (
      SELECT s, v, min(at) AS started_at, max(at) AS last_at FROM batch WHERE s IS NOT NULL GROUP BY s, v
    ),
    resolved AS (
      SELECT b.id, b.t, b.v, b.at, b.p, b.u, b.c, b.url, b.ref,
        COALESCE(b.s, (
          SELECT CASE WHEN cand.last_at >= b.at - interval '30 minutes' THEN cand.s END
          FROM (
            SELECT session_id AS s, started_at, last_activity_at AS last_at
              FROM sessions WHERE account_id = ${accountId}::uuid AND visitor_id = b.v
            UNION ALL
            SELECT s, started_at, last_at FROM batch_sessions WHERE v = b.v
          ) cand
          WHERE cand.started_at <= b.at
          ORDER BY cand.started_at DESC, cand.s DESC
          LIMIT 1
        )) AS s
      FROM batch b
    ),
    ins AS (
      INSERT INTO events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, properties, is_test)
      SELECT ${accountId}::uuid, id, v, s, t, at, p, ${isTest}::boolean FROM resolved ORDER BY id
      ON CONFLICT (account_id, event_id) DO NOTHING
      RETURNING event_id
    ),
    fresh AS (
      SELECT r.* FROM resolved r JOIN ins ON ins.event_id = r.id
    ),
    vis AS (
      INSERT INTO visitors (account_id, visitor_id, first_seen_at, last_seen_at, is_test)
      SELECT ${accountId}::uuid, v, min(at), max(at), ${isTest}::boolean FROM fresh GROUP BY v ORDER BY v
      ON CONFLICT (account_id, visitor_id) DO UPDATE SET
        first_seen_at = LEAST(visitors.first_seen_at, EXCLUDED.first_seen_at),
        last_seen_at = GREATEST(visitors.last_seen_at, EXCLUDED.last_seen_at),
        is_test = visitors.is_test AND EXCLUDED.is_test
      RETURNING 1
    ),
    touch AS (
      SELECT DISTINCT ON (s) s, v, at, u, c, url, ref FROM fresh WHERE s IS NOT NULL
      ORDER BY s, at, v, COALESCE(url, ''), COALESCE(ref, ''), u, c
    ),
    agg AS (
      SELECT s, max(at) AS last_at, count(*) FILTER (WHERE t = 'page_view')::int AS pv
      FROM fresh WHERE s IS NOT NULL GROUP BY s
    ),
    ses AS (
      INSERT INTO sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count,
                            initial_utm, initial_referrer, landing_url, click_ids, is_test)
      SELECT ${accountId}::uuid, touch.s, touch.v, touch.at, agg.last_at, agg.pv,
             touch.u, touch.ref, touch.url, touch.c, ${isTest}::boolean
      FROM touch JOIN agg ON agg.s = touch.s ORDER BY touch.s
      ON CONFLICT (account_id, session_id) DO UPDATE SET
        visitor_id = CASE WHEN ${earlier(sql)} THEN EXCLUDED.visitor_id ELSE sessions.visitor_id END,
        initial_utm = CASE WHEN ${earlier(sql)} THEN EXCLUDED.initial_utm ELSE sessions.initial_utm END,
        initial_referrer = CASE WHEN ${earlier(sql)} THEN EXCLUDED.initial_referrer ELSE sessions.initial_referrer END,
        landing_url = CASE WHEN ${earlier(sql)} THEN EXCLUDED.landing_url ELSE sessions.landing_url END,
        click_ids = CASE WHEN ${earlier(sql)} THEN EXCLUDED.click_ids ELSE sessions.click_ids END,
        started_at = LEAST(sessions.started_at, EXCLUDED.started_at),
        last_activity_at = GREATEST(sessions.last_activity_at, EXCLUDED.last_activity_at),
        page_view_count = sessions.page_view_count + EXCLUDED.page_view_count,
        is_test = sessions.is_test AND EXCLUDED.is_test
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM ins) AS inserted,
           (SELECT count(*)::int FROM vis) AS visitors,
           (SELECT count(*)::int FROM ses) AS sessions`;
}

// Is the incoming first touch earlier than the stored one? Same tuple order as the DISTINCT ON above.
const earlier = (sql: Sql) => sql`
  (EXCLUDED.started_at, EXCLUDED.visitor_id, COALESCE(EXCLUDED.landing_url, ''),
   COALESCE(EXCLUDED.initial_referrer, ''), EXCLUDED.initial_utm, EXCLUDED.click_ids)
  < (sessions.started_at, sessions.visitor_id, COALESCE(sessions.landing_url, ''),
   COALESCE(sessions.initial_referrer, ''), sessions.initial_utm, sessions.click_ids)`;
