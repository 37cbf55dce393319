DROP INDEX session_events_by_position;
ALTER TABLE session_events DROP COLUMN position;
