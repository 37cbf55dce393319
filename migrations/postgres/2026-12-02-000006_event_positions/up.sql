-- The event stream reads events in the order they became visible: their position. SQLite has one writer,
-- so there the position is the id. Here transactions run side by side and can commit out of id order: a
-- reader that has seen id 11 could later find id 10 committed behind it, and never send it. So the app
-- gives events their positions after commit, in order:
--   * each event records the transaction that wrote it (tx; the top-level transaction even inside a
--     savepoint), and is NULL-positioned until placed;
--   * under an advisory lock (one placer at a time), in READ COMMITTED, it places the events whose
--     transactions are all finished, tx < pg_snapshot_xmin(pg_current_snapshot()): every transaction
--     still running, and so every event still to come, has a tx at or above that bound. They get the
--     next positions in (tx, id) order, and session_event_positions.last moves to the highest one;
--   * readers read by position (WHERE position > last seen ORDER BY position), so what they have seen
--     never gains an event behind it.
-- A transaction left open holds back the placing of every event written after it began, until it ends.
ALTER TABLE session_events ADD COLUMN position BIGINT;
ALTER TABLE session_events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE UNIQUE INDEX session_events_by_position ON session_events (position);
-- The placer's question, "which events wait for a position, in what order?", reads only this small index.
CREATE INDEX session_events_unplaced ON session_events (tx, id) WHERE position IS NULL;

-- The last position given; one row.
CREATE TABLE session_event_positions (
    last BIGINT NOT NULL
);
INSERT INTO session_event_positions (last) VALUES (0);
