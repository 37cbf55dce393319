DROP TRIGGER session_events_delivery ON kill_deliveries;
DROP TRIGGER session_events_changed ON sessions;
DROP TRIGGER session_events_opened ON sessions;
DROP FUNCTION session_events_delivery();
DROP FUNCTION session_events_changed();
DROP FUNCTION session_events_opened();
DROP TABLE session_events;
