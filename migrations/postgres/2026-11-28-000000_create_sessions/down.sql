DROP FUNCTION likely(boolean);
DROP TRIGGER sessions_count_update ON sessions;
DROP TRIGGER sessions_count_delete ON sessions;
DROP TRIGGER sessions_count_insert ON sessions;
DROP FUNCTION sessions_count_updated();
DROP FUNCTION sessions_count_deleted();
DROP FUNCTION sessions_count_inserted();
DROP TABLE user_session_counts;
DROP TABLE session_counts;
DROP TABLE sessions;
DROP TABLE apps;
DROP TABLE users;
-- Without CASCADE: if anything else in the database uses pg_trgm, this fails rather than drop it.
DROP EXTENSION IF EXISTS pg_trgm;
