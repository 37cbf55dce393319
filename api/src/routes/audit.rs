use actix_web::{HttpRequest, get, web};
use chrono::{DateTime, Utc};
use shared::{AuditEntry, AuditPage, DEFAULT_AUDIT_PAGE_SIZE, MAX_AUDIT_PAGE_SIZE, Problem};
use utoipa::IntoParams;

use crate::auth::{Administer, Authorized};
use crate::db::DbPool;
use crate::db::audit::{AuditFilter, AuditRow, list_entries};
use crate::error::ApiError;

use super::sessions::query_pairs;
use super::with_db;

/// Which entries, and which page of them; for the OpenAPI document (parsing is [`parse_audit_query`],
/// which names the parameter in every refusal).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
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
    /// `next_cursor` of the previous page, with the same filter.
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
    req: HttpRequest,
) -> Result<web::Json<AuditPage>, ApiError> {
    let AuditQuery {
        filter,
        before,
        limit,
    } = parse_audit_query(&query_pairs(&req))?;
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

struct AuditQuery {
    filter: AuditFilter,
    /// Entries older than this id.
    before: Option<i64>,
    limit: u32,
}

fn parse_audit_query(pairs: &[(String, String)]) -> Result<AuditQuery, ApiError> {
    let invalid = |name: &str, why: String| ApiError::InvalidParameter(format!("{name}: {why}"));
    let mut query = AuditQuery {
        filter: AuditFilter::default(),
        before: None,
        limit: DEFAULT_AUDIT_PAGE_SIZE,
    };
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        if seen.contains(&name.as_str()) {
            return Err(invalid(name, "given more than once".to_owned()));
        }
        seen.push(name);
        let instant = || {
            DateTime::parse_from_rfc3339(value)
                .map(|t| t.with_timezone(&Utc).timestamp())
                .map_err(|_| {
                    invalid(
                        name,
                        format!("'{value}' is not an RFC 3339 time such as 2026-11-01T00:00:00Z"),
                    )
                })
        };
        match name.as_str() {
            "actor" => query.filter.actor = Some(value.trim().to_owned()),
            "action" => query.filter.action = Some(value.parse().map_err(|e| invalid(name, e))?),
            "from" => query.filter.from = Some(instant()?),
            "to" => query.filter.to = Some(instant()?),
            "cursor" => {
                let id = value.parse::<i64>().ok().filter(|id| *id > 0);
                query.before = Some(id.ok_or_else(|| {
                    invalid(
                        name,
                        "not one this server issued; pass next_cursor unchanged".to_owned(),
                    )
                })?);
            }
            "limit" => {
                query.limit = value
                    .parse()
                    .ok()
                    .filter(|limit| (1..=MAX_AUDIT_PAGE_SIZE).contains(limit))
                    .ok_or_else(|| {
                        invalid(
                            name,
                            format!(
                                "'{value}' is not a whole number from 1 to {MAX_AUDIT_PAGE_SIZE}"
                            ),
                        )
                    })?;
            }
            other => {
                return Err(ApiError::InvalidParameter(format!(
                    "unknown parameter '{other}'; expected actor, action, from, to, cursor or limit"
                )));
            }
        }
    }
    Ok(query)
}
