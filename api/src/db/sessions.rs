//! Reading sessions: one keyset page in any sort, exact totals, one session by id.

use diesel::prelude::*;
use shared::{FilterField, SessionStatus, SortKey, SortOrder};

use super::cursor::{Cursor, CursorKey};
use super::models::{SESSION_COLUMNS, SessionColumns, SessionRow};
use super::schema::{apps, session_counts, sessions, users};
use super::{Backend, DbConnection};

/// A case-insensitive substring search in the user's name, email, or either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFilter {
    /// `None` matches the term in either field.
    pub field: Option<FilterField>,
    /// Already folded with [`super::models::fold`].
    pub folded_term: String,
}

/// Start times from `from` (inclusive) to `until` (exclusive), in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartRange {
    pub from: i64,
    pub until: i64,
}

/// Which sessions to read; the default reads them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub text: Option<TextFilter>,
    /// Empty means any status.
    pub statuses: Vec<SessionStatus>,
    pub started: Option<StartRange>,
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
    pub rows: Vec<SessionRow>,
    /// Present when more rows follow.
    pub next: Option<Cursor>,
}

type JoinedSessions = diesel::dsl::Select<
    diesel::dsl::InnerJoin<diesel::dsl::InnerJoin<sessions::table, users::table>, apps::table>,
    SessionColumns,
>;
type BoxedSessions<'a> = diesel::dsl::IntoBoxed<'a, JoinedSessions, Backend>;

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

/// Applies a [`SessionFilter`] to any boxed query over sessions joined with users.
macro_rules! apply_filter {
    ($query:expr, $filter:expr) => {{
        let filter: &SessionFilter = $filter;
        let mut query = $query;
        if let Some(text) = &filter.text {
            let pattern = contains_pattern(&text.folded_term);
            query = match text.field {
                Some(FilterField::Name) => {
                    query.filter(users::name_folded.like(pattern).escape('\\'))
                }
                Some(FilterField::Email) => {
                    query.filter(users::email_folded.like(pattern).escape('\\'))
                }
                None => query.filter(
                    users::name_folded
                        .like(pattern.clone())
                        .escape('\\')
                        .or(users::email_folded.like(pattern).escape('\\')),
                ),
            };
        }
        if !filter.statuses.is_empty() {
            let names: Vec<&'static str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            query = query.filter(sessions::status.eq_any(names));
        }
        if let Some(range) = filter.started {
            query = query
                .filter(sessions::start_time.ge(range.from))
                .filter(sessions::start_time.lt(range.until));
        }
        query
    }};
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

fn filtered(filter: &SessionFilter) -> BoxedSessions<'_> {
    let query = sessions::table
        .inner_join(users::table)
        .inner_join(apps::table)
        .select(SESSION_COLUMNS)
        .into_boxed();
    apply_filter!(query, filter)
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

/// One page of sessions matching `filter`, in the order asked for. `now` is the clock of this request.
pub fn list_sessions(
    conn: &mut DbConnection,
    filter: &SessionFilter,
    page: &PageRequest,
    now: i64,
) -> QueryResult<Page> {
    let fetch = i64::from(page.limit) + 1;
    let order = page.order;
    let query = filtered(filter).limit(fetch);
    let rows: Vec<SessionRow> = match page.sort {
        SortKey::Id => {
            let query = match (order, &page.after) {
                (SortOrder::Asc, Some(c)) => query.filter(sessions::id.gt(c.id)),
                (SortOrder::Desc, Some(c)) => query.filter(sessions::id.lt(c.id)),
                (_, None) => query,
            };
            match order {
                SortOrder::Asc => query.order_by(sessions::id.asc()),
                SortOrder::Desc => query.order_by(sessions::id.desc()),
            }
            .load(conn)?
        }
        SortKey::Name => keyset!(query, sessions::name_key, text_key(&page.after), order).load(conn)?,
        SortKey::Email => keyset!(query, sessions::email_key, text_key(&page.after), order).load(conn)?,
        SortKey::AppName => keyset!(query, sessions::app_key, text_key(&page.after), order).load(conn)?,
        SortKey::Status => keyset!(query, sessions::status, text_key(&page.after), order).load(conn)?,
        SortKey::StartTime => {
            keyset!(query, sessions::start_time, int_key(&page.after), order).load(conn)?
        }
        SortKey::Duration => {
            let as_of = page.after.as_ref().and_then(|c| c.as_of).unwrap_or(now);
            return list_by_duration(conn, filter, page, as_of);
        }
    };
    Ok(finish_page(rows, page, None))
}

/// Active sessions' durations grow with the clock, so no index can hold them: ended sessions come from
/// their duration index, active ones (few) by start time, and the two sorted runs are merged here.
fn list_by_duration(
    conn: &mut DbConnection,
    filter: &SessionFilter,
    page: &PageRequest,
    as_of: i64,
) -> QueryResult<Page> {
    let fetch = i64::from(page.limit) + 1;
    let order = page.order;
    let after = int_key(&page.after);

    let ended = filtered(filter)
        .filter(sessions::ended_duration.is_not_null())
        .limit(fetch);
    let ended: Vec<SessionRow> = keyset!(ended, sessions::ended_duration, after, order).load(conn)?;

    // An active session's duration is as_of - start, so a longer duration is an earlier start.
    let active = filtered(filter).filter(sessions::end_time.is_null()).limit(fetch);
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
    let active: Vec<SessionRow> = match order {
        SortOrder::Asc => active.order_by((sessions::start_time.desc(), sessions::id.asc())),
        SortOrder::Desc => active.order_by((sessions::start_time.asc(), sessions::id.desc())),
    }
    .load(conn)?;

    let sort_key = |row: &SessionRow| (row.ended_duration.unwrap_or(as_of - row.start_time), row.id);
    let mut merged = Vec::with_capacity(ended.len() + active.len());
    let (mut ended, mut active) = (ended.into_iter().peekable(), active.into_iter().peekable());
    while merged.len() < fetch as usize {
        let take_ended = match (ended.peek(), active.peek()) {
            (Some(e), Some(a)) => match order {
                SortOrder::Asc => sort_key(e) < sort_key(a),
                SortOrder::Desc => sort_key(e) > sort_key(a),
            },
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_ended { ended.next() } else { active.next() };
        merged.extend(next);
    }
    Ok(finish_page(merged, page, Some(as_of)))
}

/// Cuts the extra row fetched to learn whether another page follows, and writes the cursor to it.
fn finish_page(mut rows: Vec<SessionRow>, page: &PageRequest, as_of: Option<i64>) -> Page {
    let limit = page.limit as usize;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| Cursor {
            sort: page.sort,
            order: page.order,
            key: match page.sort {
                SortKey::Id => None,
                SortKey::Name => Some(CursorKey::Text(last.name_key.clone())),
                SortKey::Email => Some(CursorKey::Text(last.email_key.clone())),
                SortKey::AppName => Some(CursorKey::Text(last.app_key.clone())),
                SortKey::Status => Some(CursorKey::Text(last.status.clone())),
                SortKey::StartTime => Some(CursorKey::Int(last.start_time)),
                SortKey::Duration => Some(CursorKey::Int(
                    last.ended_duration
                        .unwrap_or_else(|| as_of.unwrap_or_default() - last.start_time),
                )),
            },
            id: last.id,
            as_of,
        })
    } else {
        None
    };
    Page { rows, next }
}

/// How many sessions match `filter`. Without a text or time filter the answer comes from the counters
/// the triggers keep, so the total of an unfiltered million-row table costs nothing.
pub fn count_sessions(conn: &mut DbConnection, filter: &SessionFilter) -> QueryResult<u64> {
    if filter.text.is_none() && filter.started.is_none() {
        let mut query = session_counts::table.select(session_counts::sessions).into_boxed();
        if !filter.statuses.is_empty() {
            let names: Vec<&'static str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            query = query.filter(session_counts::status.eq_any(names));
        }
        let counts: Vec<i64> = query.load(conn)?;
        return Ok(counts.into_iter().sum::<i64>().max(0) as u64);
    }
    let query = sessions::table
        .inner_join(users::table)
        .select(diesel::dsl::count_star())
        .into_boxed::<Backend>();
    let count: i64 = apply_filter!(query, filter).get_result(conn)?;
    Ok(count.max(0) as u64)
}

/// One session, or `NotFound`.
pub fn find_session(conn: &mut DbConnection, id: i64) -> QueryResult<SessionRow> {
    sessions::table
        .inner_join(users::table)
        .inner_join(apps::table)
        .select(SESSION_COLUMNS)
        .filter(sessions::id.eq(id))
        .first(conn)
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_wildcards_in_a_term_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
