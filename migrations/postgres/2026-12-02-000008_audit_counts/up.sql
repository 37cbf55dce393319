-- Repeated failures are one entry with a count: all entries alike but for their time (same action,
-- outcome, actor, address and details) within one minute share a group key, and each further one adds 1
-- to the entry's count and moves its time on. Entries recorded one by one have no group key and a count
-- of 1. The key is unique where present.
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
ALTER TABLE audit_log ADD COLUMN group_key TEXT;
CREATE UNIQUE INDEX audit_by_group ON audit_log (group_key) WHERE group_key IS NOT NULL;

-- Still append-only, but for that one change: a grouped entry's count goes up by one and its time does not
-- go back; nothing else of any entry changes. (INSERT ... ON CONFLICT DO UPDATE is such an UPDATE, so it
-- can count, and cannot overwrite.)
CREATE FUNCTION audit_log_only_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.group_key IS NOT NULL
       AND (NEW.id, NEW.group_key, NEW.actor_kind, NEW.actor, NEW.address, NEW.action, NEW.outcome,
            NEW.details)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.group_key, OLD.actor_kind, OLD.actor, OLD.address, OLD.action, OLD.outcome,
            OLD.details)
       AND NEW.count = OLD.count + 1
       AND NEW.at >= OLD.at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
DROP TRIGGER audit_log_is_append_only_update ON audit_log;
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_only_counts();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_is_append_only_update;
