use actix_web::{get, web};
use chrono::DateTime;
use shared::{AuditEntry, AuditPage, AuditQuery};

use crate::auth::{Administer, Authorized};
use crate::db::DbPool;
use crate::db::audit::{AuditFilter, AuditRow, list_entries};
use crate::error::{ApiError, with_db};
use crate::problem_responses::Busy;

use super::extract::Query;

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
        actor_kind: row.actor_kind,
        actor: row.actor.clone(),
        address: row.address.clone(),
        action: row.action,
        outcome: row.outcome,
        details: serde_json::from_str(&row.details)
            .map_err(|e| corrupt(format!("details: {e}")))?,
        count: u32::try_from(row.count).map_err(|_| corrupt(format!("count {}", row.count)))?,
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
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of entries", body = AuditPage),
        (status = 400, description = "A parameter is not valid"),
        Busy,
    )
)]
#[get("/audit")]
pub async fn list_audit(
    _auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    Query(query): Query<AuditQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let filter = AuditFilter {
        actor: query.actor,
        action: query.action,
        from: query.from.map(|time| time.timestamp()),
        to: query.to.map(|time| time.timestamp()),
    };
    let (before, limit) = (query.cursor.map(|cursor| cursor.0), query.limit);
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
