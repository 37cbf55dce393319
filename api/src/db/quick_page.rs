//! The unfiltered page of sessions on SQLite, read and handed on row by row: what the console opens on
//! and what scripts poll, so the read that must cost per row about what the export does.
//!
//! It answers exactly what [`super::sessions::list_sessions`] answers for the same request (a test
//! compares the two over every sort, order and page), but through SQLite's own interface on a
//! connection each server thread keeps: its statements are prepared once, nothing is built per request
//! to find them again, texts are borrowed from SQLite's row rather than copied into a `Session`, and
//! users' and apps' names come from memory, checked against a version the database keeps (see
//! [`KnownPeople`]). Diesel's statement building and row decoding and the two joins were about half of
//! a large page's time. Filtered pages, the duration sort (two index walks merged) and PostgreSQL keep
//! the general path.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use shared::{DeliveryState, KillDelivery, SessionStatus, SortKey, SortOrder};

use super::cursor::{Cursor, CursorKey};
use super::deliveries::DeliveryRow;
use super::models::{SessionView, duration_seconds};
use super::statement::limit_step;

/// Whether [`read_page`] serves this sort; the duration sort merges two index walks and does not.
pub fn serves(sort: SortKey) -> bool {
    sort != SortKey::Duration
}

/// What a page ends with, once its rows are handed on.
#[derive(Debug)]
pub struct PageEnd {
    /// Present when more rows follow.
    pub next: Option<Cursor>,
    /// Every session, from the same snapshot as the rows.
    pub total: u64,
}

/// Why a quick read failed.
#[derive(Debug, thiserror::Error)]
pub enum QuickReadError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Column(#[from] rusqlite::types::FromSqlError),
    #[error("session {id} holds {what}")]
    Broken { id: i64, what: String },
}

impl QuickReadError {
    /// SQLite could not take its read lock in time (a checkpoint that resets the log holds it).
    pub fn is_busy(&self) -> bool {
        matches!(self, QuickReadError::Sqlite(error)
            if matches!(error.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)))
    }
}

type Result<T> = std::result::Result<T, QuickReadError>;

thread_local! {
    /// This thread's reader. Taken out while a read uses it, so that a panic in the read drops it
    /// (rolling back its transaction) instead of leaving it half used.
    static READER: RefCell<Option<Reader>> = const { RefCell::new(None) };
}

/// A connection to one file, with the users and apps it has read.
struct Reader {
    file: String,
    conn: Connection,
    people: KnownPeople,
}

/// Users and apps by id, as read while `people_version` (kept by triggers on both tables) was
/// `version`: none of them can have changed while it still is.
#[derive(Default)]
struct KnownPeople {
    version: i64,
    users: HashMap<i64, (String, String)>,
    apps: HashMap<i64, String>,
}

/// Users or apps remembered at most; beyond, they are forgotten and read again.
const MAX_KNOWN: usize = 100_000;

impl KnownPeople {
    /// Forgets everything when users or apps changed since they were read (in the snapshot of `conn`'s
    /// transaction), or when too many are remembered.
    fn check(&mut self, conn: &Connection) -> Result<()> {
        let version: i64 = conn
            .prepare_cached("SELECT version FROM people_version WHERE id = 1")?
            .query_row([], |row| row.get(0))?;
        if version != self.version || self.users.len() > MAX_KNOWN || self.apps.len() > MAX_KNOWN {
            *self = KnownPeople {
                version,
                ..KnownPeople::default()
            };
        }
        Ok(())
    }

    /// Reads the user and the app of session `id` unless known already.
    fn learn(&mut self, conn: &Connection, id: i64, user: i64, app: i64) -> Result<()> {
        if let Entry::Vacant(unknown) = self.users.entry(user) {
            let found = conn
                .prepare_cached("SELECT name, email FROM users WHERE id = ?1")?
                .query_row([user], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?
                .ok_or_else(|| broken(id, "no user"))?;
            unknown.insert(found);
        }
        if let Entry::Vacant(unknown) = self.apps.entry(app) {
            let found = conn
                .prepare_cached("SELECT name FROM apps WHERE id = ?1")?
                .query_row([app], |row| row.get(0))
                .optional()?
                .ok_or_else(|| broken(id, "no app"))?;
            unknown.insert(found);
        }
        Ok(())
    }
}

fn open(file: &str) -> Result<Connection> {
    super::backend::configure_sqlite();
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Reads only, whatever a bug might ask of it. A page touches the top of one index and a few hundred
    // rows, and every server thread keeps such a connection beside the pool's: a small page cache (the
    // operating system caches the file too) keeps them from holding the pool's 16 MiB each.
    conn.execute_batch(&format!(
        "PRAGMA query_only = ON;
         PRAGMA busy_timeout = {};
         PRAGMA cache_size = -{QUICK_CACHE_KIB};",
        super::backend::BUSY_TIMEOUT_MS,
    ))?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(conn)
}

/// The page cache of each thread's connection, in KiB.
const QUICK_CACHE_KIB: u32 = 2 * 1024;

/// Statements a connection keeps prepared: a few sorts, orders and page sizes.
const STATEMENTS: usize = 64;

/// One page of every session in `sort` and `order`, after `after`, at most `limit` rows, each handed to
/// `row` in order; `now` is the request's clock. Runs on the calling thread, on that thread's own
/// connection to `file`.
pub fn read_page(
    file: &str,
    sort: SortKey,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
    now: i64,
    row: impl FnMut(&SessionView<'_>),
) -> Result<PageEnd> {
    let mut reader = match READER.take() {
        Some(reader) if reader.file == file => reader,
        _ => Reader {
            file: file.to_owned(),
            conn: open(file)?,
            people: KnownPeople::default(),
        },
    };
    let conn = &reader.conn;
    conn.prepare_cached("BEGIN")?.execute([])?;
    let outcome = page_in_transaction(
        conn,
        &mut reader.people,
        sort,
        order,
        after,
        limit,
        now,
        row,
    );
    let ended = conn.prepare_cached("COMMIT")?.execute([]);
    if !conn.is_autocommit() {
        conn.execute_batch("ROLLBACK")?;
    }
    READER.set(Some(reader));
    let page = outcome?;
    ended?;
    Ok(page)
}

#[allow(clippy::too_many_arguments)]
fn page_in_transaction(
    conn: &Connection,
    people: &mut KnownPeople,
    sort: SortKey,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
    now: i64,
    mut row: impl FnMut(&SessionView<'_>),
) -> Result<PageEnd> {
    let total: i64 = conn
        .prepare_cached("SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) FROM session_counts")?
        .query_row([], |row| row.get(0))?;
    people.check(conn)?;

    let fetch = limit.saturating_add(1);
    let sql = page_sql(sort, order, after.is_some(), limit_step(fetch));
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = match after {
        None => statement.query([])?,
        Some(cursor) => match &cursor.key {
            Some(CursorKey::Text(key)) => statement.query(rusqlite::params![key, cursor.id])?,
            Some(CursorKey::Int(key)) => statement.query(rusqlite::params![key, cursor.id])?,
            None => statement.query(rusqlite::params![cursor.id])?,
        },
    };

    let mut shown = 0;
    let mut last = LastRow::default();
    let mut more = false;
    while let Some(found) = rows.next()? {
        if shown == limit {
            more = true;
            break;
        }
        let (id, user, app) = (
            found.get(column::ID)?,
            found.get(column::USER)?,
            found.get(column::APP)?,
        );
        let delivery = delivery_of(found, id)?;
        people.learn(conn, id, user, app)?;
        let view = view_of(found, (id, user, app), people, now, delivery.as_ref())?;
        last.remember(sort, found, &view)?;
        row(&view);
        shown += 1;
    }
    Ok(PageEnd {
        next: more.then(|| last.cursor(sort, order)),
        total: total.max(0) as u64,
    })
}

/// The sort key of the last row handed on, kept in buffers reused row after row.
#[derive(Default)]
struct LastRow {
    id: i64,
    int: i64,
    text: String,
}

impl LastRow {
    fn remember(&mut self, sort: SortKey, found: &Row<'_>, view: &SessionView<'_>) -> Result<()> {
        self.id = view.id;
        match sort {
            SortKey::Name | SortKey::Email | SortKey::AppName => {
                self.text.clear();
                self.text.push_str(text(found, column::KEY)?);
            }
            SortKey::Status => {
                self.text.clear();
                self.text.push_str(view.status.as_str());
            }
            SortKey::StartTime => self.int = view.start_time.timestamp(),
            SortKey::Id | SortKey::Duration => {}
        }
        Ok(())
    }

    fn cursor(&self, sort: SortKey, order: SortOrder) -> Cursor {
        Cursor {
            sort,
            order,
            key: match sort {
                SortKey::Id | SortKey::Duration => None,
                SortKey::StartTime => Some(CursorKey::Int(self.int)),
                SortKey::Name | SortKey::Email | SortKey::AppName | SortKey::Status => {
                    Some(CursorKey::Text(self.text.clone()))
                }
            },
            id: self.id,
            as_of: None,
        }
    }
}

/// The columns of [`page_sql`], by position.
mod column {
    pub const ID: usize = 0;
    pub const START: usize = 1;
    pub const END: usize = 2;
    pub const ENDED_DURATION: usize = 3;
    pub const STATUS: usize = 4;
    pub const KILLED_BY: usize = 5;
    pub const KEY: usize = 6;
    pub const USER: usize = 7;
    pub const APP: usize = 8;
    pub const DELIVERY_STATE: usize = 9;
    pub const ATTEMPTS: usize = 10;
    pub const NEXT_ATTEMPT: usize = 11;
    pub const LAST_ERROR: usize = 12;
    pub const DELIVERED: usize = 13;
}

/// The page's statement: a walk of the sort's index, each session joined to its kill's delivery by key
/// (an outer join keeps the sessions table the outer loop); users and apps come from [`KnownPeople`],
/// which saves two seeks a row. The limit is written, not bound: SQLite plans a bound limit anew on
/// every run.
fn page_sql(sort: SortKey, order: SortOrder, after: bool, limit: u32) -> String {
    let key = match sort {
        SortKey::Name => "s.name_key",
        SortKey::Email => "s.email_key",
        SortKey::AppName => "s.app_key",
        SortKey::Status => "s.status",
        SortKey::StartTime => "s.start_time",
        SortKey::Id | SortKey::Duration => "s.id",
    };
    let selected_key = match sort {
        SortKey::Name | SortKey::Email | SortKey::AppName => key,
        _ => "NULL",
    };
    let (direction, before, beyond) = match order {
        SortOrder::Asc => ("ASC", ">=", ">"),
        SortOrder::Desc => ("DESC", "<=", "<"),
    };
    let condition = match (after, sort) {
        (false, _) => String::new(),
        (true, SortKey::Id | SortKey::Duration) => format!("WHERE s.id {beyond} ?1"),
        // The first term lets SQLite seek into the index; the second skips the key's rows already sent.
        (true, _) => {
            format!("WHERE {key} {before} ?1 AND ({key} {beyond} ?1 OR s.id {beyond} ?2)")
        }
    };
    let ordering = match sort {
        SortKey::Id | SortKey::Duration => format!("s.id {direction}"),
        _ => format!("{key} {direction}, s.id {direction}"),
    };
    format!(
        "SELECT s.id, s.start_time, s.end_time, s.ended_duration, s.status, s.killed_by, \
                {selected_key}, s.user_id, s.app_id, \
                k.state, k.attempts, k.next_attempt_at, k.last_error, k.delivered_at \
         FROM sessions AS s \
         LEFT JOIN kill_deliveries AS k ON k.session_id = s.id \
         {condition} ORDER BY {ordering} LIMIT {limit}"
    )
}

fn broken(id: i64, what: impl Into<String>) -> QuickReadError {
    QuickReadError::Broken {
        id,
        what: what.into(),
    }
}

/// A text column, borrowed from the row.
fn text<'r>(found: &'r Row<'_>, column: usize) -> Result<&'r str> {
    Ok(found.get_ref(column)?.as_str()?)
}

fn optional_text<'r>(found: &'r Row<'_>, column: usize) -> Result<Option<&'r str>> {
    Ok(found.get_ref(column)?.as_str_or_null()?)
}

fn time(id: i64, seconds: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| broken(id, format!("the out-of-range time {seconds}")))
}

/// The session of `found`, whose id, user and app are `ids`, as `SessionRecord::into_session` makes it.
fn view_of<'r>(
    found: &'r Row<'_>,
    (id, user, app): (i64, i64, i64),
    people: &'r KnownPeople,
    now: i64,
    delivery: Option<&'r KillDelivery>,
) -> Result<SessionView<'r>> {
    let start: i64 = found.get(column::START)?;
    let end: Option<i64> = found.get(column::END)?;
    let ended_duration: Option<i64> = found.get(column::ENDED_DURATION)?;
    let status_name = text(found, column::STATUS)?;
    let status = SessionStatus::from_name(status_name)
        .ok_or_else(|| broken(id, format!("the unknown status {status_name:?}")))?;
    // [`KnownPeople::learn`] read both (or found the database broken).
    let (name, email) = people
        .users
        .get(&user)
        .ok_or_else(|| broken(id, "no user"))?;
    let app_name = people.apps.get(&app).ok_or_else(|| broken(id, "no app"))?;
    Ok(SessionView {
        id,
        name,
        email,
        app_name,
        start_time: time(id, start)?,
        end_time: end.map(|end| time(id, end)).transpose()?,
        duration_seconds: duration_seconds(start, ended_duration, now),
        status,
        killable: status.is_killable(),
        killed_by: optional_text(found, column::KILLED_BY)?,
        delivery,
    })
}

/// The kill's delivery of session `id`, for the few sessions that have one, as
/// `DeliveryRow::to_delivery` makes it.
fn delivery_of(found: &Row<'_>, id: i64) -> Result<Option<KillDelivery>> {
    let Some(state_name) = optional_text(found, column::DELIVERY_STATE)? else {
        return Ok(None);
    };
    let state = DeliveryState::from_name(state_name)
        .ok_or_else(|| broken(id, format!("the unknown delivery state {state_name:?}")))?;
    Ok(Some(
        DeliveryRow {
            session_id: id,
            state,
            attempts: found.get(column::ATTEMPTS)?,
            next_attempt_at: found.get(column::NEXT_ATTEMPT)?,
            last_error: optional_text(found, column::LAST_ERROR)?.map(str::to_owned),
            delivered_at: found.get(column::DELIVERED)?,
        }
        .to_delivery(),
    ))
}

/// Where quick pages are read: the SQLite file, or nowhere on PostgreSQL (whose reads wait on the
/// network and go to a blocking thread).
#[derive(Debug, Clone)]
pub struct QuickPages {
    file: Option<String>,
}

impl QuickPages {
    pub fn for_database(database_url: &str) -> anyhow::Result<QuickPages> {
        Ok(QuickPages {
            file: super::DbManager::new(database_url)?
                .file()
                .map(str::to_owned),
        })
    }

    /// The SQLite file, when quick pages are read.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }
}
