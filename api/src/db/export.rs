//! Reading every session of a time range in start order, batch by batch, for the CSV export.

use diesel::prelude::*;
use shared::{SessionStatus, SortKey};

use super::DbConnection;
use super::people::People;
use super::schema::sessions;
use super::sessions::{Resolved, SessionFilter};

/// What the export writes of a session; the covering index `sessions_by_start` holds all of it, so the
/// export reads one index in order and never the table.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct ExportRow {
    pub id: i64,
    pub user_id: i64,
    pub app_id: i64,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub status: SessionStatus,
    pub killed_by: Option<String>,
}

impl ExportRow {
    pub fn duration_seconds(&self, now: i64) -> i64 {
        (self.end_time.unwrap_or(now) - self.start_time).max(0)
    }
}

/// Users and apps remembered between batches; forgotten when this many, so memory stays bounded.
const MAX_REMEMBERED: usize = 100_000;

/// Walks `[from, until)` by `(start_time, id)`, a batch at a time.
pub struct ExportReader<'a> {
    resolved: Resolved<'a>,
    until: i64,
    after: (i64, i64),
    done: bool,
    people: People,
}

impl<'a> ExportReader<'a> {
    pub fn new(
        conn: &mut DbConnection,
        filter: &'a SessionFilter,
        from: i64,
        until: i64,
    ) -> QueryResult<ExportReader<'a>> {
        Ok(ExportReader {
            resolved: Resolved::new(conn, filter)?,
            until,
            // Starting "after" (from, smallest id) makes the keyset bound the range's lower bound too:
            // one bound on start_time, so the index seek goes straight to it.
            after: (from, i64::MIN),
            done: false,
            people: People::default(),
        })
    }

    /// The next batch in start order, or an empty one at the end. Its users and apps are then known to
    /// [`Self::people`].
    pub fn next_batch(
        &mut self,
        conn: &mut DbConnection,
        size: i64,
    ) -> QueryResult<Vec<ExportRow>> {
        if self.done {
            return Ok(Vec::new());
        }
        let (start, id) = self.after;
        let rows: Vec<ExportRow> = self
            .resolved
            .sessions(SortKey::StartTime)
            .select(ExportRow::as_select())
            .filter(sessions::start_time.ge(start))
            .filter(sessions::start_time.gt(start).or(sessions::id.gt(id)))
            .filter(sessions::start_time.lt(self.until))
            .order_by((sessions::start_time.asc(), sessions::id.asc()))
            .limit(size)
            .load(conn)?;
        match rows.last() {
            Some(last) if rows.len() as i64 == size => self.after = (last.start_time, last.id),
            _ => self.done = true,
        }
        self.people.forget_beyond(MAX_REMEMBERED);
        self.people
            .load(conn, rows.iter().map(|r| (r.user_id, r.app_id)))?;
        Ok(rows)
    }

    /// The users and apps of the last batch (and some before it).
    pub fn people(&self) -> &People {
        &self.people
    }
}
