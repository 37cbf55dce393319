//! Reading sessions: one keyset page in any sort, exact totals, one session by id.
//!
//! A page is one statement: a walk of one index of the sessions table, each row joined to its user, its
//! app and its kill's delivery by primary key, and cached prepared (see `super::statement`). A name or
//! email filter is resolved to the matching users first.

use std::collections::BTreeSet;

use diesel::connection::DefaultLoadingMode;
use diesel::dsl::{AsSelect, IntoBoxed, LeftJoin};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use shared::{FilterField, FilterParams, Session, SessionStatus, SortKey, SortOrder};

use super::cursor::{Cursor, CursorKey};
use super::deliveries::DeliveryRow;
use super::models::{SessionRecord, SessionRow, fold, sort_key};
use super::people::People;
use super::schema::{apps, kill_deliveries, session_counts, sessions, user_session_counts, users};
use super::statement::{FixedSql, LiteralLimit, fixed_sql, limit_step, literal_limit};
use super::{Backend, DbConnection};

/// A case-insensitive substring search in the user's name, email, or either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFilter {
    /// `None` matches the term in either field.
    pub field: Option<FilterField>,
    /// Already folded with [`super::models::fold`].
    pub folded_term: String,
}

/// Which sessions to read; the default reads them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub text: Option<TextFilter>,
    /// Empty means any status.
    pub statuses: Vec<SessionStatus>,
}

impl SessionFilter {
    /// The filter a request asked for, its term case-folded as the users' folded columns are.
    pub fn new(asked: &FilterParams) -> SessionFilter {
        SessionFilter {
            text: asked.contains.as_ref().map(|term| TextFilter {
                field: asked.field,
                folded_term: fold(term),
            }),
            statuses: asked.status.clone(),
        }
    }

    /// Whether it lets every session through, so that any page of it is one walk of an index that
    /// stops after the page: a read of microseconds a row, however many sessions there are.
    pub fn matches_all(&self) -> bool {
        self.text.is_none() && self.statuses.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub sort: SortKey,
    pub order: SortOrder,
    /// Where the previous page ended; `None` for the first page.
    pub after: Option<Cursor>,
    pub limit: u32,
}

#[derive(Debug)]
pub struct Page {
    /// As the API shows them, each killed one with its delivery.
    pub sessions: Vec<Session>,
    /// Present when more rows follow.
    pub next: Option<Cursor>,
}

/// The sessions table with what a page shows beside each session: its user, its app, and its kill's
/// delivery when there is one. Outer joins, although every session has a user and an app: the
/// planner may not reorder them, so the sessions table stays the outer loop and the page one walk of
/// its index in the sort's order (with inner joins, SQLite sometimes started from the apps and
/// sorted every session of the table to answer a page of one).
type PageSource = LeftJoin<
    LeftJoin<LeftJoin<sessions::table, users::table>, apps::table>,
    kill_deliveries::table,
>;

fn page_source() -> PageSource {
    sessions::table
        .left_join(users::table)
        .left_join(apps::table)
        .left_join(kill_deliveries::table)
}

/// A session of a page: the row, the sort's text key (for the cursor; `None` for other sorts), the
/// user's name and email, the app's name (each `None` only in a broken database), and the kill's
/// delivery.
type PageRow = (
    SessionRow,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DeliveryRow>,
);

/// The text key the cursor of `sort` needs, read from the index row the page walks; nothing for the
/// other sorts, so that a page does not carry three keys per row to use one of the last row's.
fn cursor_text(sort: SortKey) -> FixedSql<Nullable<Text>> {
    fixed_sql(match sort {
        SortKey::Name => "sessions.name_key",
        SortKey::Email => "sessions.email_key",
        SortKey::AppName => "sessions.app_key",
        SortKey::Id | SortKey::StartTime | SortKey::Status | SortKey::Duration => "NULL",
    })
}

/// Up to this many matching users are bound as a list; beyond it the users query runs as a subquery.
const MAX_LISTED_USERS: i64 = 10_000;
/// Up to this many matching users, a name or email sort seeks each one's key in the sort's index; with
/// more (and a broad match) walking the index and skipping other users' rows is quicker.
const MAX_SEEKED_USERS: usize = 500;
/// Above this many matching sessions, a page is found faster by walking the sort's index and skipping
/// rows of other users than by collecting every match through the user index and sorting them.
const BROAD_MATCH: u64 = 20_000;

/// The session's user id as an expression (`+column`) rather than the column: both databases then
/// test it row by row and never answer it through the user index, which keeps a broad filter from
/// displacing the sort's index. (SQLite's `likely()` hint, used here before, no longer does that: its
/// planner looks through it and chose the user index, then read and sorted every matching session,
/// 160 to 220 ms for "jo" over a million sessions, against about 1 ms walking the sort's index.)
const USER_ID_NOT_INDEXED: &str = "+sessions.user_id";

fn user_id_not_indexed() -> FixedSql<BigInt> {
    fixed_sql(USER_ID_NOT_INDEXED)
}

/// `%term%` for LIKE, with LIKE's own wildcards in the term taken literally.
fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn users_query(text: &TextFilter) -> users::BoxedQuery<'static, Backend, BigInt> {
    let pattern = contains_pattern(&text.folded_term);
    let query = users::table.select(users::id).into_boxed::<Backend>();
    match text.field {
        Some(FilterField::Name) => query.filter(users::name_folded.like(pattern).escape('\\')),
        Some(FilterField::Email) => query.filter(users::email_folded.like(pattern).escape('\\')),
        None => query.filter(
            users::name_folded
                .like(pattern.clone())
                .escape('\\')
                .or(users::email_folded.like(pattern).escape('\\')),
        ),
    }
}

/// `column IN (the ids of the users the filter matches)`. Written as SQL because a boxed query of the
/// two-backend connection cannot be nested in another one; the term is bound, never inlined.
fn user_id_matches<QS: 'static>(
    column: &str,
    text: &TextFilter,
) -> Box<dyn BoxableExpression<QS, Backend, SqlType = Bool>> {
    let pattern = contains_pattern(&text.folded_term);
    let head = format!("{column} IN (SELECT id FROM users WHERE ");
    match text.field {
        Some(FilterField::Name) => Box::new(
            diesel::dsl::sql::<Bool>(&head)
                .sql("name_folded LIKE ")
                .bind::<Text, _>(pattern)
                .sql(" ESCAPE '\\')"),
        ),
        Some(FilterField::Email) => Box::new(
            diesel::dsl::sql::<Bool>(&head)
                .sql("email_folded LIKE ")
                .bind::<Text, _>(pattern)
                .sql(" ESCAPE '\\')"),
        ),
        None => Box::new(
            diesel::dsl::sql::<Bool>(&head)
                .sql("name_folded LIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" ESCAPE '\\' OR email_folded LIKE ")
                .bind::<Text, _>(pattern)
                .sql(" ESCAPE '\\')"),
        ),
    }
}

/// The users a text filter matches.
#[derive(Debug, Clone)]
enum MatchingUsers {
    /// Their ids, and their distinct folded names and emails: the sort keys their sessions carry.
    Listed {
        ids: Vec<i64>,
        names: Vec<String>,
        emails: Vec<String>,
    },
    TooManyToList(TextFilter),
}

/// Narrows `$query` (any boxed query over the sessions table) to the sessions `$resolved` matches,
/// shaped for walking the index of `$sort`.
macro_rules! narrowed {
    ($resolved:expr, $query:expr, $sort:expr) => {{
        let mut query = $query;
        let sort: SortKey = $sort;
        if let Some(users) = &$resolved.users {
            query = match (users, $resolved.broad) {
                // The matching users' names (or emails) are exactly the keys to seek in the sort's
                // index, in order; the user condition then only weeds out namesakes.
                (MatchingUsers::Listed { ids, names, .. }, broad)
                    if sort == SortKey::Name && (!broad || ids.len() <= MAX_SEEKED_USERS) =>
                {
                    query
                        .filter(sessions::name_key.eq_any(names.clone()))
                        .filter(user_id_not_indexed().eq_any(ids.clone()))
                }
                (MatchingUsers::Listed { ids, emails, .. }, broad)
                    if sort == SortKey::Email && (!broad || ids.len() <= MAX_SEEKED_USERS) =>
                {
                    query
                        .filter(sessions::email_key.eq_any(emails.clone()))
                        .filter(user_id_not_indexed().eq_any(ids.clone()))
                }
                (MatchingUsers::Listed { ids, .. }, false) => {
                    query.filter(sessions::user_id.eq_any(ids.clone()))
                }
                (MatchingUsers::Listed { ids, .. }, true) => {
                    query.filter(user_id_not_indexed().eq_any(ids.clone()))
                }
                (MatchingUsers::TooManyToList(text), false) => {
                    query.filter(user_id_matches("sessions.user_id", text))
                }
                (MatchingUsers::TooManyToList(text), true) => {
                    query.filter(user_id_matches(USER_ID_NOT_INDEXED, text))
                }
            };
        }
        if !$resolved.filter.statuses.is_empty() {
            query = query.filter(sessions::status.eq_any($resolved.filter.statuses.clone()));
        }
        query
    }};
}

/// A filter made ready to query with: its users found, its breadth known.
pub(super) struct Resolved<'a> {
    filter: &'a SessionFilter,
    users: Option<MatchingUsers>,
    total: u64,
    broad: bool,
}

impl<'a> Resolved<'a> {
    pub(super) fn new(
        conn: &mut DbConnection,
        filter: &'a SessionFilter,
    ) -> QueryResult<Resolved<'a>> {
        let users = match &filter.text {
            None => None,
            Some(text) => {
                let found: Vec<(i64, String, String)> = users_query(text)
                    .select((users::id, users::name, users::email))
                    .limit(MAX_LISTED_USERS + 1)
                    .load(conn)?;
                Some(if found.len() as i64 > MAX_LISTED_USERS {
                    MatchingUsers::TooManyToList(text.clone())
                } else {
                    let ids = found.iter().map(|(id, _, _)| *id).collect();
                    let names: BTreeSet<String> =
                        found.iter().map(|(_, name, _)| sort_key(name)).collect();
                    let emails: BTreeSet<String> =
                        found.iter().map(|(_, _, email)| sort_key(email)).collect();
                    MatchingUsers::Listed {
                        ids,
                        names: names.into_iter().collect(),
                        emails: emails.into_iter().collect(),
                    }
                })
            }
        };
        let mut resolved = Resolved {
            filter,
            users,
            total: 0,
            broad: false,
        };
        resolved.total = resolved.count(conn)?;
        resolved.broad = resolved.users.is_some() && resolved.total > BROAD_MATCH;
        Ok(resolved)
    }

    /// Sessions matching the filter, from the counters the triggers keep.
    fn count(&self, conn: &mut DbConnection) -> QueryResult<u64> {
        let statuses = self.filter.statuses.clone();
        let total: i64 = match &self.users {
            None => {
                let mut query = session_counts::table
                    .select(sum_of_sessions())
                    .into_boxed::<Backend>();
                if !statuses.is_empty() {
                    query = query.filter(session_counts::status.eq_any(statuses));
                }
                query.get_result(conn)?
            }
            Some(users) => {
                let mut query = user_session_counts::table
                    .select(sum_of_sessions())
                    .into_boxed::<Backend>();
                query = match users {
                    MatchingUsers::Listed { ids, .. } => {
                        query.filter(user_session_counts::user_id.eq_any(ids.clone()))
                    }
                    MatchingUsers::TooManyToList(text) => {
                        query.filter(user_id_matches("user_session_counts.user_id", text))
                    }
                };
                if !statuses.is_empty() {
                    query = query.filter(user_session_counts::status.eq_any(statuses.clone()));
                }
                query.get_result(conn)?
            }
        };
        Ok(total.max(0) as u64)
    }

    /// Sessions matching the filter, shaped for walking the index of `sort`.
    pub(super) fn sessions(&self, sort: SortKey) -> sessions::BoxedQuery<'static, Backend> {
        narrowed!(self, sessions::table.into_boxed(), sort)
    }

    /// [`Self::sessions`] with what a page shows of each, selected.
    fn page(&self, sort: SortKey) -> IntoBoxed<'static, PageSource, Backend> {
        narrowed!(self, page_source().into_boxed(), sort)
    }
}

/// `SUM(sessions)` as a plain integer (Diesel's `sum` would give a NUMERIC); both counter tables name
/// the column alike.
fn sum_of_sessions() -> FixedSql<BigInt> {
    fixed_sql("CAST(COALESCE(SUM(sessions), 0) AS BIGINT)")
}

/// Orders by `column` then id, starting after `after` (a key and an id) when given. The `>=` term lets
/// the database seek straight into the index; the second term skips the rows of the same key already sent.
macro_rules! keyset {
    ($query:expr, $column:expr, $after:expr, $order:expr) => {{
        let query = $query;
        let query = match ($order, $after) {
            (SortOrder::Asc, Some((key, id))) => query
                .filter($column.ge(key.clone()))
                .filter($column.gt(key).or(sessions::id.gt(id))),
            (SortOrder::Desc, Some((key, id))) => query
                .filter($column.le(key.clone()))
                .filter($column.lt(key).or(sessions::id.lt(id))),
            (_, None) => query,
        };
        match $order {
            SortOrder::Asc => query.order_by(($column.asc(), sessions::id.asc())),
            SortOrder::Desc => query.order_by(($column.desc(), sessions::id.desc())),
        }
    }};
}

fn text_key(after: &Option<Cursor>) -> Option<(String, i64)> {
    after.as_ref().map(|c| match &c.key {
        Some(CursorKey::Text(text)) => (text.clone(), c.id),
        // Cursor::decode only lets through keys that fit the sort.
        _ => unreachable!("a text sort with a cursor key that is not text"),
    })
}

fn int_key(after: &Option<Cursor>) -> Option<(i64, i64)> {
    after.as_ref().map(|c| match &c.key {
        Some(CursorKey::Int(value)) => (*value, c.id),
        _ => unreachable!("a numeric sort with a cursor key that is not a number"),
    })
}

/// Reads up to `rows` rows of `query`, written with a cacheable limit (see `super::statement`).
fn load_page<Q>(conn: &mut DbConnection, query: Q, rows: i64) -> QueryResult<Vec<PageRow>>
where
    LiteralLimit<Q>: diesel::query_dsl::LoadQuery<'static, DbConnection, PageRow>,
{
    let rows = usize::try_from(rows).unwrap_or(0);
    let step = limit_step(u32::try_from(rows).unwrap_or(u32::MAX));
    // Sized once: rows are large, and growing the page by doubling copied each about twice.
    let mut page = Vec::with_capacity(rows);
    for row in literal_limit(query, step)
        .load_iter::<PageRow, DefaultLoadingMode>(conn)?
        .take(rows)
    {
        page.push(row?);
    }
    Ok(page)
}

/// One page of sessions matching `filter` and how many match in all.
/// `now` is the clock of this request.
pub fn list_sessions(
    conn: &mut DbConnection,
    filter: &SessionFilter,
    page: &PageRequest,
    now: i64,
) -> QueryResult<(Page, u64)> {
    let resolved = Resolved::new(conn, filter)?;
    let total = resolved.total;
    let fetch = i64::from(page.limit) + 1;
    let order = page.order;
    let query = resolved.page(page.sort).select(page_columns(page.sort));
    let (rows, as_of): (Vec<PageRow>, _) = match page.sort {
        SortKey::Id => {
            let query = match (order, &page.after) {
                (SortOrder::Asc, Some(c)) => query.filter(sessions::id.gt(c.id)),
                (SortOrder::Desc, Some(c)) => query.filter(sessions::id.lt(c.id)),
                (_, None) => query,
            };
            let query = match order {
                SortOrder::Asc => query.order_by(sessions::id.asc()),
                SortOrder::Desc => query.order_by(sessions::id.desc()),
            };
            (load_page(conn, query, fetch)?, None)
        }
        SortKey::Name => (
            load_page(
                conn,
                keyset!(query, sessions::name_key, text_key(&page.after), order),
                fetch,
            )?,
            None,
        ),
        SortKey::Email => (
            load_page(
                conn,
                keyset!(query, sessions::email_key, text_key(&page.after), order),
                fetch,
            )?,
            None,
        ),
        SortKey::AppName => (
            load_page(
                conn,
                keyset!(query, sessions::app_key, text_key(&page.after), order),
                fetch,
            )?,
            None,
        ),
        SortKey::Status => (
            load_page(
                conn,
                keyset!(query, sessions::status, text_key(&page.after), order),
                fetch,
            )?,
            None,
        ),
        SortKey::StartTime => (
            load_page(
                conn,
                keyset!(query, sessions::start_time, int_key(&page.after), order),
                fetch,
            )?,
            None,
        ),
        SortKey::Duration => {
            let as_of = page.after.as_ref().and_then(|c| c.as_of).unwrap_or(now);
            (by_duration(conn, &resolved, page, as_of)?, Some(as_of))
        }
    };
    let (rows, next) = cut_page(rows, page, as_of)?;
    let sessions = rows
        .into_iter()
        .map(|(row, _, name, email, app_name, delivery)| {
            // The foreign keys guarantee both exist; a miss is a broken database, not a bad request.
            let broken = |what: &str| {
                diesel::result::Error::QueryBuilderError(
                    format!("session {} has no {what}", row.id).into(),
                )
            };
            let (Some(name), Some(email)) = (name, email) else {
                return Err(broken("user"));
            };
            let app_name = app_name.ok_or_else(|| broken("app"))?;
            let mut session = SessionRecord {
                row,
                name,
                email,
                app_name,
            }
            .into_session(now)?;
            session.delivery = delivery.map(|delivery| delivery.to_delivery());
            Ok(session)
        })
        .collect::<QueryResult<_>>()?;
    Ok((Page { sessions, next }, total))
}

/// What a page selects of each session (see [`PageRow`]).
fn page_columns(sort: SortKey) -> PageColumns {
    (
        SessionRow::as_select(),
        cursor_text(sort),
        users::name.nullable(),
        users::email.nullable(),
        apps::name.nullable(),
        Option::<DeliveryRow>::as_select(),
    )
}

type PageColumns = (
    AsSelect<SessionRow, Backend>,
    FixedSql<Nullable<Text>>,
    diesel::dsl::Nullable<users::name>,
    diesel::dsl::Nullable<users::email>,
    diesel::dsl::Nullable<apps::name>,
    AsSelect<Option<DeliveryRow>, Backend>,
);

/// Active sessions' durations grow with the clock, so no index can hold them: ended sessions come from
/// their duration index, active ones (few) by start time, and the two sorted runs are merged here.
fn by_duration(
    conn: &mut DbConnection,
    resolved: &Resolved,
    page: &PageRequest,
    as_of: i64,
) -> QueryResult<Vec<PageRow>> {
    let fetch = i64::from(page.limit) + 1;
    let order = page.order;
    let after = int_key(&page.after);

    let ended = resolved
        .page(SortKey::Duration)
        .select(page_columns(SortKey::Duration))
        .filter(sessions::ended_duration.is_not_null());
    let ended = load_page(
        conn,
        keyset!(ended, sessions::ended_duration, after, order),
        fetch,
    )?;

    // An active session's duration is as_of - start, so a longer duration is an earlier start.
    let active = resolved
        .page(SortKey::Duration)
        .select(page_columns(SortKey::Duration))
        .filter(sessions::end_time.is_null());
    let active = match (order, after) {
        (SortOrder::Asc, Some((duration, id))) => {
            let start = as_of - duration;
            active
                .filter(sessions::start_time.le(start))
                .filter(sessions::start_time.lt(start).or(sessions::id.gt(id)))
        }
        (SortOrder::Desc, Some((duration, id))) => {
            let start = as_of - duration;
            active
                .filter(sessions::start_time.ge(start))
                .filter(sessions::start_time.gt(start).or(sessions::id.lt(id)))
        }
        (_, None) => active,
    };
    let active = match order {
        SortOrder::Asc => active.order_by((sessions::start_time.desc(), sessions::id.asc())),
        SortOrder::Desc => active.order_by((sessions::start_time.asc(), sessions::id.desc())),
    };
    let active = load_page(conn, active, fetch)?;

    let duration_key =
        |(row, ..): &PageRow| (row.ended_duration.unwrap_or(as_of - row.start_time), row.id);
    let mut merged = Vec::with_capacity(ended.len() + active.len());
    let (mut ended, mut active) = (ended.into_iter().peekable(), active.into_iter().peekable());
    while merged.len() < fetch as usize {
        let take_ended = match (ended.peek(), active.peek()) {
            (Some(e), Some(a)) => match order {
                SortOrder::Asc => duration_key(e) < duration_key(a),
                SortOrder::Desc => duration_key(e) > duration_key(a),
            },
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_ended {
            ended.next()
        } else {
            active.next()
        };
        merged.extend(next);
    }
    Ok(merged)
}

/// Cuts the extra row fetched to learn whether another page follows, and writes the cursor to it.
fn cut_page(
    mut rows: Vec<PageRow>,
    page: &PageRequest,
    as_of: Option<i64>,
) -> QueryResult<(Vec<PageRow>, Option<Cursor>)> {
    let limit = page.limit as usize;
    if rows.len() <= limit {
        return Ok((rows, None));
    }
    rows.truncate(limit);
    let Some((last, text, ..)) = rows.last() else {
        return Ok((rows, None));
    };
    let next = Cursor {
        sort: page.sort,
        order: page.order,
        key: match page.sort {
            SortKey::Id => None,
            // `cursor_text` selected the key of these sorts, from a column that is never null.
            SortKey::Name | SortKey::Email | SortKey::AppName => {
                Some(CursorKey::Text(text.clone().ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!("session {} has no sort key", last.id).into(),
                    )
                })?))
            }
            SortKey::Status => Some(CursorKey::Text(last.status.as_str().to_owned())),
            SortKey::StartTime => Some(CursorKey::Int(last.start_time)),
            SortKey::Duration => {
                Some(CursorKey::Int(last.ended_duration.unwrap_or_else(|| {
                    as_of.unwrap_or_default() - last.start_time
                })))
            }
        },
        id: last.id,
        as_of,
    };
    Ok((rows, Some(next)))
}

/// Adds each session's user and app, looked up by id for the whole page at once.
pub fn with_people(
    conn: &mut DbConnection,
    rows: Vec<SessionRow>,
) -> QueryResult<Vec<SessionRecord>> {
    let mut people = People::default();
    people.load(conn, rows.iter().map(|r| (r.user_id, r.app_id)))?;
    rows.into_iter()
        .map(|row| {
            // The foreign keys guarantee both exist; a miss is a broken database, not a bad request.
            let (name, email) = people.person(row.user_id).cloned().ok_or_else(|| {
                diesel::result::Error::QueryBuilderError(
                    format!("session {} has no user", row.id).into(),
                )
            })?;
            let app_name = people
                .app_name(row.app_id)
                .map(str::to_owned)
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!("session {} has no app", row.id).into(),
                    )
                })?;
            Ok(SessionRecord {
                row,
                name,
                email,
                app_name,
            })
        })
        .collect()
}

/// One session, or `NotFound`.
pub fn find_session(conn: &mut DbConnection, id: i64) -> QueryResult<SessionRecord> {
    let row = sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)?;
    Ok(with_people(conn, vec![row])?.remove(0))
}

/// The sessions among `ids` that exist, by id: one query for the sessions, one for their people.
pub fn find_sessions(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, SessionRecord>> {
    let rows = sessions::table
        .filter(sessions::id.eq_any(ids))
        .select(SessionRow::as_select())
        .load(conn)?;
    Ok(with_people(conn, rows)?
        .into_iter()
        .map(|record| (record.row.id, record))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_wildcards_in_a_term_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
