//! Where the buckets of a usage series begin, in real time, and how the database is to place events
//! into them: fixed lengths from `from`, or days of the asked time zone.

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use shared::{MAX_USAGE_BUCKETS, UsageStep};

use crate::db::usage::Grid;

/// The buckets of a request and the grid that fills them.
#[derive(Debug, Clone)]
pub struct Buckets {
    pub grid: Grid,
    /// Each bucket's first second (Unix time); only buckets that have begun by now.
    pub starts: Vec<i64>,
}

/// The zone's offset from UTC at `t`, in seconds.
pub fn offset_at(tz: Tz, t: i64) -> i64 {
    DateTime::from_timestamp(t, 0)
        .map(|instant| {
            tz.offset_from_utc_datetime(&instant.naive_utc())
                .fix()
                .local_minus_utc() as i64
        })
        .unwrap_or(0)
}

/// The first instant whose local time in `tz` is `local` (seconds of local wall time): the earlier of
/// two when clocks went back, the first one after the gap when they went forward.
fn instant_of_local(tz: Tz, local: i64) -> i64 {
    let wall = |seconds: i64| DateTime::from_timestamp(seconds, 0).map(|t| t.naive_utc());
    let Some(naive) = wall(local) else {
        return local;
    };
    let resolve = |naive: NaiveDateTime| tz.from_local_datetime(&naive).earliest();
    match resolve(naive) {
        Some(instant) => instant.timestamp(),
        // Inside a gap (clocks went forward, at most by an hour or so): the gap's end.
        None => (1..=180)
            .find_map(|minutes| resolve(naive + chrono::Duration::minutes(minutes)))
            .map_or(local - offset_at(tz, local), |instant| instant.timestamp()),
    }
}

/// When the day that holds `now` began in `tz`.
pub fn start_of_day(tz: Tz, now: i64) -> i64 {
    let local = now + offset_at(tz, now);
    instant_of_local(tz, local - local.rem_euclid(86_400))
}

/// The offset at `from`, then each change before `until`: found hour by hour, then to the second.
fn offsets_between(tz: Tz, from: i64, until: i64) -> Vec<(i64, i64)> {
    let mut offsets = vec![(from, offset_at(tz, from))];
    let mut before = from;
    while before < until {
        let after = (before + 3_600).min(until);
        let current = offsets.last().unwrap().1;
        if offset_at(tz, after) != current {
            // The change lies in before+1..=after: the first second with the new offset.
            let (mut low, mut high) = (before, after);
            while high - low > 1 {
                let middle = low + (high - low) / 2;
                if offset_at(tz, middle) == current {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            offsets.push((high, offset_at(tz, high)));
        }
        before = after;
    }
    offsets
}

/// The buckets of `from`..`to` at `step` in `tz`, up to now; refused (with the sentence for the
/// client) when the range is empty or holds more than [`MAX_USAGE_BUCKETS`] buckets.
pub fn buckets(from: i64, to: i64, step: UsageStep, tz: Tz, now: i64) -> Result<Buckets, String> {
    if to <= from {
        return Err("to: must be later than from".to_owned());
    }
    let until = to.min(now + 1).max(from);
    let length = step.seconds();
    let (grid, all_starts): (Grid, Vec<i64>) = if step == UsageStep::OneDay {
        let origin = from + offset_at(tz, from);
        let mut starts = vec![from];
        for day in 1.. {
            if starts.len() > MAX_USAGE_BUCKETS {
                break;
            }
            let start = instant_of_local(tz, origin + day * length);
            if start >= to {
                break;
            }
            starts.push(start);
        }
        let grid = Grid {
            from,
            until,
            origin,
            step: length,
            offsets: offsets_between(tz, from, until),
        };
        (grid, starts)
    } else {
        let count = (to - from + length - 1) / length;
        if count > MAX_USAGE_BUCKETS as i64 {
            return Err(too_many(count.to_string(), step));
        }
        let starts = (0..count).map(|k| from + k * length).collect();
        let grid = Grid {
            from,
            until,
            origin: from,
            step: length,
            offsets: Vec::new(),
        };
        (grid, starts)
    };
    if all_starts.len() > MAX_USAGE_BUCKETS {
        return Err(too_many(format!("over {MAX_USAGE_BUCKETS}"), step));
    }
    let starts = all_starts.into_iter().filter(|&s| s < until).collect();
    Ok(Buckets { grid, starts })
}

fn too_many(count: String, step: UsageStep) -> String {
    format!(
        "step: {count} buckets of {step} from `from` to `to`; at most {MAX_USAGE_BUCKETS}: choose a \
         longer step or a shorter range"
    )
}

/// The grid of one bucket from `from` until `until`, for a single peak.
pub fn one_bucket(from: i64, until: i64) -> Grid {
    Grid {
        from,
        until,
        origin: from,
        step: (until - from).max(1),
        offsets: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp()
    }

    #[test]
    fn day_buckets_follow_the_zone_across_a_daylight_saving_change() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let b = buckets(
            at("2026-03-28T00:00:00+01:00"),
            at("2026-03-31T00:00:00+02:00"),
            UsageStep::OneDay,
            tz,
            at("2027-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            b.starts,
            [
                at("2026-03-28T00:00:00+01:00"),
                at("2026-03-29T00:00:00+01:00"),
                at("2026-03-30T00:00:00+02:00"),
            ]
        );
        assert_eq!(
            b.grid.offsets,
            [
                (at("2026-03-28T00:00:00+01:00"), 3_600),
                (at("2026-03-29T03:00:00+02:00"), 7_200)
            ]
        );
    }

    #[test]
    fn a_day_begins_at_local_midnight() {
        let tz: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            start_of_day(tz, at("2026-07-01T02:00:00Z")),
            at("2026-06-30T00:00:00-04:00")
        );
    }

    #[test]
    fn more_buckets_than_allowed_are_refused_and_the_future_has_none() {
        let tz = Tz::UTC;
        assert!(buckets(0, 3_600 * 1_001, UsageStep::OneHour, tz, 0).is_err());
        assert!(buckets(0, 3_600 * 1_000, UsageStep::OneHour, tz, 0).is_ok());
        assert!(buckets(0, 86_400 * 1_001, UsageStep::OneDay, tz, 0).is_err());
        assert!(buckets(10, 10, UsageStep::OneHour, tz, 0).is_err());
        let b = buckets(0, 36_000, UsageStep::OneHour, tz, 7_200).unwrap();
        assert_eq!(b.starts, [0, 3_600, 7_200]);
        assert_eq!(b.grid.until, 7_201);
    }
}
