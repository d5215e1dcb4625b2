-- Reports read sessions through one covering index: every report filters account_id and is_test, ranges
-- over started_at, and reads only the columns INCLUDEd here, so a report of N sessions is an index-only
-- scan of N narrow index tuples instead of N heap rows (the heap row carries the JSON touch, URLs and
-- fillfactor space). It replaces (account_id, started_at). Session updates were already non-HOT (the
-- visitor index holds last_activity_at), so this costs one wider index entry per update, not HOT updates.
-- visitor_key: a 64-bit hash of visitor_id, so distinct visitors are counted over fixed-width integers
-- (a collision merges two of ~2^32 visitors at the earliest: far below a count's precision).
ALTER TABLE sessions ADD COLUMN visitor_key bigint GENERATED ALWAYS AS (hashtextextended(visitor_id, 0)) STORED;
CREATE INDEX sessions_reporting ON sessions (account_id, is_test, started_at)
  INCLUDE (visitor_key, page_view_count, channel, source, referrer_domain, landing_path,
           utm_source, utm_medium, utm_campaign, utm_content, utm_term);
DROP INDEX sessions_account_started_at;

-- Conversions (events of a type in the report's sessions) read session_id and is_test from the index.
CREATE INDEX events_account_type_occurred_at_v2 ON events (account_id, event_type, occurred_at)
  INCLUDE (session_id, is_test);
DROP INDEX events_account_type_occurred_at;
ALTER INDEX events_account_type_occurred_at_v2 RENAME TO events_account_type_occurred_at;
