import type { Sql } from 'postgres';
import { UNMARKED_WINDOW_MINUTES } from '../reports/rollups.js';

/**
 * One input row of {@link ingestStatement}: a JSON array of these fields, in this order (no keys: a
 * row is ~20 % shorter to send and to parse than the same object). The statement names each position
 * after the column it fills. The statement's input is one array of the rows of all its batches, batch
 * after batch; `tenants.firstRows` says where each batch starts, so a row's batch (which decides its
 * account) is where it stands, never a field of it.
 */
export const INGEST_ROW_FIELDS = [
  'event_id',
  'event_type',
  'visitor_id',
  /** Or null. */
  'session_id',
  'occurred_at',
  /** The event's properties (an object), spliced in as validation serialized them. */
  'properties',
  /** The touch's UTM values and click ids (objects). */
  'initial_utm',
  'click_ids',
  /** Which property holds the landing URL ('url', 'landing_url' or null); read from `properties`. */
  'landing_field',
  /** Whether `properties.referrer` is the referrer (read from `properties` too). */
  'has_referrer',
  'channel',
  'source',
  /** Or null. */
  'referrer_domain',
  /** Or null. */
  'landing_path',
] as const;

/** As an SQL interval (a constant: the statement text, and so its cached plan, stays the same). */
const UNMARKED_WINDOW = `interval '${UNMARKED_WINDOW_MINUTES} minutes'`;

/**
 * Stores one or more batches in ONE statement (one implicit transaction, one round trip), whatever their
 * size. Input: `tenants`, one `{ account_id, is_test }` per batch as bound arrays, and the rows as one
 * jsonb array of rows, batch after batch (see {@link INGEST_ROW_FIELDS}). A row's account and test flag come
 * from the batch it stands in, so no field of an event can place it in another account. Several batches — even of
 * different accounts — can share a statement (group commit); every join and every key includes the
 * account, so tenants never mix.
 *
 * Steps, all set-based:
 *  1. de-duplicate by (account, event_id): the first batch, then the first position, wins;
 *  2. events without a session_id join the visitor's most recent session (stored or in this statement)
 *     when its last activity is at most 30 minutes before the event;
 *  3. insert events ON CONFLICT DO NOTHING — RETURNING tells which are new;
 *  4. upsert visitors and sessions from the NEW events only, so a re-sent event changes nothing;
 *  5. mark the UTC hours whose report rollups changed (`report_dirty_hours`, migration 007).
 *
 * Order independence: started_at/first_seen_at are LEAST, last_* are GREATEST, page_view_count adds new
 * page views only, and the first touch (with its channel and source) is the minimum of the tuple
 * (started_at, visitor_id, landing_url, initial_referrer, initial_utm, click_ids) — a minimum is the same
 * whatever order the events arrive in, and the tuple breaks timestamp ties deterministically. A visitor's
 * first channel/source is the minimum of (occurred_at, channel, source) over its events.
 *
 * Deadlocks: each INSERT reads its rows sorted by key (events by (account, event_id), visitors by
 * (account, visitor_id), sessions by (account, session_id)) and the tables are always written in the same
 * order (events, visitors, sessions), so concurrent statements that share rows lock them in one global order.
 *
 * Answers one row per batch that stored at least one new event: `{ batch, inserted }`.
 */
export function ingestStatement(
  sql: Sql,
  tenants: { accountIds: string[]; isTest: boolean[]; firstRows: number[] },
  rowsJson: string,
) {
  return sql<{ batch: number; inserted: number }[]>`
    WITH tenants AS MATERIALIZED (
      -- The bound arrays, sent as array literals of validated UUIDs, t/f and row numbers (postgres.js's
      -- array inference is not used). Parsed here, once: a text-to-array cast is not constant-folded, and
      -- written in the row expressions below it was parsed again for every row — O(rows × batches).
      SELECT ${`{${tenants.accountIds.join(',')}}`}::text::uuid[] AS account_ids,
        ${`{${tenants.isTest.map((t) => (t ? 't' : 'f')).join(',')}}`}::text::boolean[] AS is_test,
        ${`{${tenants.firstRows.join(',')}}`}::text::bigint[] AS first_rows
    ),
    input AS (
      -- A row's account and test flag are its batch's: subscripts of the bound arrays (1-based).
      SELECT r.batch, r.position, t.account_ids[r.batch + 1] AS account_id, t.is_test[r.batch + 1] AS is_test,
        r.event_id, r.event_type, r.visitor_id, r.session_id, r.occurred_at, r.properties, r.initial_utm,
        r.click_ids,
        CASE r.landing_field WHEN 'url' THEN r.properties->>'url'
                             WHEN 'landing_url' THEN r.properties->>'landing_url' END AS landing_url,
        CASE WHEN r.has_referrer THEN r.properties->>'referrer' END AS initial_referrer,
        r.channel, r.source, r.referrer_domain, r.landing_path
      FROM tenants t, jsonb_array_elements(${rowsJson}::text::jsonb) WITH ORDINALITY AS j(e, n),
      -- The batch a row stands in: the last one that starts at or before it (1-based ordinals).
      LATERAL (SELECT width_bucket(j.n, t.first_rows) - 1 AS batch,
                 j.n::int AS position, (e->>0)::uuid AS event_id,
                 e->>1 AS event_type, e->>2 AS visitor_id, e->>3 AS session_id,
                 (e->>4)::timestamptz AS occurred_at, e->5 AS properties, e->6 AS initial_utm,
                 e->7 AS click_ids, e->>8 AS landing_field, (e->>9)::boolean AS has_referrer,
                 e->>10 AS channel, e->>11 AS source, e->>12 AS referrer_domain, e->>13 AS landing_path) AS r
    ),
    batch AS (
      SELECT DISTINCT ON (account_id, event_id) * FROM input ORDER BY account_id, event_id, batch, position
    ),
    batch_sessions AS (
      SELECT account_id, session_id, visitor_id, min(occurred_at) AS started_at, max(occurred_at) AS last_at
      FROM batch WHERE session_id IS NOT NULL GROUP BY account_id, session_id, visitor_id
    ),
    resolved AS (
      SELECT e.batch, e.account_id, e.is_test, e.event_id, e.event_type, e.visitor_id, e.occurred_at,
        e.properties, e.initial_utm, e.click_ids, e.landing_url, e.initial_referrer,
        e.channel, e.source, e.referrer_domain, e.landing_path,
        COALESCE(e.session_id, (
          SELECT CASE WHEN cand.last_at >= e.occurred_at - interval '30 minutes' THEN cand.session_id END
          FROM (
            SELECT session_id, started_at, last_activity_at AS last_at
              FROM sessions WHERE account_id = e.account_id AND visitor_id = e.visitor_id
            UNION ALL
            SELECT session_id, started_at, last_at FROM batch_sessions bs
              WHERE bs.account_id = e.account_id AND bs.visitor_id = e.visitor_id
          ) cand
          WHERE cand.started_at <= e.occurred_at
          ORDER BY cand.started_at DESC, cand.session_id DESC
          LIMIT 1
        )) AS session_id
      FROM batch e
    ),
    ins AS (
      INSERT INTO events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, properties, is_test)
      SELECT account_id, event_id, visitor_id, session_id, event_type, occurred_at, properties, is_test
      FROM resolved ORDER BY account_id, event_id
      ON CONFLICT (account_id, event_id) DO NOTHING
      RETURNING account_id, event_id
    ),
    fresh AS (
      -- Everything but the properties: they are stored by ins and not needed again.
      SELECT r.batch, r.account_id, r.is_test, r.event_type, r.visitor_id, r.session_id, r.occurred_at,
        r.initial_utm, r.click_ids, r.landing_url, r.initial_referrer,
        r.channel, r.source, r.referrer_domain, r.landing_path
      FROM resolved r JOIN ins ON ins.account_id = r.account_id AND ins.event_id = r.event_id
    ),
    -- One row per visitor: its earliest new event, carrying the visitor's aggregates as window values.
    first_of_visitor AS (
      SELECT DISTINCT ON (account_id, visitor_id) account_id, visitor_id, channel, source,
        min(occurred_at) OVER w AS first_seen_at, max(occurred_at) OVER w AS last_seen_at,
        bool_and(is_test) OVER w AS is_test
      FROM fresh
      WINDOW w AS (PARTITION BY account_id, visitor_id)
      ORDER BY account_id, visitor_id, occurred_at, channel, source
    ),
    vis AS (
      INSERT INTO visitors (account_id, visitor_id, first_seen_at, last_seen_at, is_test, first_channel, first_source)
      SELECT account_id, visitor_id, first_seen_at, last_seen_at, is_test, channel, source
      FROM first_of_visitor ORDER BY account_id, visitor_id
      ON CONFLICT (account_id, visitor_id) DO UPDATE SET
        (first_channel, first_source) = (
          SELECT CASE WHEN f.earlier THEN EXCLUDED.first_channel ELSE visitors.first_channel END,
                 CASE WHEN f.earlier THEN EXCLUDED.first_source ELSE visitors.first_source END
          FROM (SELECT ${earlierVisitor(sql)} AS earlier) f),
        first_seen_at = LEAST(visitors.first_seen_at, EXCLUDED.first_seen_at),
        last_seen_at = GREATEST(visitors.last_seen_at, EXCLUDED.last_seen_at),
        is_test = visitors.is_test AND EXCLUDED.is_test
      RETURNING 1
    ),
    -- One row per session: the first-touch event (DISTINCT ON picks the minimum touch tuple) carrying the
    -- session's aggregates as window values. One sort, no self-join: a join here is planned as a nested
    -- loop (the planner guesses 1 row for fresh) and turns quadratic on grouped statements.
    touch AS (
      SELECT DISTINCT ON (account_id, session_id) account_id, session_id, visitor_id, occurred_at,
        initial_utm, click_ids, landing_url, initial_referrer, channel, source, referrer_domain, landing_path,
        max(occurred_at) OVER w AS last_at,
        (count(*) FILTER (WHERE event_type = 'page_view') OVER w)::int AS page_views,
        bool_and(is_test) OVER w AS is_test
      FROM fresh WHERE session_id IS NOT NULL
      WINDOW w AS (PARTITION BY account_id, session_id)
      ORDER BY account_id, session_id, occurred_at, visitor_id, COALESCE(landing_url, ''),
        COALESCE(initial_referrer, ''), initial_utm, click_ids
    ),
    ses AS (
      INSERT INTO sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count,
                            initial_utm, initial_referrer, landing_url, click_ids, is_test,
                            channel, source, referrer_domain, landing_path)
      SELECT account_id, session_id, visitor_id, occurred_at, last_at, page_views, initial_utm, initial_referrer,
        landing_url, click_ids, is_test, channel, source, referrer_domain, landing_path
      FROM touch ORDER BY account_id, session_id
      ON CONFLICT (account_id, session_id) DO UPDATE SET
        -- The first touch moves as one: the comparison is made once per row (f.earlier), not per column.
        (visitor_id, initial_utm, initial_referrer, landing_url, click_ids, channel, source, referrer_domain, landing_path) = (
          SELECT CASE WHEN f.earlier THEN EXCLUDED.visitor_id ELSE sessions.visitor_id END,
                 CASE WHEN f.earlier THEN EXCLUDED.initial_utm ELSE sessions.initial_utm END,
                 CASE WHEN f.earlier THEN EXCLUDED.initial_referrer ELSE sessions.initial_referrer END,
                 CASE WHEN f.earlier THEN EXCLUDED.landing_url ELSE sessions.landing_url END,
                 CASE WHEN f.earlier THEN EXCLUDED.click_ids ELSE sessions.click_ids END,
                 CASE WHEN f.earlier THEN EXCLUDED.channel ELSE sessions.channel END,
                 CASE WHEN f.earlier THEN EXCLUDED.source ELSE sessions.source END,
                 CASE WHEN f.earlier THEN EXCLUDED.referrer_domain ELSE sessions.referrer_domain END,
                 CASE WHEN f.earlier THEN EXCLUDED.landing_path ELSE sessions.landing_path END
          FROM (SELECT ${earlier(sql)} AS earlier) f),
        started_at = LEAST(sessions.started_at, EXCLUDED.started_at),
        last_activity_at = GREATEST(sessions.last_activity_at, EXCLUDED.last_activity_at),
        page_view_count = sessions.page_view_count + EXCLUDED.page_view_count,
        is_test = sessions.is_test AND EXCLUDED.is_test
      RETURNING account_id, started_at, last_activity_at
    ),
    -- The UTC hours whose report rollups this statement changes (see migration 007): for each upserted
    -- session, every hour from its start to its last activity — which holds the hour it starts in now
    -- and the one it started in before (a start only moves earlier, and never past the last activity) —
    -- read from ses's RETURNING, so no extra lookup; and every session hour of a visitor whose first
    -- touch moves earlier (their first_channel/first_source change; rare: out-of-order arrivals). Hours in
    -- the last UNMARKED_WINDOW_MINUTES before now() are left out: no day that holds them is built until
    -- every statement that started by then has committed (refreshReportRollups' horizon), so in-order
    -- traffic marks nothing and looks no visitor up. A session or a visitor whose new start is inside the
    -- window has all its hours, old and new, inside it. Sorted inserts, like the tables above, so
    -- concurrent statements cannot deadlock on the same marks.
    marks AS (
      INSERT INTO report_dirty_hours (account_id, hour)
      SELECT DISTINCT account_id, hour FROM (
        SELECT ses.account_id, h.hour
        FROM ses, generate_series(date_trunc('hour', ses.started_at, 'UTC'),
                                  date_trunc('hour', ses.last_activity_at, 'UTC'), interval '1 hour') AS h(hour)
        WHERE ses.started_at < now() - ${sql.unsafe(UNMARKED_WINDOW)}
        UNION ALL
        SELECT s.account_id, date_trunc('hour', s.started_at, 'UTC')
        FROM first_of_visitor f
        JOIN visitors v ON v.account_id = f.account_id AND v.visitor_id = f.visitor_id
          AND (f.first_seen_at, f.channel, f.source) < (v.first_seen_at, v.first_channel, v.first_source)
        JOIN sessions s ON s.account_id = v.account_id AND s.visitor_id = v.visitor_id
        WHERE f.first_seen_at < now() - ${sql.unsafe(UNMARKED_WINDOW)}
      ) h
      WHERE h.hour < now() - ${sql.unsafe(UNMARKED_WINDOW)}
      ORDER BY account_id, hour
      ON CONFLICT (account_id, hour) DO NOTHING
    ),
    counted AS (
      SELECT batch, count(*)::int AS inserted FROM fresh GROUP BY batch
    )
    -- Referencing vis and ses here fixes their execution order (after ins, visitors before sessions).
    SELECT counted.batch, counted.inserted, (SELECT count(*) FROM vis) AS visitors,
      (SELECT count(*) FROM ses) AS sessions
    FROM counted`;
}

// Is the incoming first touch earlier than the stored one? Same tuple order as the DISTINCT ON above.
// Channel, source, referrer domain and landing path are functions of the tuple, so they need no place in it.
const earlier = (sql: Sql) => sql`
  (EXCLUDED.started_at, EXCLUDED.visitor_id, COALESCE(EXCLUDED.landing_url, ''),
   COALESCE(EXCLUDED.initial_referrer, ''), EXCLUDED.initial_utm, EXCLUDED.click_ids)
  < (sessions.started_at, sessions.visitor_id, COALESCE(sessions.landing_url, ''),
   COALESCE(sessions.initial_referrer, ''), sessions.initial_utm, sessions.click_ids)`;

// Is the incoming visitor's first event earlier than the stored one? Same order as first_of_visitor.
const earlierVisitor = (sql: Sql) => sql`
  (EXCLUDED.first_seen_at, EXCLUDED.first_channel, EXCLUDED.first_source)
  < (visitors.first_seen_at, visitors.first_channel, visitors.first_source)`;
