-- The event types of an account's test data (GET /api/v1/event-types?environment=test) by a loose index
-- scan. The events index on (account_id, event_type, occurred_at) has is_test only as an INCLUDE column:
-- a skip scan for test types steps over every live entry between two test ones — seconds on an account
-- with millions of live events and a few test ones. This partial index holds test events only, so the
-- test types are one descent per type; live traffic (nearly all writes) does not touch it.
CREATE INDEX events_account_test_type ON events (account_id, event_type) WHERE is_test;
