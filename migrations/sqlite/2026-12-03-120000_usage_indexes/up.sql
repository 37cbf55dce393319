-- The usage series sweeps over the starts and ends of sessions in a range (GET /sessions/usage). Starts
-- are read from sessions_by_start, which holds app_id; ends need their own index, with app_id so that
-- a split by app reads the index alone. The sessions running now, counted per app, likewise.
CREATE INDEX sessions_by_end ON sessions (end_time, app_id) WHERE end_time IS NOT NULL;
CREATE INDEX sessions_active_by_app ON sessions (app_id) WHERE end_time IS NULL;
