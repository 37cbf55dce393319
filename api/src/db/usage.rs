//! The usage series, swept in the database: each session is a +1 at its start and a -1 at its end, and
//! a running sum over those events in time order is the number of sessions running at each moment.
//! The range is swept once and the peaks grouped into buckets ([`sweep`]), or, for the series of all
//! sessions on SQLite, each bucket's span is swept on its own ([`sweep_all`]). Sessions
//! that began before the range are counted from indexed counts instead of being read: running just
//! before `from` = running now + ended since `from` - started since `from`, which reads only the
//! sessions of the range however long the table's history.
//!
//! The SQL is the same on both backends; the numbers in it are written by this code (never client
//! text), so it is built as text and needs no backend-specific placeholders.

use std::collections::HashMap;
use std::fmt::Write;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use crate::db::DbConnection;
use crate::db::schema::apps;

/// How event times fall into buckets: bucket = (t + offset(t) - origin) / step, with `offset` the zone's
/// UTC offset for day buckets (so they follow the zone's days) and 0 otherwise.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The events of `from`..`until` are swept.
    pub from: i64,
    pub until: i64,
    pub origin: i64,
    pub step: i64,
    /// The offset (seconds) from `from` on, then each later change: (instant, offset from then on).
    pub offsets: Vec<(i64, i64)>,
}

impl Grid {
    /// `t + offset(t) - origin`, in SQL.
    fn place(&self, t: &str) -> String {
        let mut offset = String::new();
        match self.offsets.as_slice() {
            [] => offset.push('0'),
            [(_, only)] => write!(offset, "{only}").unwrap(),
            [first, rest @ ..] => {
                offset.push_str("CASE");
                let mut current = first.1;
                for (since, next) in rest {
                    write!(offset, " WHEN {t} < {since} THEN {current}").unwrap();
                    current = *next;
                }
                write!(offset, " ELSE {current} END").unwrap();
            }
        }
        format!("({t} + {offset} - {})", self.origin)
    }
}

/// The events' time within the range and the running value are packed into one number, so one
/// `MAX` per bucket finds both the peak and the first moment it was reached (the larger the low part,
/// the earlier): value * 2^34 + (2^34 - 1 - (t - from)). 2^34 seconds are 544 years.
const PACK: i64 = 1 << 34;

/// One bucket of one group as the sweep leaves it; values are relative to the running value just
/// before the range begins.
#[derive(Debug, QueryableByName)]
pub struct SweptBucket {
    #[diesel(sql_type = BigInt)]
    pub grp: i64,
    #[diesel(sql_type = BigInt)]
    pub bucket: i64,
    /// Starts minus ends within the bucket.
    #[diesel(sql_type = BigInt)]
    pub net: i64,
    /// Starts within the bucket.
    #[diesel(sql_type = BigInt)]
    pub starts: i64,
    /// Starts minus ends at the bucket's first second.
    #[diesel(sql_type = BigInt)]
    pub at_start: i64,
    #[diesel(sql_type = BigInt)]
    packed: i64,
}

impl SweptBucket {
    /// The highest running value within the bucket (relative), and the first instant it was reached.
    pub fn best(&self, from: i64) -> (i64, i64) {
        let value = self.packed.div_euclid(PACK);
        let offset = PACK - 1 - self.packed.rem_euclid(PACK);
        (value, from + offset)
    }
}

/// The group of a session in SQL: each listed app's id, and 0 for every other app (ids start at 1).
fn group_of(apps: &[i64]) -> String {
    if apps.is_empty() {
        return "0".to_owned();
    }
    let list = apps
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    format!("CASE WHEN app_id IN ({list}) THEN app_id ELSE 0 END")
}

#[derive(Debug, QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = BigInt)]
    bucket: i64,
    #[diesel(sql_type = BigInt)]
    starts: i64,
    #[diesel(sql_type = BigInt)]
    ends: i64,
    #[diesel(sql_type = BigInt)]
    at_start: i64,
    /// As [`SweptBucket`]'s, but relative to the running value when the bucket began; absent when the
    /// bucket has no events.
    #[diesel(sql_type = Nullable<BigInt>)]
    packed: Option<i64>,
}

/// Sweeps every session's starts and ends, bucket by bucket: `starts` are the buckets' first seconds
/// (the first is the range's `from`), and the last bucket ends at `until`. The same answer as
/// [`sweep`] without groups, found another way: each bucket's events are read from the start and end
/// indexes over that bucket's span alone and swept on their own, so the database never sorts the
/// range's events by bucket; the values are then carried from bucket to bucket here.
fn sweep_buckets(
    conn: &mut DbConnection,
    starts: &[i64],
    until: i64,
) -> QueryResult<Vec<SweptBucket>> {
    let Some(&from) = starts.first() else {
        return Ok(Vec::new());
    };
    let mut spans = String::new();
    for (index, &start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(until);
        if index == 0 {
            // The first row's types are the columns' (PostgreSQL would take small numbers as INTEGER).
            write!(
                spans,
                "(CAST({index} AS BIGINT), CAST({start} AS BIGINT), CAST({end} AS BIGINT))"
            )
            .unwrap();
        } else {
            write!(spans, ", ({index}, {start}, {end})").unwrap();
        }
    }
    let sql = format!(
        "WITH spans (bucket, lo, hi) AS (VALUES {spans})
         SELECT bucket,
                (SELECT COUNT(*) FROM sessions WHERE start_time >= lo AND start_time < hi) AS starts,
                (SELECT COUNT(*) FROM sessions WHERE end_time >= lo AND end_time < hi) AS ends,
                (SELECT COUNT(*) FROM sessions WHERE start_time = lo)
                    - (SELECT COUNT(*) FROM sessions WHERE end_time = lo) AS at_start,
                (SELECT CAST(MAX(running * {PACK} + ({PACK} - 1 - (t - {from}))) AS BIGINT)
                 FROM (SELECT t, SUM(d) OVER (ORDER BY t) AS running
                       FROM (SELECT start_time AS t, 1 AS d FROM sessions
                             WHERE start_time >= lo AND start_time < hi
                             UNION ALL
                             SELECT end_time, -1 FROM sessions
                             WHERE end_time >= lo AND end_time < hi
                             ORDER BY 1) AS events) AS swept) AS packed
         FROM spans
         ORDER BY bucket"
    );
    let rows: Vec<BucketRow> = crate::on_backend!(conn, |c| diesel::sql_query(&sql).load(c))?;
    let mut swept = Vec::new();
    let mut net_before = 0;
    for row in rows {
        let net = row.starts - row.ends;
        if let Some(packed) = row.packed {
            swept.push(SweptBucket {
                grp: 0,
                bucket: row.bucket,
                net,
                starts: row.starts,
                at_start: row.at_start,
                packed: packed + net_before * PACK,
            });
        }
        net_before += net;
    }
    Ok(swept)
}

/// The series of all sessions over `grid`, whose buckets begin at `starts`: bucket by bucket on SQLite
/// ([`sweep_buckets`]), where the one sweep of the range spent most of its time in the window over all
/// its events and in sorting them by bucket (30 days at one hour over a million sessions: 110 ms, 72 ms
/// bucket by bucket); in one sweep on PostgreSQL ([`sweep`]), which sorts quickly but pays for each
/// small statement (91 ms, 207 ms bucket by bucket).
pub fn sweep_all(
    conn: &mut DbConnection,
    grid: &Grid,
    starts: &[i64],
) -> QueryResult<Vec<SweptBucket>> {
    match conn {
        DbConnection::Sqlite(_) => sweep_buckets(conn, starts, grid.until),
        DbConnection::Postgres(_) => sweep(conn, grid, None),
    }
}

/// Sweeps the starts and ends within the grid's range, per group; buckets without events are absent.
///
/// The events come from the start and end indexes, each already in time order, merged rather than
/// sorted (`ORDER BY` on the union), and the running sum takes that order as it is: in SQLite the sort
/// was most of the statement's cost. The running sum is over whole seconds (the default `RANGE` frame:
/// every event of a second sees the value after all of that second's events), so a session that ends
/// as another begins never counts with it, whatever order the two come in, and every row holds a value
/// the bucket really had.
pub fn sweep(
    conn: &mut DbConnection,
    grid: &Grid,
    apps: Option<&[i64]>,
) -> QueryResult<Vec<SweptBucket>> {
    let (from, until, step) = (grid.from, grid.until, grid.step);
    let (group, partition) = match apps {
        Some(apps) => (format!("{} AS grp, ", group_of(apps)), "PARTITION BY grp "),
        None => (String::new(), ""),
    };
    let (grp, carried) = if apps.is_some() {
        ("grp", "grp, ")
    } else {
        ("0", "")
    };
    let x = grid.place("t");
    let sql = format!(
        "WITH swept AS (
             SELECT {carried}t, d, SUM(d) OVER ({partition}ORDER BY t) AS running
             FROM (
                 SELECT {group}start_time AS t, 1 AS d FROM sessions
                 WHERE start_time >= {from} AND start_time < {until}
                 UNION ALL
                 SELECT {group}end_time, -1 FROM sessions
                 WHERE end_time >= {from} AND end_time < {until}
                 ORDER BY {order}
             ) AS events
         )
         SELECT CAST({grp} AS BIGINT) AS grp,
                CAST({x} / {step} AS BIGINT) AS bucket,
                CAST(SUM(d) AS BIGINT) AS net,
                CAST(SUM(CASE WHEN d > 0 THEN 1 ELSE 0 END) AS BIGINT) AS starts,
                CAST(SUM(CASE WHEN {x} % {step} = 0 THEN d ELSE 0 END) AS BIGINT) AS at_start,
                CAST(MAX(running * {PACK} + ({PACK} - 1 - (t - {from}))) AS BIGINT) AS packed
         FROM swept
         GROUP BY 1, 2
         ORDER BY 1, 2",
        order = if apps.is_some() { "1, 2" } else { "1" },
    );
    if let DbConnection::Postgres(pg) = conn {
        // PostgreSQL's default 4 MB spills the sort of a month of events (about 115,000 rows at a
        // million sessions) to disk; for this transaction only.
        diesel::sql_query("SET LOCAL work_mem = '32MB'").execute(pg)?;
    }
    crate::on_backend!(conn, |c| diesel::sql_query(&sql).load(c))
}

#[derive(Debug, QueryableByName)]
struct AfterRow {
    #[diesel(sql_type = BigInt)]
    active: i64,
    #[diesel(sql_type = BigInt)]
    started_after: i64,
    #[diesel(sql_type = BigInt)]
    ended_after: i64,
}

/// How many sessions ran just before a range began, and how many run now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub before: i64,
    pub now: i64,
}

/// Sessions running just before the grid's range, from the sweep of the range (one group's buckets)
/// and three counts that read only the active sessions and those after the range: running just before
/// `from` = running now + ended since `from` - started since `from`, and the sweep already counted the
/// starts and ends within the range. A range that ends now reads no session twice.
pub fn running_before(
    conn: &mut DbConnection,
    grid: &Grid,
    swept: &[&SweptBucket],
) -> QueryResult<Running> {
    let until = grid.until;
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM sessions WHERE end_time IS NULL) AS active,
                (SELECT COUNT(*) FROM sessions WHERE start_time >= {until}) AS started_after,
                (SELECT COUNT(*) FROM sessions WHERE end_time >= {until}) AS ended_after"
    );
    let after: AfterRow = crate::on_backend!(conn, |c| diesel::sql_query(&sql).get_result(c))?;
    let started_within: i64 = swept.iter().map(|bucket| bucket.starts).sum();
    let net_within: i64 = swept.iter().map(|bucket| bucket.net).sum();
    let ended_within = started_within - net_within;
    Ok(Running {
        before: after.active + (ended_within + after.ended_after)
            - (started_within + after.started_after),
        now: after.active,
    })
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    app_id: i64,
    #[diesel(sql_type = BigInt)]
    kind: i64,
    #[diesel(sql_type = BigInt)]
    sessions: i64,
}

/// What one app's sessions add up to around a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppCounts {
    /// Running now.
    pub active: i64,
    /// Ended at or after `from`.
    pub ended_since: i64,
    /// Started at or after `from`.
    pub started_since: i64,
    /// Started within `from`..`until`.
    pub started_within: i64,
}

impl AppCounts {
    /// Running just before `from`: every session that has not ended before `from` and began before it.
    pub fn running_before(&self) -> i64 {
        self.active + self.ended_since - self.started_since
    }

    /// Sessions that ran at some moment of the range.
    pub fn within(&self) -> i64 {
        self.running_before() + self.started_within
    }
}

/// The counts of each app that has sessions around `from`..`until`, read from the indexes alone.
pub fn app_counts(
    conn: &mut DbConnection,
    from: i64,
    until: i64,
) -> QueryResult<HashMap<i64, AppCounts>> {
    let sql = format!(
        "SELECT app_id, CAST(0 AS BIGINT) AS kind, COUNT(*) AS sessions FROM sessions
         WHERE end_time IS NULL GROUP BY app_id
         UNION ALL
         SELECT app_id, 1, COUNT(*) FROM sessions WHERE end_time >= {from} GROUP BY app_id
         UNION ALL
         SELECT app_id, 2, COUNT(*) FROM sessions WHERE start_time >= {from} GROUP BY app_id
         UNION ALL
         SELECT app_id, 3, COUNT(*) FROM sessions
         WHERE start_time >= {from} AND start_time < {until} GROUP BY app_id"
    );
    let rows: Vec<CountRow> = crate::on_backend!(conn, |c| diesel::sql_query(&sql).load(c))?;
    let mut counts: HashMap<i64, AppCounts> = HashMap::new();
    for row in rows {
        let app = counts.entry(row.app_id).or_default();
        match row.kind {
            0 => app.active = row.sessions,
            1 => app.ended_since = row.sessions,
            2 => app.started_since = row.sessions,
            _ => app.started_within = row.sessions,
        }
    }
    Ok(counts)
}

/// The names of the apps with these ids.
pub fn app_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(apps::table
        .filter(apps::id.eq_any(ids))
        .select((apps::id, apps::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}
