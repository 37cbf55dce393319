use actix_web::{post, web};
use shared::{KillDelivery, KillManyRequest, KillManyResult, MAX_BULK_KILL, Session};

use crate::auth::{Authorized, KillSessions};
use crate::db::DbPool;
use crate::db::deliveries::{RetryError, retry_delivery};
use crate::db::kill::{kill_session as kill_one, kill_sessions as kill_many};
use crate::error::ApiError;
use crate::metrics::{KillOutcome, Metrics};
use crate::problem_responses::{Busy, JsonBodyRefusals};

use crate::clock::now;
use crate::db::models::to_sessions;
use crate::dispatcher::Dispatcher;
use crate::error::with_db;

/// Kill one session.
///
/// Only a Connected or Unknown session can be killed; it becomes Killed, ends now, and records who killed
/// it. Killing a session that is not active changes nothing and answers 409 with its status. Every
/// attempt is in the audit log. Needs `sessions:kill`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:kill"], "csrf_token" = []), ("bearer_token" = ["sessions:kill"])),
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807_i64, description = "Session id")),
    responses(
        (status = 200, description = "The session, now Killed", body = Session),
        (status = 400, description = "The id is not a whole number"),
        (status = 404, description = "No session has this id"),
        (status = 409, description = "The session is not Connected or Unknown; nothing changed"),
        Busy,
    )
)]
#[post("/sessions/{id}/kill")]
pub async fn kill_session(
    auth: Authorized<KillSessions>,
    pool: web::Data<DbPool>,
    dispatcher: web::Data<Dispatcher>,
    metrics: web::Data<Metrics>,
    id: web::Path<i64>,
) -> Result<web::Json<Session>, ApiError> {
    let id = id.into_inner();
    let actor = auth.principal.actor();
    let now = now();
    let killed = with_db(&pool, move |conn| {
        let record = kill_one(conn, id, &actor, now)?;
        Ok(to_sessions(conn, vec![record], now)?)
    })
    .await;
    match &killed {
        Ok(_) => metrics.kills(KillOutcome::Killed, 1),
        Err(ApiError::NotFound(_)) => metrics.kills(KillOutcome::NotFound, 1),
        Err(ApiError::Conflict(_)) => metrics.kills(KillOutcome::NotActive, 1),
        Err(_) => {}
    }
    let mut sessions = killed?;
    dispatcher.wake();
    Ok(web::Json(sessions.remove(0)))
}

/// Kill several sessions at once.
///
/// All in one transaction: every Connected or Unknown session among `ids` is killed, and the answer says
/// which ids were killed, which were skipped (with the status that stopped them) and which do not exist.
/// One audit entry lists them all. Needs `sessions:kill`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:kill"], "csrf_token" = []), ("bearer_token" = ["sessions:kill"])),
    request_body = KillManyRequest,
    responses(
        (status = 200, description = "What became of each id", body = KillManyResult),
        JsonBodyRefusals,
        (status = 422, description = "No ids, or more than 10,000"),
        Busy,
    )
)]
#[post("/sessions/kill")]
pub async fn kill_sessions(
    auth: Authorized<KillSessions>,
    pool: web::Data<DbPool>,
    dispatcher: web::Data<Dispatcher>,
    metrics: web::Data<Metrics>,
    body: web::Json<KillManyRequest>,
) -> Result<web::Json<KillManyResult>, ApiError> {
    let ids = body.into_inner().ids;
    if ids.is_empty() || ids.len() > MAX_BULK_KILL {
        return Err(ApiError::Unprocessable(format!(
            "ids: name from 1 to {MAX_BULK_KILL} sessions; {} given",
            ids.len()
        )));
    }
    let actor = auth.principal.actor();
    let now = now();
    let result = with_db(&pool, move |conn| Ok(kill_many(conn, &ids, &actor, now)?)).await?;
    metrics.kills(KillOutcome::Killed, result.killed.len());
    metrics.kills(KillOutcome::NotActive, result.skipped.len());
    metrics.kills(KillOutcome::NotFound, result.not_found.len());
    dispatcher.wake();
    Ok(web::Json(result))
}

/// Retry the delivery of a kill to the broker.
///
/// For a kill whose delivery failed after every attempt: it becomes pending again, due now, with its
/// attempts counted afresh (and the same idempotency key, so the broker still carries it out once).
/// Audited as `sessions.delivery_retry`. Needs `sessions:kill`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:kill"], "csrf_token" = []), ("bearer_token" = ["sessions:kill"])),
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807_i64, description = "Session id")),
    responses(
        (status = 200, description = "The delivery, pending again", body = KillDelivery),
        (status = 400, description = "The id is not a whole number"),
        (status = 404, description = "The session has no kill delivery"),
        (status = 409, description = "The delivery has not failed; nothing changed"),
        Busy,
    )
)]
#[post("/sessions/{id}/delivery/retry")]
pub async fn retry_kill_delivery(
    auth: Authorized<KillSessions>,
    pool: web::Data<DbPool>,
    dispatcher: web::Data<Dispatcher>,
    id: web::Path<i64>,
) -> Result<web::Json<KillDelivery>, ApiError> {
    let id = id.into_inner();
    let now = now();
    let actor = auth.principal.actor();
    let delivery = with_db(&pool, move |conn| {
        retry_delivery(conn, id, &actor, now).map_err(|error| match error {
            RetryError::NotFound(_) => ApiError::NotFound(error.to_string()),
            RetryError::NotFailed { .. } => ApiError::Conflict(error.to_string()),
            RetryError::Database(error) => error.into(),
        })
    })
    .await?;
    dispatcher.wake();
    Ok(web::Json(delivery))
}
