DROP TABLE session_event_positions;
DROP INDEX session_events_unplaced;
DROP INDEX session_events_by_position;
ALTER TABLE session_events DROP COLUMN tx;
ALTER TABLE session_events DROP COLUMN position;
