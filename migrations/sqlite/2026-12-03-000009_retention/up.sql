-- Retention: one pruning run at a time across all nodes, and the one way old audit entries may go.
--
-- The lease: one row. A node prunes only while it holds it (a conditional update claims it when free or
-- run out), so two nodes never prune at once. What a run has removed so far is counted here, in each
-- batch's own transaction, so the run's one audit entry (written as the lease is given back) counts
-- exactly what went, even when the run before it died half-way (its counts carry over to the next).
-- audit_before is the audit cutoff the holder declared; only entries older than it may be deleted.
CREATE TABLE prune_lease (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    holder TEXT,
    expires_at BIGINT NOT NULL DEFAULT 0,
    audit_before BIGINT,
    sessions BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,
    deliveries BIGINT NOT NULL DEFAULT 0,
    audit_entries BIGINT NOT NULL DEFAULT 0
);
INSERT INTO prune_lease (id) VALUES (1);

-- The audit log stays append-only but for retention: an entry may be deleted only when it is older than
-- 30 days (a floor written here, beneath any setting, so that nothing the server can be made to do
-- removes recent entries), while a pruning run holds the lease, and older than the cutoff that run
-- declared. Updates (but for the counting of repeated entries) and replacements stay refused.
DROP TRIGGER audit_log_is_append_only_delete;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
WHEN NOT (
    OLD.at < unixepoch() - 30 * 86400
    AND EXISTS (
        SELECT 1 FROM prune_lease
        WHERE holder IS NOT NULL AND expires_at >= unixepoch() AND OLD.at < audit_before
    )
)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
