DROP INDEX sessions_active_by_app;
DROP INDEX sessions_by_end;
