//! A connection of the test's own to the server's database: it sees whether a write transaction is open
//! at this moment (how a drill tells a crash inside a transaction from one before it), and what is
//! committed.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use api::db::schema::sessions;

use crate::helpers::{TestDatabase, on_postgres};

/// Runs `$body` with `$conn` bound to whichever connection the observer holds.
macro_rules! on_either {
    ($observer:expr, |$conn:ident| $body:expr) => {
        match $observer {
            Observer::Sqlite($conn) => $body,
            Observer::Postgres($conn) => $body,
        }
    };
}

pub enum Observer {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Observer {
    pub fn connect(database: &TestDatabase) -> Observer {
        if on_postgres() {
            Observer::Postgres(PgConnection::establish(&database.url).unwrap())
        } else {
            let mut conn = SqliteConnection::establish(&database.url).unwrap();
            // Answers "locked" at once instead of waiting for the writer.
            conn.batch_execute("PRAGMA busy_timeout = 0;").unwrap();
            Observer::Sqlite(conn)
        }
    }

    /// Whether another connection is inside a write transaction. SQLite: one holds the write lock (the
    /// server takes it at `BEGIN IMMEDIATE`); when none does, the observer takes it and keeps it until
    /// [`Self::release`], so that none can open between the look and a crash that follows it.
    /// PostgreSQL: a transaction has an id (it gets one at its first write and loses it when it ends).
    pub fn writer_open(&mut self) -> bool {
        match self {
            Observer::Sqlite(conn) => match conn.batch_execute("BEGIN IMMEDIATE") {
                Ok(()) => false,
                Err(error) if error.to_string().contains("locked") => true,
                Err(error) => panic!("looking for the write lock: {error}"),
            },
            Observer::Postgres(conn) => diesel::select(diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)",
            ))
            .get_result(conn)
            .unwrap(),
        }
    }

    /// Gives up the write lock [`Self::writer_open`] may have taken.
    pub fn release(&mut self) {
        if let Observer::Sqlite(conn) = self {
            let _ = conn.batch_execute("ROLLBACK");
        }
    }

    /// Rows in the kill outbox, as committed.
    pub fn outbox_rows(&mut self) -> i64 {
        let count = diesel::dsl::sql::<BigInt>("(SELECT count(*) FROM kill_deliveries)");
        on_either!(self, |conn| diesel::select(count).get_result(conn)).unwrap()
    }

    /// Adds `count` copies of the session `template` in one statement, each under its own broker id
    /// (`prefix` and a number), as if the broker had reported them; returns their ids. Opening 10,000
    /// sessions through the broker API takes a debug build about 10 s.
    pub fn copy_session(&mut self, template: i64, prefix: &str, count: usize) -> Vec<i64> {
        let copy = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
             INSERT INTO sessions (user_id, app_id, name_key, email_key, app_key, start_time, \
             status, broker_session_id, host, last_heartbeat) \
             SELECT t.user_id, t.app_id, t.name_key, t.email_key, t.app_key, t.start_time, t.status, \
             '{prefix}' || n.i, t.host, t.last_heartbeat FROM sessions t, n WHERE t.id = {template}"
        );
        let copies = sessions::table
            .filter(sessions::broker_session_id.like(format!("{prefix}%")))
            .select(sessions::id);
        on_either!(self, |conn| {
            conn.batch_execute(&copy).unwrap();
            copies.load(conn).unwrap()
        })
    }
}
