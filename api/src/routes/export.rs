use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use chrono_tz::Tz;
use shared::{AuditAction, AuditOutcome, Problem};
use utoipa::IntoParams;

use crate::auth::{Authorized, ExportSessions};
use crate::db::DbPool;
use crate::db::audit::record;
use crate::error::ApiError;
use crate::export::{ExportAudit, ExportRange, stream_csv};

use super::now;
use super::sessions::{FilterParams, parse_session_query, query_pairs, session_filter};

/// The range of the export, for the OpenAPI document; the filter is [`FilterParams`].
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// First day, inclusive (YYYY-MM-DD), in `tz`.
    #[param(format = Date, example = "2026-01-01")]
    from: NaiveDate,
    /// Last day, inclusive (YYYY-MM-DD), in `tz`; not before `from`.
    #[param(format = Date, example = "2026-01-31")]
    to: NaiveDate,
    /// IANA time zone the days are taken in and the times written in; UTC when absent.
    #[param(example = "Europe/Paris")]
    tz: Option<String>,
}

fn required_date(pairs: &[(String, String)], name: &'static str) -> Result<NaiveDate, ApiError> {
    let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
    let value = values
        .next()
        .ok_or_else(|| ApiError::InvalidParameter(format!("{name}: required, as YYYY-MM-DD")))?;
    if values.next().is_some() {
        return Err(ApiError::InvalidParameter(format!(
            "{name}: given more than once"
        )));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        ApiError::InvalidParameter(format!("{name}: '{value}' is not a date as YYYY-MM-DD"))
    })
}

fn time_zone(pairs: &[(String, String)]) -> Result<Tz, ApiError> {
    match pairs.iter().find(|(k, _)| k == "tz") {
        None => Ok(Tz::UTC),
        Some((_, name)) => name.parse().map_err(|_| {
            ApiError::InvalidParameter(format!(
                "tz: '{name}' is not an IANA time zone such as Europe/Paris or UTC"
            ))
        }),
    }
}

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
        (status = 400, description = "A parameter is not valid, or `to` is before `from`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sessions/export")]
pub async fn export_sessions(
    auth: Authorized<ExportSessions>,
    pool: web::Data<DbPool>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(&req);
    let from = required_date(&pairs, "from")?;
    let to = required_date(&pairs, "to")?;
    if to < from {
        return Err(ApiError::InvalidParameter(format!(
            "to: {to} is before from: {from}; the range needs to be at least one day"
        )));
    }
    let tz = time_zone(&pairs)?;
    let filters = pairs
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "field" | "contains" | "status"))
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let query = parse_session_query(filters)?;
    let range = ExportRange::new(from, to, tz).ok_or_else(|| {
        ApiError::InvalidParameter(format!(
            "from, to: {from}..{to} is outside the supported dates"
        ))
    })?;
    let filter = session_filter(&query);

    let details = serde_json::json!({
        "from": from,
        "to": to,
        "tz": tz.name(),
        "field": query.field,
        "contains": query.contains,
        "status": query.statuses,
    });
    let actor = auth.principal.actor();
    let now = now();
    let pool = pool.into_inner();
    let (conn, audit) = web::block(move || -> Result<_, ApiError> {
        let mut conn = pool.get()?;
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
    .await??;
    let body = stream_csv(conn, filter, range, tz, now, audit);
    let filename = format!("sessions_{from}_{to}.csv");
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .streaming(body))
}
