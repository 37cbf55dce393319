//! The answer of `GET /sessions/usage`: how many sessions ran at once over a range of time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::names::wire_enum! {
    /// The length of one bucket of a usage series. `1d` buckets are days in the asked time zone (23 or
    /// 25 hours long across a daylight-saving change), starting at the local time of day of `from`;
    /// the others are fixed lengths of real time starting at `from`.
    #[derive(Default)]
    pub enum UsageStep as "step" {
        OneMinute = "1m",
        FiveMinutes = "5m",
        FifteenMinutes = "15m",
        #[default]
        OneHour = "1h",
        SixHours = "6h",
        OneDay = "1d",
    }
}

impl UsageStep {
    /// The bucket's length in seconds (a day of 24 hours for `1d`, which the server fits to the zone).
    pub fn seconds(self) -> i64 {
        match self {
            UsageStep::OneMinute => 60,
            UsageStep::FiveMinutes => 300,
            UsageStep::FifteenMinutes => 900,
            UsageStep::OneHour => 3_600,
            UsageStep::SixHours => 21_600,
            UsageStep::OneDay => 86_400,
        }
    }
}

crate::names::wire_enum! {
    /// How a usage series is split.
    pub enum UsageSplit as "split" {
        /// One series per top app, and one for all the other apps together.
        App = "app",
    }
}

/// Most buckets one usage request may ask for (30 days at one hour is 720).
pub const MAX_USAGE_BUCKETS: usize = 1_000;
/// How many apps `by=app` names; the sessions of every other app are one series.
pub const USAGE_TOP_APPS: usize = 5;

/// The highest number of sessions that ran at once, and the first moment it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsagePeak {
    #[cfg_attr(feature = "openapi", schema(minimum = 0, example = 412))]
    pub sessions: i64,
    /// RFC 3339, UTC.
    pub at: DateTime<Utc>,
}

/// One bucket of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageBucket {
    /// When the bucket begins (RFC 3339, UTC); it ends where the next one begins, or at `to`.
    pub start: DateTime<Utc>,
    /// The most sessions running at once at any moment of the bucket.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, example = 398))]
    pub peak: i64,
}

/// The series of one app (or of all the other apps), bucket by bucket like `buckets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageSeries {
    /// The app's name; null for the series of every app not named.
    #[cfg_attr(feature = "openapi", schema(example = "GIMP"))]
    pub app: Option<String>,
    /// The app's own peak in each bucket, in the order of `buckets`. Apps peak at different moments,
    /// so these may add up to more than the bucket's `peak`.
    pub peaks: Vec<i64>,
}

/// Concurrent sessions over a range: a series of bucket peaks, and the figures beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    /// The range asked for (RFC 3339, UTC): `from` inclusive, `to` exclusive.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub step: UsageStep,
    /// The time zone days are taken in (`1d` buckets, `peak_today`).
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Paris"))]
    pub tz: String,
    /// Sessions running now (Connected or Unknown).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, example = 377))]
    pub active_now: i64,
    /// When today began in `tz` (RFC 3339, UTC).
    pub today_start: DateTime<Utc>,
    /// The peak from the start of today in `tz` until now.
    pub peak_today: UsagePeak,
    /// The peak over the buckets; null when there are none (a range in the future).
    pub peak_in_range: Option<UsagePeak>,
    /// The buckets from `from`, one `step` each, up to `to` or now, whichever is earlier: the future
    /// has no buckets.
    pub buckets: Vec<UsageBucket>,
    /// With `by=app`: the apps with the most sessions in the range (at most 5), most first, then the
    /// other apps together (when there are any); empty otherwise.
    pub apps: Vec<UsageSeries>,
}
