//! The session event log: triggers on `sessions` append to it (see the `session_events` migration); the
//! event stream reads it by position, and old events are deleted.
//!
//! An event's position is the order in which it became visible, and the id a client resumes from. On
//! SQLite it is the event's id (one writer commits in id order); on PostgreSQL, where transactions can
//! commit out of id order, [`place_committed_events`] gives positions after commit (see the PostgreSQL
//! `event_positions` migration).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use shared::SessionEventKind;

use super::schema::session_events;
use super::{DbConnection, TransactionLock, write_transaction};

/// An event as its table holds it, once it has a position.
#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub position: i64,
    pub session_id: i64,
    pub kind: SessionEventKind,
}

/// The position of the newest event, 0 when there is none. Positions are never reused, so "after this
/// position" stays correct even once every event has been deleted.
pub fn latest_event_id(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(session_events::table
        .select(diesel::dsl::max(session_events::position))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Up to `limit` events after position `after`, in order: one walk of the position index.
pub fn events_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<EventRow>> {
    session_events::table
        .filter(session_events::position.gt(after))
        .order(session_events::position)
        .limit(limit)
        .select((
            session_events::position.assume_not_null(),
            session_events::session_id,
            session_events::kind,
        ))
        .load(conn)
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    value: bool,
}

/// Gives positions to the events whose transactions have all ended, in commit-safe order, and says how
/// many it placed. One node at a time does it (the others skip the round); nothing to do on SQLite.
pub fn place_committed_events(conn: &mut DbConnection) -> QueryResult<i64> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(0);
    };
    let waiting = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM session_events WHERE position IS NULL) AS value",
    )
    .get_result::<Flag>(pg)?;
    if !waiting.value {
        return Ok(0);
    }
    write_transaction(conn, |conn| {
        let DbConnection::Postgres(pg) = conn else {
            unreachable!("the connection changed its backend")
        };
        let locked = diesel::sql_query(format!(
            "SELECT pg_try_advisory_xact_lock({}) AS value",
            TransactionLock::EventPositions as i64
        ))
        .get_result::<Flag>(pg)?;
        if !locked.value {
            return Ok(0);
        }
        #[derive(QueryableByName)]
        struct Placed {
            #[diesel(sql_type = BigInt)]
            placed: i64,
        }
        let placed = diesel::sql_query(
            // `max`, not a count: the clean-up may delete a due event meanwhile.
            "WITH due AS (
                 SELECT id, row_number() OVER (ORDER BY tx, id) AS n
                 FROM session_events
                 WHERE position IS NULL AND tx < pg_snapshot_xmin(pg_current_snapshot())
             ), placed AS (
                 UPDATE session_events AS e SET position = p.last + due.n
                 FROM due, session_event_positions AS p
                 WHERE e.id = due.id
                 RETURNING e.position
             ), moved AS (
                 UPDATE session_event_positions
                 SET last = COALESCE((SELECT max(position) FROM placed), last)
                 RETURNING 1
             )
             SELECT count(*) AS placed FROM placed",
        )
        .get_result::<Placed>(pg)?;
        Ok(placed.placed)
    })
}

/// Deletes the events from before `cutoff` (Unix seconds) and says how many there were.
pub fn delete_events_before(conn: &mut DbConnection, cutoff: i64) -> QueryResult<usize> {
    diesel::delete(session_events::table.filter(session_events::at.lt(cutoff))).execute(conn)
}
