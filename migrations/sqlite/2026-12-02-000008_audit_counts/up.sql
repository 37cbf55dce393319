-- Repeated failures are one entry with a count: all entries alike but for their time (same action,
-- outcome, actor, address and details) within one minute share a group key, and each further one adds 1
-- to the entry's count and moves its time on. Entries recorded one by one have no group key and a count
-- of 1. The key is unique where present (NULLs are never equal to each other).
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
ALTER TABLE audit_log ADD COLUMN group_key TEXT;
CREATE UNIQUE INDEX audit_by_group ON audit_log (group_key) WHERE group_key IS NOT NULL;

-- Still append-only, but for that one change: a grouped entry's count goes up by one and its time does not
-- go back; nothing else of any entry changes.
DROP TRIGGER audit_log_is_append_only_update;
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
WHEN NOT (
    OLD.group_key IS NOT NULL
    AND NEW.id = OLD.id
    AND NEW.group_key IS OLD.group_key
    AND NEW.actor_kind IS OLD.actor_kind
    AND NEW.actor IS OLD.actor
    AND NEW.address IS OLD.address
    AND NEW.action IS OLD.action
    AND NEW.outcome IS OLD.outcome
    AND NEW.details IS OLD.details
    AND NEW.count = OLD.count + 1
    AND NEW.at >= OLD.at
)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- INSERT OR REPLACE on the group key would delete the grouped entry without firing the delete trigger,
-- like a replaced id (see audit_log_is_append_only_replace). So a new entry may not take a key that
-- exists; the server counts into an existing entry with an UPDATE instead of an upsert.
CREATE TRIGGER audit_log_group_is_not_replaced BEFORE INSERT ON audit_log
WHEN NEW.group_key IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE group_key = NEW.group_key)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
