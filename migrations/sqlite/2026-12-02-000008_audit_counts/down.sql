-- Counted entries become single ones: what they counted beyond the first is lost.
DROP TRIGGER audit_log_group_is_not_replaced;
DROP TRIGGER audit_log_is_append_only_update;
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
DROP INDEX audit_by_group;
ALTER TABLE audit_log DROP COLUMN group_key;
ALTER TABLE audit_log DROP COLUMN count;
