-- Console accounts: the people who sign in to this console (not the platform's users, who own sessions).
-- Usernames are stored lower case, so sign-in is case-insensitive. Times are Unix seconds, UTC.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

-- Console sign-ins. The cookie holds a random secret; only its SHA-256 is stored, so a copy of the
-- database does not let anyone sign in.
CREATE TABLE console_sessions (
    secret_hash TEXT PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX console_sessions_by_account ON console_sessions (account_id);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

-- API tokens. The id is public (it is in the secret, and in lists); the rest of the secret is stored as
-- its SHA-256 only. Scopes are a space-separated list. Revoked tokens stay, so the audit log's names keep
-- meaning something; they no longer authenticate.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT
) WITHOUT ROWID;

-- The audit log: append-only, enforced by the database itself. AUTOINCREMENT so an id is never reused.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('account', 'token', 'cli', 'anonymous')),
    actor TEXT NOT NULL,
    address TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    details TEXT NOT NULL DEFAULT '{}'
);
-- The audit page reads newest first (id descending), optionally narrowed by actor, action or time.
CREATE INDEX audit_by_actor ON audit_log (actor, id);
CREATE INDEX audit_by_action ON audit_log (action, id);
CREATE INDEX audit_by_time ON audit_log (at, id);

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- INSERT OR REPLACE deletes without firing delete triggers (unless recursive_triggers is on).
CREATE TRIGGER audit_log_is_append_only_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Who killed a session: an account's username, or "token:" and a token's name.
ALTER TABLE sessions ADD COLUMN killed_by TEXT;
-- The export writes killed_by too, and must still read this one index alone.
DROP INDEX sessions_by_start;
CREATE INDEX sessions_by_start ON sessions (start_time, id, user_id, app_id, end_time, status, killed_by);
