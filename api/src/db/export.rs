//! Reading every session of a time range in start order, batch by batch, for the CSV export.

use std::collections::HashMap;

use diesel::prelude::*;
use shared::SortKey;

use super::DbConnection;
use super::schema::{apps, sessions, users};
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
    pub status: String,
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
    people: HashMap<i64, (String, String)>,
    app_names: HashMap<i64, String>,
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
            people: HashMap::new(),
            app_names: HashMap::new(),
        })
    }

    /// The next batch in start order, or an empty one at the end. Its users and apps are then known to
    /// [`Self::person`] and [`Self::app_name`].
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
        self.remember(conn, &rows)?;
        Ok(rows)
    }

    fn remember(&mut self, conn: &mut DbConnection, rows: &[ExportRow]) -> QueryResult<()> {
        if self.people.len() > MAX_REMEMBERED {
            self.people.clear();
        }
        if self.app_names.len() > MAX_REMEMBERED {
            self.app_names.clear();
        }
        let mut user_ids: Vec<i64> = rows
            .iter()
            .map(|r| r.user_id)
            .filter(|id| !self.people.contains_key(id))
            .collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        for chunk in user_ids.chunks(1_000) {
            let found: Vec<(i64, String, String)> = users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::name, users::email))
                .load(conn)?;
            self.people.extend(
                found
                    .into_iter()
                    .map(|(id, name, email)| (id, (name, email))),
            );
        }
        let mut app_ids: Vec<i64> = rows
            .iter()
            .map(|r| r.app_id)
            .filter(|id| !self.app_names.contains_key(id))
            .collect();
        app_ids.sort_unstable();
        app_ids.dedup();
        for chunk in app_ids.chunks(1_000) {
            let found: Vec<(i64, String)> = apps::table
                .filter(apps::id.eq_any(chunk))
                .select((apps::id, apps::name))
                .load(conn)?;
            self.app_names.extend(found);
        }
        Ok(())
    }

    /// Name and email of a user of the last batch.
    pub fn person(&self, user_id: i64) -> Option<&(String, String)> {
        self.people.get(&user_id)
    }

    pub fn app_name(&self, app_id: i64) -> Option<&str> {
        self.app_names.get(&app_id).map(String::as_str)
    }
}
