//! Usage at a glance: the concurrent-session series of a range, with the figures beside it. The
//! database sweeps the sessions ([`crate::db::usage`]); this carries each bucket's value into the next
//! and names the apps, bucket by bucket, never session by session.

pub mod grid;

use chrono::DateTime;
use chrono_tz::Tz;
use diesel::QueryResult;
use shared::{USAGE_TOP_APPS, Usage, UsageBucket, UsagePeak, UsageSeries, UsageStep};

use crate::db::DbConnection;
use crate::db::usage::{
    AppCounts, SweptBucket, app_counts, app_names, running_before, sweep, sweep_all,
};
use grid::{Buckets, one_bucket, start_of_day};

/// What a usage request asks, read and checked.
#[derive(Debug, Clone)]
pub struct UsageRequest {
    pub from: i64,
    pub to: i64,
    pub step: UsageStep,
    pub tz: Tz,
    pub by_app: bool,
    pub now: i64,
    pub buckets: Buckets,
}

fn time(seconds: i64) -> DateTime<chrono::Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// Each bucket's peak and its first moment, from the running value just before the first bucket and
/// the swept buckets of one group (in bucket order; buckets without events are missing).
fn peaks(starts: &[i64], from: i64, before: i64, swept: &[&SweptBucket]) -> Vec<(i64, i64)> {
    let mut carried = before;
    let mut swept = swept.iter().peekable();
    let mut peaks = Vec::with_capacity(starts.len());
    for (index, &start) in starts.iter().enumerate() {
        match swept.next_if(|bucket| bucket.bucket <= index as i64) {
            Some(bucket) => {
                let at_start = carried + bucket.at_start;
                let (highest, at) = bucket.best(from);
                let highest = before + highest;
                peaks.push(if at_start >= highest {
                    (at_start, start)
                } else {
                    (highest, at)
                });
                carried += bucket.net;
            }
            None => peaks.push((carried, start)),
        }
    }
    peaks
}

fn highest(peaks: &[(i64, i64)]) -> Option<UsagePeak> {
    let mut best: Option<(i64, i64)> = None;
    for &(sessions, at) in peaks {
        if best.is_none_or(|(most, _)| sessions > most) {
            best = Some((sessions, at));
        }
    }
    best.map(|(sessions, at)| UsagePeak {
        sessions,
        at: time(at),
    })
}

fn of_group(swept: &[SweptBucket], group: i64) -> Vec<&SweptBucket> {
    swept.iter().filter(|bucket| bucket.grp == group).collect()
}

/// The usage the request asks for, read in the caller's transaction.
pub fn usage(conn: &mut DbConnection, request: &UsageRequest) -> QueryResult<Usage> {
    let grid = &request.buckets.grid;
    let starts = &request.buckets.starts;
    let swept = sweep_all(conn, grid, starts)?;
    let all = of_group(&swept, 0);
    let running = running_before(conn, grid, &all)?;
    let series = peaks(starts, grid.from, running.before, &all);

    let apps = if request.by_app {
        by_app(conn, request, running.before)?
    } else {
        Vec::new()
    };

    let today_start = start_of_day(request.tz, request.now);
    let peak_today = match starts.iter().position(|&start| start == today_start) {
        // The range's buckets from midnight on cover today exactly: no second sweep.
        Some(first) if grid.until == request.now + 1 => highest(&series[first..]),
        _ => peak_today(conn, today_start, request.now)?,
    }
    .unwrap_or(UsagePeak {
        sessions: 0,
        at: time(today_start),
    });

    Ok(Usage {
        from: time(request.from),
        to: time(request.to),
        step: request.step,
        tz: request.tz.name().to_owned(),
        active_now: running.now,
        today_start: time(today_start),
        peak_today,
        peak_in_range: highest(&series),
        buckets: series
            .iter()
            .zip(starts)
            .map(|(&(peak, _), &start)| UsageBucket {
                start: time(start),
                peak,
            })
            .collect(),
        apps,
    })
}

/// The most sessions at once from `today_start` until now, swept on their own.
fn peak_today(
    conn: &mut DbConnection,
    today_start: i64,
    now: i64,
) -> QueryResult<Option<UsagePeak>> {
    let today = one_bucket(today_start, now + 1);
    let swept = sweep_all(conn, &today, &[today_start])?;
    let all = of_group(&swept, 0);
    let before = running_before(conn, &today, &all)?.before;
    Ok(highest(&peaks(&[today_start], today.from, before, &all)))
}

/// The series of the apps with the most sessions in the range, then of all the others together.
fn by_app(
    conn: &mut DbConnection,
    request: &UsageRequest,
    before: i64,
) -> QueryResult<Vec<UsageSeries>> {
    let grid = &request.buckets.grid;
    let starts = &request.buckets.starts;
    let counts = app_counts(conn, grid.from, grid.until)?;
    let mut ranked: Vec<(i64, AppCounts)> = counts
        .iter()
        .filter(|(_, app)| app.within() > 0)
        .map(|(&id, &app)| (id, app))
        .collect();
    ranked.sort_by_key(|&(id, app)| (std::cmp::Reverse(app.within()), id));
    let (top, rest) = ranked.split_at(ranked.len().min(USAGE_TOP_APPS));
    let ids: Vec<i64> = top.iter().map(|&(id, _)| id).collect();
    let names = app_names(conn, &ids)?;
    let swept = sweep(conn, grid, Some(&ids))?;
    let mut series: Vec<UsageSeries> = top
        .iter()
        .map(|(id, app)| UsageSeries {
            app: Some(names.get(id).cloned().unwrap_or_default()),
            peaks: peaks(
                starts,
                grid.from,
                app.running_before(),
                &of_group(&swept, *id),
            )
            .into_iter()
            .map(|(peak, _)| peak)
            .collect(),
        })
        .collect();
    if !rest.is_empty() {
        let named: i64 = top.iter().map(|(_, app)| app.running_before()).sum();
        let before = before - named;
        series.push(UsageSeries {
            app: None,
            peaks: peaks(starts, grid.from, before, &of_group(&swept, 0))
                .into_iter()
                .map(|(peak, _)| peak)
                .collect(),
        });
    }
    Ok(series)
}
