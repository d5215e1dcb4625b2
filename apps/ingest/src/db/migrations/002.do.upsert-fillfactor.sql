-- Room on every heap page for the next version of a row: visitors and sessions are mostly updated
-- (every batch upserts the rows of its visitors and sessions), and an update that finds space on its own
-- page and changes no indexed column is a HOT update — no new index entries, less WAL, and the old
-- version is pruned in place without waiting for vacuum. Applies to pages written from now on.
ALTER TABLE visitors SET (fillfactor = 90);
ALTER TABLE sessions SET (fillfactor = 80);
