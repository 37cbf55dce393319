//! The ranges the usage panel offers, and the query each one asks `GET /sessions/usage`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use shared::UsageStep;

use crate::browser;

/// A range of the usage chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UsageRange {
    #[default]
    Day,
    Week,
    Month,
    /// Whole days in the viewer's zone, both included.
    Days(NaiveDate, NaiveDate),
}

impl UsageRange {
    /// The value of the range's `<option>`.
    pub fn key(self) -> &'static str {
        match self {
            UsageRange::Day => "24h",
            UsageRange::Week => "7d",
            UsageRange::Month => "30d",
            UsageRange::Days(..) => "days",
        }
    }
}

/// `now` rounded up to a whole `step`, so buckets start on whole hours and quarters.
fn rounded_up(now: i64, step: i64) -> i64 {
    (now / step + 1) * step
}

/// The `from`, `to` and `step` of a range, as of `now_ms`; None for days that cannot be placed in
/// time (To before From, a date the browser cannot place).
pub fn range_bounds(
    range: UsageRange,
    now_ms: f64,
) -> Option<(DateTime<Utc>, DateTime<Utc>, UsageStep)> {
    let now = (now_ms / 1000.0) as i64;
    let last = |hours: i64, step: UsageStep| {
        let to = rounded_up(now, step.seconds());
        let from = to - hours * 3_600;
        Some((
            DateTime::from_timestamp(from, 0)?,
            DateTime::from_timestamp(to, 0)?,
            step,
        ))
    };
    match range {
        UsageRange::Day => last(24, UsageStep::FifteenMinutes),
        UsageRange::Week => last(24 * 7, UsageStep::OneHour),
        UsageRange::Month => last(24 * 30, UsageStep::OneHour),
        UsageRange::Days(first, last) => {
            if last < first {
                return None;
            }
            let days = (last - first).num_days() + 1;
            let step = if days <= 2 {
                UsageStep::FifteenMinutes
            } else if days <= 31 {
                UsageStep::OneHour
            } else {
                UsageStep::OneDay
            };
            let from = browser::start_of_day(first)?;
            let to = browser::start_of_day(last + Duration::days(1))?;
            Some((from, to, step))
        }
    }
}

/// The query string pairs of a usage request.
pub fn usage_pairs(
    (from, to, step): (DateTime<Utc>, DateTime<Utc>, UsageStep),
    tz: &str,
    by_app: bool,
) -> Vec<(&'static str, String)> {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut pairs = vec![
        ("from", time(from)),
        ("to", time(to)),
        ("step", step.as_str().to_owned()),
        ("tz", tz.to_owned()),
    ];
    if by_app {
        pairs.push(("by", "app".to_owned()));
    }
    pairs
}
