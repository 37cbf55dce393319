-- PostgreSQL version of the SQLite migration of the same name: the same lease row and the same rule for
-- deleting audit entries (see there for why).
CREATE TABLE prune_lease (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    expires_at BIGINT NOT NULL DEFAULT 0,
    audit_before BIGINT,
    sessions BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,
    deliveries BIGINT NOT NULL DEFAULT 0,
    audit_entries BIGINT NOT NULL DEFAULT 0
);
INSERT INTO prune_lease (id) VALUES (1);

-- Older than 30 days (the floor), while a run holds the lease, older than its declared cutoff; else
-- refused as before. TRUNCATE stays refused by its own trigger.
CREATE FUNCTION audit_log_prunable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_seconds BIGINT := floor(extract(epoch FROM statement_timestamp()))::bigint;
BEGIN
    IF OLD.at < now_seconds - 30 * 86400 AND EXISTS (
        SELECT 1 FROM prune_lease
        WHERE holder IS NOT NULL AND expires_at >= now_seconds AND OLD.at < audit_before
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
DROP TRIGGER audit_log_is_append_only_delete ON audit_log;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_prunable();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_is_append_only_delete;
