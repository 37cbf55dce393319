//! A connection of the test's own to the server's database: it sees whether a write transaction is open
//! at this moment (how a drill tells a crash inside a transaction from one before it), and what is
//! committed.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::helpers::{TestDatabase, on_postgres};

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
        match self {
            Observer::Sqlite(conn) => diesel::select(count).get_result(conn),
            Observer::Postgres(conn) => diesel::select(count).get_result(conn),
        }
        .unwrap()
    }
}
