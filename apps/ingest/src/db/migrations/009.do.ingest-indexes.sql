-- Fewer index entries per stored page view (bench:ingest, issue 8: the reporting work must not cost the
-- write path more than 10 %). B-tree work is the largest part of Postgres' time per batch.
--
-- 1. Nothing reads events by (account_id, session_id): reports find a session's events by type and time
--    (events_account_type_occurred_at INCLUDE session_id), the rollup build by time. One index entry less
--    per event, and the most random one (session ids arrive in no order).
DROP INDEX events_account_session;

-- 2. Session updates become HOT (heap-only: no new entry in any index) when they change no indexed
--    column. A later page view of a session changes last_activity_at and page_view_count, which were in
--    two indexes: the visitor lookup (account_id, visitor_id, last_activity_at) and the reports' covering
--    index (… INCLUDE page_view_count …). The lookup (the latest session of a visitor that started before
--    an event without session_id) is served as well by started_at, which a later page view does not
--    change; and reports read page_view_count from the heap: with rollups (migration 007), only the
--    sessions of today and of days with late data come from sessions at all. In-order traffic, where
--    every page view but a session's first is an update, writes one heap tuple per update instead of a
--    heap tuple and three index entries.
CREATE INDEX sessions_account_visitor_started ON sessions (account_id, visitor_id, started_at);
DROP INDEX sessions_account_visitor_last_activity;

CREATE INDEX sessions_reporting_v2 ON sessions (account_id, is_test, started_at)
  INCLUDE (visitor_key, channel, source, referrer_domain, landing_path,
           utm_source, utm_medium, utm_campaign, utm_content, utm_term);
DROP INDEX sessions_reporting;
ALTER INDEX sessions_reporting_v2 RENAME TO sessions_reporting;
