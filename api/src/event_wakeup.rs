//! PostgreSQL's wake-up call for the event publisher: every commit that writes session events notifies
//! the channel `session_events` (see the PostgreSQL `session_events` migration), whichever node made it.
//! A thread holds one connection that listens and wakes the publisher of this node; the event table stays
//! the truth, and the publisher still looks on its own now and then, so a lost notification (a
//! reconnect) only delays an event, never loses it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use tokio::sync::Notify;

/// How often the listening connection is read for notifications: the wake-up's delay at most. A read
/// with nothing to read costs no round trip to the server.
const READ_PERIOD: Duration = Duration::from_millis(25);
/// How long the listener waits before it connects again after losing its connection.
const RECONNECT_PERIOD: Duration = Duration::from_secs(1);

/// Starts the listener thread for the PostgreSQL database at `database_url`; `wake` is notified on
/// every notification. The thread ends, and closes its connection, once nobody else holds `wake`: the
/// publisher is gone with the server that ran it (a server started and stopped inside a process, as
/// tests and embedders do, must not leave a connection behind).
pub fn listen(database_url: String, wake: &Arc<Notify>) {
    let wake = Arc::downgrade(wake);
    let spawned = std::thread::Builder::new()
        .name("event-wakeup".to_owned())
        .spawn(move || {
            while wake.strong_count() > 0 {
                match PgConnection::establish(&database_url) {
                    Ok(mut conn) => match follow(&mut conn, &wake) {
                        Ok(()) => return,
                        Err(error) => {
                            tracing::warn!(error = %error, "event wake-up: lost its connection");
                        }
                    },
                    Err(error) => {
                        tracing::warn!(error = %error, "event wake-up: cannot connect");
                    }
                }
                // Events committed while nobody listened are found by the publisher's own rounds.
                if let Some(wake) = wake.upgrade() {
                    wake.notify_one();
                }
                std::thread::sleep(RECONNECT_PERIOD);
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(error = %error, "event wake-up: no thread; events are found by polling alone");
    }
}

/// Passes notifications on until the publisher is gone (`Ok`) or the connection fails.
fn follow(conn: &mut PgConnection, wake: &Weak<Notify>) -> diesel::QueryResult<()> {
    conn.batch_execute("LISTEN session_events")?;
    loop {
        let mut notified = false;
        for notification in conn.notifications_iter() {
            notification?;
            notified = true;
        }
        let Some(wake) = wake.upgrade() else {
            return Ok(());
        };
        if notified {
            wake.notify_one();
        }
        drop(wake);
        std::thread::sleep(READ_PERIOD);
    }
}
