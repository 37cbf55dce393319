-- Counted entries become single ones: what they counted beyond the first is lost.
DROP TRIGGER audit_log_is_append_only_update ON audit_log;
DROP FUNCTION audit_log_only_counts();
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_is_append_only_update;
DROP INDEX audit_by_group;
ALTER TABLE audit_log DROP COLUMN group_key;
ALTER TABLE audit_log DROP COLUMN count;
