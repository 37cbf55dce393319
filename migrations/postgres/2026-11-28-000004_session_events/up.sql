-- The log of session changes that `GET /api/v1/events` streams, filled by triggers so that no write path
-- can forget it. The id comes from a sequence, which never hands out a value twice, so an id always means
-- the same event (but ids may commit out of order here: see the event_positions migration). Events older
-- than an hour are deleted by the server now and then.
CREATE TABLE session_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'changed'))
);
-- The clean-up's question, "which events are older than an hour?"; readers walk the primary key.
CREATE INDEX session_events_by_at ON session_events (at);

-- Each function appends one event and wakes the streams' listeners. NOTIFY is delivered at commit, and
-- identical notifications of one transaction are folded into one, so a bulk change wakes them once.
-- `at` is unixepoch(): whole seconds of the statement's time, as SQLite's 'now' is per statement.
CREATE FUNCTION session_events_opened() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_events (at, session_id, kind)
    VALUES (floor(extract(epoch FROM statement_timestamp()))::bigint, NEW.id, 'opened');
    PERFORM pg_notify('session_events', '');
    RETURN NULL;
END;
$$;

CREATE FUNCTION session_events_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_events (at, session_id, kind)
    VALUES (floor(extract(epoch FROM statement_timestamp()))::bigint, NEW.id, 'changed');
    PERFORM pg_notify('session_events', '');
    RETURN NULL;
END;
$$;

CREATE FUNCTION session_events_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_events (at, session_id, kind)
    VALUES (floor(extract(epoch FROM statement_timestamp()))::bigint, NEW.session_id, 'changed');
    PERFORM pg_notify('session_events', '');
    RETURN NULL;
END;
$$;

-- Sessions the broker reports. Demo and imported sessions (no broker id) are inserted in bulk and make no
-- events; the WHEN clause is all they pay.
CREATE TRIGGER session_events_opened AFTER INSERT ON sessions
FOR EACH ROW WHEN (NEW.broker_session_id IS NOT NULL)
EXECUTE FUNCTION session_events_opened();

-- Ended, killed, gone silent, heard from again. A heartbeat that leaves the status as it was changes
-- nothing, so it makes no event.
CREATE TRIGGER session_events_changed AFTER UPDATE OF status, end_time, killed_by ON sessions
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.end_time IS DISTINCT FROM NEW.end_time
    OR OLD.killed_by IS DISTINCT FROM NEW.killed_by)
EXECUTE FUNCTION session_events_changed();

-- A kill's delivery to the broker moving on (delivered, failed, retried) changes what the session shows.
CREATE TRIGGER session_events_delivery AFTER UPDATE OF state, attempts ON kill_deliveries
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.attempts IS DISTINCT FROM NEW.attempts)
EXECUTE FUNCTION session_events_delivery();
