-- The event stream reads events in the order they became visible: their position. SQLite has one writer,
-- so events become visible in id order and the position is the id itself (PostgreSQL assigns positions
-- after commit instead; see its migration).
ALTER TABLE session_events ADD COLUMN position BIGINT GENERATED ALWAYS AS (id) VIRTUAL;
CREATE UNIQUE INDEX session_events_by_position ON session_events (position);
