DROP TRIGGER sessions_count_update;
DROP TRIGGER sessions_count_delete;
DROP TRIGGER sessions_count_insert;
DROP TABLE session_counts;
DROP TABLE sessions;
DROP TABLE apps;
DROP TABLE users;
