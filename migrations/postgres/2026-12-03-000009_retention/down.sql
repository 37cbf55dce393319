DROP TRIGGER audit_log_is_append_only_delete ON audit_log;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_is_append_only_delete;
DROP FUNCTION audit_log_prunable();
DROP TABLE prune_lease;
