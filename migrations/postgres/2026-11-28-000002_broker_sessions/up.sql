-- Sessions reported by the platform's session broker carry the broker's id (unique, so a retried report
-- finds the session it made), the host they run on, and when the broker last said they are alive.
ALTER TABLE sessions ADD COLUMN broker_session_id TEXT;
ALTER TABLE sessions ADD COLUMN host TEXT;
ALTER TABLE sessions ADD COLUMN last_heartbeat BIGINT;
CREATE UNIQUE INDEX sessions_by_broker_id ON sessions (broker_session_id)
WHERE broker_session_id IS NOT NULL;
-- The watchdog's question, "which Connected sessions went silent?", reads only this small index.
CREATE INDEX sessions_by_heartbeat ON sessions (last_heartbeat)
WHERE status = 'Connected' AND last_heartbeat IS NOT NULL;
