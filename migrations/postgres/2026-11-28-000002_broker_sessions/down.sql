DROP INDEX sessions_by_heartbeat;
DROP INDEX sessions_by_broker_id;
ALTER TABLE sessions DROP COLUMN last_heartbeat;
ALTER TABLE sessions DROP COLUMN host;
ALTER TABLE sessions DROP COLUMN broker_session_id;
