-- The outbox of kills: a kill of a session the broker reported commits its delivery here in the same
-- transaction, and the dispatcher delivers it to the broker until acknowledged, across restarts. The
-- idempotency key is the same for every attempt, so the broker carries each kill out once.
CREATE TABLE kill_deliveries (
    session_id INTEGER PRIMARY KEY NOT NULL REFERENCES sessions (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
-- The dispatcher's question, "what is due?", reads only the pending rows.
CREATE INDEX kill_deliveries_due ON kill_deliveries (next_attempt_at, session_id) WHERE state = 'pending';
