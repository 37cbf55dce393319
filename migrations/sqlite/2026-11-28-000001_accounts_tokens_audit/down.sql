DROP INDEX sessions_by_start;
CREATE INDEX sessions_by_start ON sessions (start_time, id, user_id, app_id, end_time, status);
ALTER TABLE sessions DROP COLUMN killed_by;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE console_sessions;
DROP TABLE accounts;
