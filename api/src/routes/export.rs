use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use shared::params;
use shared::{AuditAction, AuditOutcome, FilterParams, Problem};
use utoipa::IntoParams;

use crate::auth::{Authorized, ExportSessions};
use crate::clock::now;
use crate::db::audit::record;
use crate::db::sessions::SessionFilter;
use crate::db::{DbPool, with_connection};
use crate::error::ApiError;
use crate::export::{ExportAudit, ExportRange, ExportResources, stream_csv};
use crate::problem_responses::Busy;
use crate::slots::{Full, Slots};

use super::extract::Query;
use super::zone::Zone;

/// The range of an export; its filter is [`FilterParams`].
/// What exports run on: their own connections (a pool as large as the cap, apart from the one other
/// requests use), their caps, and how long they wait for a client that reads nothing.
pub struct Exports {
    pub pool: DbPool,
    pub slots: Arc<Slots>,
    pub stall: Duration,
}

/// Seconds a refused export is told to wait: about what a large export takes.
const EXPORT_RETRY_AFTER: u64 = 10;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// First day, inclusive (YYYY-MM-DD), in `tz`.
    #[serde(deserialize_with = "params::day")]
    #[param(format = Date, max_length = 10, example = "2026-01-01")]
    from: NaiveDate,
    /// Last day, inclusive (YYYY-MM-DD), in `tz`; not before `from`.
    #[serde(deserialize_with = "params::day")]
    #[param(format = Date, max_length = 10, example = "2026-01-31")]
    to: NaiveDate,
    /// IANA time zone the days are taken in and the times written in; UTC when absent.
    #[serde(default, deserialize_with = "params::one_some")]
    #[param(value_type = Option<String>, max_length = 64, example = "Europe/Paris")]
    tz: Option<Zone>,
}

// The OpenAPI attributes above take literals.
const _: () = assert!(params::DAY_CHARS == 10);

/// Export sessions as CSV.
///
/// Every session that started within `from`..=`to` (whole days in `tz`), oldest first, as a CSV download:
/// one header row `id,name,email,app_name,start_time,end_time,duration_seconds,status,killed_by,delivery_state,delivery_attempts,delivery_error`; times in RFC 3339
/// with the offset of `tz`; `end_time` empty while a session is active. The file is streamed, so any
/// range exports in constant server memory. Cells that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`) are prefixed with `'`.
///
/// Audited twice: when it starts (who, range, filter; no data leaves unless this entry is written) and
/// when it ends (rows sent, and whether the client took them all). Needs `sessions:export`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:export"]), ("bearer_token" = ["sessions:export"])),
    params(ExportParams, FilterParams),
    responses(
        (status = 200, description = "The sessions as CSV",
            content_type = "text/csv",
            body = String,
            headers(("Content-Disposition" = String, description = "attachment; filename=sessions_FROM_TO.csv"))),
        (status = 400, description = "A parameter is not valid, or `to` is before `from`"),
        (status = 429, description = "The caller, or the server, runs as many exports as allowed; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        Busy,
    )
)]
#[get("/sessions/export")]
pub async fn export_sessions(
    auth: Authorized<ExportSessions>,
    exports: web::Data<Exports>,
    metrics: web::Data<crate::metrics::Metrics>,
    Query(asked): Query<ExportParams>,
    Query(filter): Query<FilterParams>,
) -> Result<HttpResponse, ApiError> {
    let ExportParams { from, to, tz } = asked;
    if to < from {
        return Err(ApiError::InvalidParameter(format!(
            "to: {to} is before from: {from}; the range needs to be at least one day"
        )));
    }
    let tz = tz.map_or(Tz::UTC, |zone| zone.0);
    let range = ExportRange::new(from, to, tz).ok_or_else(|| {
        ApiError::InvalidParameter(format!(
            "from, to: {from}..{to} is outside the supported dates"
        ))
    })?;
    let details = serde_json::json!({
        "from": from,
        "to": to,
        "tz": tz.name(),
        "field": filter.field,
        "contains": filter.contains,
        "status": filter.status,
    });
    let filter = SessionFilter::new(&filter);
    let actor = auth.principal.actor();
    let now = now();
    let caller = actor.label();
    let slot = exports.slots.take(&caller).map_err(|full| {
        let detail = match full {
            Full::Caller(most) => {
                format!("{caller} runs {most} exports already; wait for one to end")
            }
            Full::Server(most) => {
                format!("this server runs {most} exports already; try again shortly")
            }
        };
        ApiError::TooManyRequests {
            detail,
            retry_after: EXPORT_RETRY_AFTER,
        }
    })?;
    let stall = exports.stall;
    let (conn, audit) = with_connection(&exports.pool, move |mut conn| -> Result<_, ApiError> {
        let started = record(
            &mut conn,
            &actor,
            AuditAction::Export,
            AuditOutcome::Success,
            details,
            now,
        )?;
        Ok((conn, ExportAudit { actor, started }))
    })
    .await?;
    let resources = ExportResources {
        conn,
        slot,
        stall,
        metrics: metrics.into_inner(),
    };
    let body = stream_csv(resources, filter, range, tz, now, audit);
    let filename = format!("sessions_{from}_{to}.csv");
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .streaming(body))
}
