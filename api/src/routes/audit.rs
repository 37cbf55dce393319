use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::{AuditEntry, AuditPage, DEFAULT_AUDIT_PAGE_SIZE, MAX_AUDIT_PAGE_SIZE, Problem};
use utoipa::IntoParams;

use crate::auth::{Administer, Authorized};
use crate::db::DbPool;
use crate::db::audit::{AuditFilter, AuditRow, list_entries};
use crate::error::ApiError;

use super::with_db;

/// Which entries, and which page of them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only entries by this actor: a username, a token name, or what a failed sign-in tried.
    #[param(example = "admin")]
    actor: Option<String>,
    /// Only entries of this action, such as `sessions.kill`.
    #[param(value_type = Option<shared::AuditAction>)]
    action: Option<String>,
    /// Only entries at or after this instant (RFC 3339).
    #[param(example = "2026-11-01T00:00:00Z")]
    from: Option<DateTime<Utc>>,
    /// Only entries before this instant (RFC 3339).
    #[param(example = "2026-12-01T00:00:00Z")]
    to: Option<DateTime<Utc>>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Entries per page, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 50)]
    limit: Option<u32>,
}

fn to_entry(row: AuditRow) -> Result<AuditEntry, ApiError> {
    let corrupt = |what: String| {
        ApiError::internal(
            "reading the audit log",
            anyhow::anyhow!("entry {}: {what}", row.id),
        )
    };
    Ok(AuditEntry {
        id: row.id,
        at: DateTime::from_timestamp(row.at, 0)
            .ok_or_else(|| corrupt(format!("time {}", row.at)))?,
        actor_kind: row.actor_kind.parse().map_err(corrupt)?,
        actor: row.actor.clone(),
        address: row.address.clone(),
        action: row.action.parse().map_err(corrupt)?,
        outcome: row.outcome.parse().map_err(corrupt)?,
        details: serde_json::from_str(&row.details)
            .map_err(|e| corrupt(format!("details: {e}")))?,
    })
}

/// Read the audit log.
///
/// Newest first, a page at a time: pass `next_cursor` back as `cursor` for older entries. Kills, exports,
/// sign-ins and sign-outs, token and account changes, each with when, who, from where and how it ended.
/// Needs `admin`.
#[utoipa::path(
    tag = "audit",
    security(("session_cookie" = ["admin"]), ("bearer_token" = ["admin"])),
    params(AuditParams),
    responses(
        (status = 200, description = "One page of entries", body = AuditPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    _auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    params: web::Query<AuditParams>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let params = params.into_inner();
    let limit = params.limit.unwrap_or(DEFAULT_AUDIT_PAGE_SIZE);
    if !(1..=MAX_AUDIT_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::InvalidParameter(format!(
            "limit: from 1 to {MAX_AUDIT_PAGE_SIZE}; {limit} given"
        )));
    }
    let before = params
        .cursor
        .as_deref()
        .map(|cursor| {
            cursor
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    ApiError::InvalidParameter(
                        "cursor: not one this server issued; pass next_cursor unchanged".to_owned(),
                    )
                })
        })
        .transpose()?;
    let action = params
        .action
        .as_deref()
        .map(|name| {
            name.parse()
                .map_err(|e: String| ApiError::InvalidParameter(format!("action: {e}")))
        })
        .transpose()?;
    let filter = AuditFilter {
        actor: params.actor.map(|actor| actor.trim().to_owned()),
        action,
        from: params.from.map(|t| t.timestamp()),
        to: params.to.map(|t| t.timestamp()),
    };
    let rows = with_db(&pool, move |conn| {
        Ok(list_entries(conn, &filter, before, i64::from(limit) + 1)?)
    })
    .await?;
    let more = rows.len() > limit as usize;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(to_entry)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = more
        .then(|| items.last().map(|entry| entry.id.to_string()))
        .flatten();
    Ok(web::Json(AuditPage { items, next_cursor }))
}
