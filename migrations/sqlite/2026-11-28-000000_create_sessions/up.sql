-- Users and apps are stored once; a session points at both. The lower-cased "folded" copies exist because
-- SQLite's LIKE and NOCASE only fold ASCII, and the console must find "Élodie" when asked for "élo".
CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name_folded TEXT NOT NULL,
    email_folded TEXT NOT NULL
);

CREATE TABLE apps (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE
);

-- The sort keys (name, email and app name in lower case without accents, so Élodie sorts among the e's)
-- are copied onto each session so that every sort of the
-- list is one walk of one index, which keyset pagination needs; a join cannot be walked in another table's
-- order. Times are Unix seconds, UTC. ended_duration is end - start, kept so the duration sort of ended
-- sessions is indexed; active sessions (no end) are few and sorted by start time instead.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    app_id INTEGER NOT NULL REFERENCES apps (id),
    name_key TEXT NOT NULL,
    email_key TEXT NOT NULL,
    app_key TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    ended_duration BIGINT,
    status TEXT NOT NULL CHECK (status IN ('Connected', 'Disconnected', 'Unknown', 'Killed')),
    CHECK ((end_time IS NULL) = (status IN ('Connected', 'Unknown'))),
    CHECK ((ended_duration IS NULL) = (end_time IS NULL))
);

-- One index per sort, each ending in id: the tie-breaker that makes keyset pages exact.
CREATE INDEX sessions_by_name ON sessions (name_key, id);
CREATE INDEX sessions_by_email ON sessions (email_key, id);
CREATE INDEX sessions_by_app ON sessions (app_key, id);
-- Also covers what the export writes, so an export reads this index alone, in order.
CREATE INDEX sessions_by_start ON sessions (start_time, id, user_id, app_id, end_time, status);
CREATE INDEX sessions_by_status ON sessions (status, id);
CREATE INDEX sessions_by_ended_duration ON sessions (ended_duration, id) WHERE ended_duration IS NOT NULL;
CREATE INDEX sessions_active ON sessions (start_time, id) WHERE end_time IS NULL;
-- The name/email filter finds matching users first, then their sessions through this index.
CREATE INDEX sessions_by_user ON sessions (user_id, id);

-- Exact totals without counting a million rows on every page: kept by triggers, so no write path can forget.
CREATE TABLE session_counts (
    status TEXT PRIMARY KEY NOT NULL,
    sessions BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO session_counts (status, sessions)
VALUES ('Connected', 0), ('Disconnected', 0), ('Unknown', 0), ('Killed', 0);

CREATE TRIGGER sessions_count_insert AFTER INSERT ON sessions
BEGIN
    UPDATE session_counts SET sessions = sessions + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER sessions_count_delete AFTER DELETE ON sessions
BEGIN
    UPDATE session_counts SET sessions = sessions - 1 WHERE status = OLD.status;
END;

CREATE TRIGGER sessions_count_update AFTER UPDATE OF status ON sessions
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE session_counts SET sessions = sessions - 1 WHERE status = OLD.status;
    UPDATE session_counts SET sessions = sessions + 1 WHERE status = NEW.status;
END;

-- Sessions per user and status: the total of a name or email filter is a sum over the matching users
-- instead of a count over their (possibly hundreds of thousands of) sessions.
CREATE TABLE user_session_counts (
    user_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    sessions BIGINT NOT NULL,
    PRIMARY KEY (user_id, status)
) WITHOUT ROWID;

CREATE TRIGGER sessions_user_count_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO user_session_counts (user_id, status, sessions) VALUES (NEW.user_id, NEW.status, 1)
    ON CONFLICT (user_id, status) DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER sessions_user_count_delete AFTER DELETE ON sessions
BEGIN
    UPDATE user_session_counts SET sessions = sessions - 1
    WHERE user_id = OLD.user_id AND status = OLD.status;
END;

CREATE TRIGGER sessions_user_count_update AFTER UPDATE OF status, user_id ON sessions
WHEN OLD.status <> NEW.status OR OLD.user_id <> NEW.user_id
BEGIN
    UPDATE user_session_counts SET sessions = sessions - 1
    WHERE user_id = OLD.user_id AND status = OLD.status;
    INSERT INTO user_session_counts (user_id, status, sessions) VALUES (NEW.user_id, NEW.status, 1)
    ON CONFLICT (user_id, status) DO UPDATE SET sessions = sessions + 1;
END;
