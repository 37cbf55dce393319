-- Failed sign-ins, counted per username and per client address, so that every node of the console
-- throttles guessing the same way. Times are Unix seconds, UTC; rows older than the throttle's memory
-- are deleted as new failures arrive.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_time ON login_failures (last_at);
