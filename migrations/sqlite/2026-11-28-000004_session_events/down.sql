DROP TRIGGER session_events_delivery;
DROP TRIGGER session_events_changed;
DROP TRIGGER session_events_opened;
DROP TABLE session_events;
