use chrono::{DateTime, Utc};
use diesel::prelude::*;
use shared::{KillDelivery, Session, SessionStatus};

use super::DbConnection;
use super::deliveries::deliveries_of;
use super::schema::{apps, sessions, users};

/// A session as its table holds it, less the sort keys (which only the cursor of a page needs).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub app_id: i64,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub ended_duration: Option<i64>,
    pub status: SessionStatus,
    pub killed_by: Option<String>,
}

/// A session with its user's name and email and its app's name, as the API shows it.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub row: SessionRow,
    pub name: String,
    pub email: String,
    pub app_name: String,
}

impl SessionRow {
    /// Seconds from start until the end, or until `now` while the session is active.
    pub fn duration_seconds(&self, now: i64) -> i64 {
        duration_seconds(self.start_time, self.ended_duration, now)
    }
}

/// Seconds from `start` until the end (`ended_duration`), or until `now` while the session is active.
pub fn duration_seconds(start: i64, ended_duration: Option<i64>, now: i64) -> i64 {
    ended_duration.unwrap_or(now - start).max(0)
}

impl SessionRecord {
    /// The session without its delivery, which [`to_sessions`] adds. Takes the record, so its texts
    /// move into the session rather than being copied.
    pub fn into_session(self, now: i64) -> QueryResult<Session> {
        let status = self.row.status;
        let duration_seconds = self.row.duration_seconds(now);
        Ok(Session {
            id: self.row.id,
            name: self.name,
            email: self.email,
            app_name: self.app_name,
            start_time: timestamp(self.row.id, self.row.start_time)?,
            end_time: self
                .row
                .end_time
                .map(|t| timestamp(self.row.id, t))
                .transpose()?,
            duration_seconds,
            status,
            killable: status.is_killable(),
            killed_by: self.row.killed_by,
            // Read separately, for killed sessions only: see `db::deliveries::deliveries_of`.
            delivery: None,
        })
    }
}

/// A time the database holds; one out of range fails the read as an unknown enum name does (see
/// `shared::names`).
fn timestamp(id: i64, seconds: i64) -> QueryResult<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("session {id} holds the out-of-range time {seconds}").into(),
        )
    })
}

/// A session as a page shows it, its texts borrowed from wherever they were read.
#[derive(Debug, Clone, Copy)]
pub struct SessionView<'a> {
    pub id: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub app_name: &'a str,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub duration_seconds: i64,
    pub status: SessionStatus,
    pub killable: bool,
    pub killed_by: Option<&'a str>,
    pub delivery: Option<&'a KillDelivery>,
}

impl<'a> From<&'a Session> for SessionView<'a> {
    fn from(session: &'a Session) -> SessionView<'a> {
        // Destructured, so that a field added to `Session` fails to compile here until it is shown.
        let Session {
            id,
            name,
            email,
            app_name,
            start_time,
            end_time,
            duration_seconds,
            status,
            killable,
            killed_by,
            delivery,
        } = session;
        SessionView {
            id: *id,
            name,
            email,
            app_name,
            start_time: *start_time,
            end_time: *end_time,
            duration_seconds: *duration_seconds,
            status: *status,
            killable: *killable,
            killed_by: killed_by.as_deref(),
            delivery: delivery.as_ref(),
        }
    }
}

/// Sessions as the API shows them, each killed one with the delivery of its kill to the broker.
pub fn to_sessions(
    conn: &mut DbConnection,
    records: Vec<SessionRecord>,
    now: i64,
) -> QueryResult<Vec<Session>> {
    let killed: Vec<i64> = records
        .iter()
        .filter(|record| record.row.status == SessionStatus::Killed)
        .map(|record| record.row.id)
        .collect();
    let deliveries = if killed.is_empty() {
        Default::default()
    } else {
        deliveries_of(conn, &killed)?
    };
    records
        .into_iter()
        .map(|record| {
            let mut session = record.into_session(now)?;
            // Not `remove`: a batch of events may hold the same session more than once.
            session.delivery = deliveries.get(&session.id).cloned();
            Ok(session)
        })
        .collect()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub name_folded: &'a str,
    pub email_folded: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = apps)]
pub struct NewApp<'a> {
    pub id: i64,
    pub name: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub user_id: i64,
    pub app_id: i64,
    pub name_key: &'a str,
    pub email_key: &'a str,
    pub app_key: &'a str,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub ended_duration: Option<i64>,
    pub status: SessionStatus,
}

/// The case-folded form a name or email filter searches: Unicode lower case, so "É" finds "é".
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The form a text column sorts by: lower case without accents, so "Élodie" sorts among the e's, not
/// after "Zoë"; the exact text breaks no ties (the id does).
pub fn sort_key(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}
