-- A count of changes to users and apps. The unfiltered page of sessions on SQLite (`db::quick_page`)
-- keeps the names and emails it has read in memory and reads this count in the page's own snapshot:
-- while it is unchanged, no user or app it knows can differ from what it remembers. Triggers keep it,
-- so no write path (the broker's, the seed's, a hand-written statement) can forget to.
CREATE TABLE people_version (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO people_version (id, version) VALUES (1, 0);

CREATE TRIGGER users_inserted_people_version AFTER INSERT ON users
BEGIN
    UPDATE people_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER users_updated_people_version AFTER UPDATE ON users
BEGIN
    UPDATE people_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER users_deleted_people_version AFTER DELETE ON users
BEGIN
    UPDATE people_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER apps_inserted_people_version AFTER INSERT ON apps
BEGIN
    UPDATE people_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER apps_updated_people_version AFTER UPDATE ON apps
BEGIN
    UPDATE people_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER apps_deleted_people_version AFTER DELETE ON apps
BEGIN
    UPDATE people_version SET version = version + 1 WHERE id = 1;
END;
