//! The session event log: triggers on `sessions` append to it (see the `session_events` migration); the
//! event stream reads it by id, and old events are deleted.

use diesel::prelude::*;
use shared::SessionEventKind;

use super::DbConnection;
use super::schema::session_events;

/// An event as its table holds it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = session_events)]
pub struct EventRow {
    pub id: i64,
    pub session_id: i64,
    pub kind: SessionEventKind,
}

/// The id of the newest event, 0 when there is none. Ids are never reused, so "after this id" stays
/// correct even once every event has been deleted.
pub fn latest_event_id(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(session_events::table
        .select(diesel::dsl::max(session_events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Up to `limit` events after `after`, oldest first: one walk of the primary key.
pub fn events_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<EventRow>> {
    session_events::table
        .filter(session_events::id.gt(after))
        .order(session_events::id)
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)
}

/// Deletes the events from before `cutoff` (Unix seconds) and says how many there were.
pub fn delete_events_before(conn: &mut DbConnection, cutoff: i64) -> QueryResult<usize> {
    diesel::delete(session_events::table.filter(session_events::at.lt(cutoff))).execute(conn)
}
