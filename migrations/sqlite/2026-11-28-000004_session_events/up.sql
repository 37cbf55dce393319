-- The log of session changes that `GET /api/v1/events` streams, filled by triggers so that no write path
-- can forget it. AUTOINCREMENT: an id is never reused, so a client's Last-Event-ID always means the same
-- point in the log. Events older than an hour are deleted by the server now and then.
CREATE TABLE session_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'changed'))
);
-- The clean-up's question, "which events are older than an hour?"; readers walk the primary key.
CREATE INDEX session_events_by_at ON session_events (at);

-- Sessions the broker reports. Demo and imported sessions (no broker id) are inserted in bulk and make no
-- events; the WHEN clause is all they pay.
CREATE TRIGGER session_events_opened AFTER INSERT ON sessions
WHEN NEW.broker_session_id IS NOT NULL
BEGIN
    INSERT INTO session_events (at, session_id, kind) VALUES (unixepoch(), NEW.id, 'opened');
END;

-- Ended, killed, gone silent, heard from again. A heartbeat that leaves the status as it was changes
-- nothing, so it makes no event.
CREATE TRIGGER session_events_changed AFTER UPDATE OF status, end_time, killed_by ON sessions
WHEN OLD.status IS NOT NEW.status
    OR OLD.end_time IS NOT NEW.end_time
    OR OLD.killed_by IS NOT NEW.killed_by
BEGIN
    INSERT INTO session_events (at, session_id, kind) VALUES (unixepoch(), NEW.id, 'changed');
END;

-- A kill's delivery to the broker moving on (delivered, failed, retried) changes what the session shows.
CREATE TRIGGER session_events_delivery AFTER UPDATE OF state, attempts ON kill_deliveries
WHEN OLD.state IS NOT NEW.state OR OLD.attempts IS NOT NEW.attempts
BEGIN
    INSERT INTO session_events (at, session_id, kind) VALUES (unixepoch(), NEW.session_id, 'changed');
END;
