use actix_web::{get, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::Connection;
use serde::Deserialize;
use serde::de::{Deserializer, Error};
use shared::{Usage, UsageSplit, UsageStep, params};
use utoipa::IntoParams;

use crate::auth::{Authorized, ReadSessions};
use crate::clock::now;
use crate::db::DbPool;
use crate::error::{ApiError, with_db};
use crate::problem_responses::Busy;
use crate::usage::grid::buckets;
use crate::usage::{UsageRequest, usage};

use super::extract::Query;
use super::zone::Zone;

/// The range and shape of a usage series.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageParams {
    /// Start of the range, inclusive (RFC 3339).
    #[serde(deserialize_with = "instant")]
    #[param(value_type = String, format = DateTime, max_length = 40, example = "2026-11-01T00:00:00Z")]
    from: DateTime<Utc>,
    /// End of the range, exclusive (RFC 3339); later than `from`. Buckets stop at the present.
    #[serde(deserialize_with = "instant")]
    #[param(value_type = String, format = DateTime, max_length = 40, example = "2026-12-01T00:00:00Z")]
    to: DateTime<Utc>,
    /// Length of a bucket; `1h` when absent. At most 1000 buckets from `from` to `to`.
    #[serde(default, deserialize_with = "params::one")]
    #[param(inline)]
    step: UsageStep,
    /// IANA time zone of the days (`1d` buckets, the peak of today); UTC when absent.
    #[serde(default, deserialize_with = "params::one_some")]
    #[param(value_type = Option<String>, max_length = 64, example = "Europe/Paris")]
    tz: Option<Zone>,
    /// `app`: also one series per top app (at most 5) and one for all the others.
    #[serde(default, deserialize_with = "params::one_some")]
    #[param(inline)]
    by: Option<UsageSplit>,
}

// The OpenAPI attributes above take literals.
const _: () = assert!(params::MAX_INSTANT_CHARS == 40 && shared::MAX_USAGE_BUCKETS == 1000);
const _: () = assert!(shared::USAGE_TOP_APPS == 5);

/// A required RFC 3339 time.
fn instant<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    params::instant_some(deserializer)?.ok_or_else(|| D::Error::custom("required"))
}

/// Concurrent sessions over a range.
///
/// For each bucket of `step` from `from` to `to` (or to now, whichever is earlier), the most sessions
/// that ran at once at any moment of it; sessions that began before the range and are still running,
/// or ended within it, count for the time they ran. A session runs from its start until its end: one
/// that ends at the very second another begins never runs with it. Beside the series: the sessions
/// running now, the peak of today (from midnight in `tz` until now) and the peak over the range. With
/// `by=app`, also the series of the apps with the most sessions in the range (at most 5) and of all
/// the other apps together. Computed in the database from the sessions' start and end times. Needs
/// `sessions:read`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:read"]), ("bearer_token" = ["sessions:read"])),
    params(UsageParams),
    responses(
        (status = 200, description = "The usage series and figures", body = Usage),
        (status = 400, description = "A parameter is not valid, `to` is not after `from`, or the range holds more than 1000 buckets"),
        Busy,
    )
)]
#[get("/sessions/usage")]
pub async fn sessions_usage(
    _auth: Authorized<ReadSessions>,
    pool: web::Data<DbPool>,
    Query(asked): Query<UsageParams>,
) -> Result<web::Json<Usage>, ApiError> {
    let tz = asked.tz.map_or(Tz::UTC, |zone| zone.0);
    let (from, to) = (asked.from.timestamp(), asked.to.timestamp());
    let now = now();
    let buckets = buckets(from, to, asked.step, tz, now).map_err(ApiError::InvalidParameter)?;
    let request = UsageRequest {
        from,
        to,
        step: asked.step,
        tz,
        by_app: asked.by.is_some(),
        now,
        buckets,
    };
    // One read transaction, so the counts and the sweeps see the same sessions.
    let answer = with_db(&pool, move |conn| {
        conn.transaction(|conn| usage(conn, &request).map_err(ApiError::from))
    })
    .await?;
    Ok(web::Json(answer))
}
