import type { Sql } from 'postgres';

/**
 * Stores one or more batches in ONE statement (one implicit transaction, one round trip), whatever their
 * size. The input is a single jsonb array of rows:
 *   { b: batch number, i: index in batch, a: account_id, x: is_test, id: event_id, t: event_type,
 *     v: visitor_id, s: session_id, at: occurred_at, p: properties, u: utm, c: click_ids,
 *     ku: landing URL is p.url, kr: referrer is p.referrer }
 * Several batches — even of different accounts — can share a statement (group commit); every join and
 * every key includes the account, so tenants never mix.
 *
 * Steps, all set-based:
 *  1. de-duplicate by (account, event_id): the first batch, then the first position, wins;
 *  2. events without a session_id join the visitor's most recent session (stored or in this statement)
 *     when its last activity is at most 30 minutes before the event;
 *  3. insert events ON CONFLICT DO NOTHING — RETURNING tells which are new;
 *  4. upsert visitors and sessions from the NEW events only, so a re-sent event changes nothing.
 *
 * Order independence: started_at/first_seen_at are LEAST, last_* are GREATEST, page_view_count adds new
 * page views only, and the first touch is the minimum of the tuple
 * (started_at, visitor_id, landing_url, initial_referrer, initial_utm, click_ids) — a minimum is the same
 * whatever order the events arrive in, and the tuple breaks timestamp ties deterministically.
 *
 * Deadlocks: each INSERT reads its rows sorted by key (events by (account, event_id), visitors by
 * (account, visitor_id), sessions by (account, session_id)) and the tables are always written in the same
 * order (events, visitors, sessions), so concurrent statements that share rows lock them in one global order.
 *
 * Answers one row per batch that stored at least one new event: `{ b, inserted }`.
 */
export function ingestStatement(sql: Sql, rowsJson: string) {
  return sql<{ b: number; inserted: number }[]>`
    WITH input AS (
      SELECT r.b, r.i, r.a, r.x, r.id, r.t, r.v, r.s, r.at, r.p, r.u, r.c,
        CASE WHEN r.ku THEN r.p->>'url' END AS url, CASE WHEN r.kr THEN r.p->>'referrer' END AS ref
      FROM jsonb_to_recordset(${rowsJson}::text::jsonb) AS r(
        b int, i int, a uuid, x boolean, id uuid, t text, v text, s text, at timestamptz,
        p jsonb, u jsonb, c jsonb, ku boolean, kr boolean)
    ),
    batch AS (
      SELECT DISTINCT ON (a, id) * FROM input ORDER BY a, id, b, i
    ),
    batch_sessions AS (
      SELECT a, s, v, min(at) AS started_at, max(at) AS last_at
      FROM batch WHERE s IS NOT NULL GROUP BY a, s, v
    ),
    resolved AS (
      SELECT e.b, e.a, e.x, e.id, e.t, e.v, e.at, e.p, e.u, e.c, e.url, e.ref,
        COALESCE(e.s, (
          SELECT CASE WHEN cand.last_at >= e.at - interval '30 minutes' THEN cand.s END
          FROM (
            SELECT session_id AS s, started_at, last_activity_at AS last_at
              FROM sessions WHERE account_id = e.a AND visitor_id = e.v
            UNION ALL
            SELECT s, started_at, last_at FROM batch_sessions bs WHERE bs.a = e.a AND bs.v = e.v
          ) cand
          WHERE cand.started_at <= e.at
          ORDER BY cand.started_at DESC, cand.s DESC
          LIMIT 1
        )) AS s
      FROM batch e
    ),
    ins AS (
      INSERT INTO events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, properties, is_test)
      SELECT a, id, v, s, t, at, p, x FROM resolved ORDER BY a, id
      ON CONFLICT (account_id, event_id) DO NOTHING
      RETURNING account_id, event_id
    ),
    fresh AS (
      -- Everything but the properties: they are stored by ins and not needed again.
      SELECT r.b, r.a, r.x, r.t, r.v, r.s, r.at, r.u, r.c, r.url, r.ref
      FROM resolved r JOIN ins ON ins.account_id = r.a AND ins.event_id = r.id
    ),
    vis AS (
      INSERT INTO visitors (account_id, visitor_id, first_seen_at, last_seen_at, is_test)
      SELECT a, v, min(at), max(at), bool_and(x) FROM fresh GROUP BY a, v ORDER BY a, v
      ON CONFLICT (account_id, visitor_id) DO UPDATE SET
        first_seen_at = LEAST(visitors.first_seen_at, EXCLUDED.first_seen_at),
        last_seen_at = GREATEST(visitors.last_seen_at, EXCLUDED.last_seen_at),
        is_test = visitors.is_test AND EXCLUDED.is_test
      RETURNING 1
    ),
    -- One row per session: the first-touch event (DISTINCT ON picks the minimum touch tuple) carrying the
    -- session's aggregates as window values. One sort, no self-join: a join here is planned as a nested
    -- loop (the planner guesses 1 row for fresh) and turns quadratic on grouped statements.
    touch AS (
      SELECT DISTINCT ON (a, s) a, s, v, at, u, c, url, ref,
        max(at) OVER w AS last_at,
        (count(*) FILTER (WHERE t = 'page_view') OVER w)::int AS pv,
        bool_and(x) OVER w AS x
      FROM fresh WHERE s IS NOT NULL
      WINDOW w AS (PARTITION BY a, s)
      ORDER BY a, s, at, v, COALESCE(url, ''), COALESCE(ref, ''), u, c
    ),
    ses AS (
      INSERT INTO sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count,
                            initial_utm, initial_referrer, landing_url, click_ids, is_test)
      SELECT a, s, v, at, last_at, pv, u, ref, url, c, x FROM touch ORDER BY a, s
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
    ),
    counted AS (
      SELECT b, count(*)::int AS inserted FROM fresh GROUP BY b
    )
    -- Referencing vis and ses here fixes their execution order (after ins, visitors before sessions).
    SELECT counted.b, counted.inserted, (SELECT count(*) FROM vis) AS visitors, (SELECT count(*) FROM ses) AS sessions
    FROM counted`;
}

// Is the incoming first touch earlier than the stored one? Same tuple order as the DISTINCT ON above.
const earlier = (sql: Sql) => sql`
  (EXCLUDED.started_at, EXCLUDED.visitor_id, COALESCE(EXCLUDED.landing_url, ''),
   COALESCE(EXCLUDED.initial_referrer, ''), EXCLUDED.initial_utm, EXCLUDED.click_ids)
  < (sessions.started_at, sessions.visitor_id, COALESCE(sessions.landing_url, ''),
   COALESCE(sessions.initial_referrer, ''), sessions.initial_utm, sessions.click_ids)`;
