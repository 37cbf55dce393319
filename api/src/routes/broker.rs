use actix_web::{get, post, web};
use shared::{
    AcknowledgeKills, AcknowledgedKills, BrokerSession, EndSessionsRequest, EndSessionsResult,
    HeartbeatsRequest, HeartbeatsResult, MAX_BROKER_BATCH, MAX_BROKER_ID_CHARS,
    MAX_BROKER_TEXT_CHARS, MAX_EMAIL_CHARS, MAX_IDEMPOTENCY_KEY_CHARS, OpenSessionsRequest,
    OpenSessionsResult, PendingKills,
};

use crate::auth::{Authorized, ReportSessions};
use crate::db::DbPool;
use crate::db::broker::{end_sessions as end, open_sessions as open, record_heartbeats};
use crate::db::deliveries::{claim_due_kills, mark_delivered};
use crate::error::ApiError;
use crate::metrics::{BrokerReport, Metrics};
use crate::problem_responses::{Busy, JsonBodyRefusals};

use super::extract::Query;

use crate::clock::now;
use crate::error::with_db;

/// How long a kill listed to a polling broker is not listed again, awaiting its acknowledgement.
const POLL_LEASE_SECONDS: i64 = 30;

fn check_batch(field: &str, len: usize) -> Result<(), ApiError> {
    if (1..=MAX_BROKER_BATCH).contains(&len) {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(format!(
            "{field}: send from 1 to {MAX_BROKER_BATCH} per call; {len} given"
        )))
    }
}

fn check_text(at: &str, field: &str, value: &str, max_chars: usize) -> Result<(), ApiError> {
    let chars = value.trim().chars().count();
    if chars == 0 || chars > max_chars || value.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(format!(
            "{at}.{field}: 1 to {max_chars} characters without control characters"
        )));
    }
    Ok(())
}

/// Each of `values` (the list `field`) has at most `max_chars` characters and no control character (no
/// stored id holds one, and PostgreSQL cannot even compare text holding a NUL).
fn check_lengths(field: &str, values: &[String], max_chars: usize) -> Result<(), ApiError> {
    match values
        .iter()
        .position(|value| value.chars().count() > max_chars || value.chars().any(char::is_control))
    {
        Some(index) => Err(ApiError::Unprocessable(format!(
            "{field}[{index}]: at most {max_chars} characters, without control characters"
        ))),
        None => Ok(()),
    }
}

fn check_session(index: usize, session: &BrokerSession) -> Result<(), ApiError> {
    let at = format!("sessions[{index}]");
    check_text(
        &at,
        "broker_session_id",
        &session.broker_session_id,
        MAX_BROKER_ID_CHARS,
    )?;
    check_text(&at, "name", &session.name, MAX_BROKER_TEXT_CHARS)?;
    check_text(&at, "email", &session.email, MAX_EMAIL_CHARS)?;
    check_text(&at, "app_name", &session.app_name, MAX_BROKER_TEXT_CHARS)?;
    check_text(&at, "host", &session.host, MAX_BROKER_TEXT_CHARS)
}

/// Report sessions that started.
///
/// Idempotent on `broker_session_id`: a retry, even one racing the first attempt, answers the same
/// console ids with `created: false` and makes nothing new. New sessions are Connected. Needs `broker`.
#[utoipa::path(
    tag = "broker",
    security(("bearer_token" = ["broker"]), ("session_cookie" = ["broker"], "csrf_token" = [])),
    request_body = OpenSessionsRequest,
    responses(
        (status = 200, description = "Each session's console id, in the order sent", body = OpenSessionsResult),
        JsonBodyRefusals,
        (status = 422, description = "No sessions or more than 1,000, or an empty or overlong field"),
        (status = 503, description = "The database is busy; retry (safely: opening is idempotent)"),
    )
)]
#[post("/broker/sessions")]
pub async fn open_sessions(
    _auth: Authorized<ReportSessions>,
    pool: web::Data<DbPool>,
    metrics: web::Data<Metrics>,
    body: web::Json<OpenSessionsRequest>,
) -> Result<web::Json<OpenSessionsResult>, ApiError> {
    let sessions = body.into_inner().sessions;
    check_batch("sessions", sessions.len())?;
    for (index, session) in sessions.iter().enumerate() {
        check_session(index, session)?;
    }
    let now = now();
    let sessions = with_db(&pool, move |conn| Ok(open(conn, &sessions, now)?)).await?;
    metrics.broker_report(BrokerReport::Open, sessions.len());
    Ok(web::Json(OpenSessionsResult { sessions }))
}

/// Report sessions that are alive.
///
/// Records a heartbeat for each active session named; an Unknown one becomes Connected again. Sessions
/// not heard from for the heartbeat timeout (90 seconds unless configured) become Unknown. The answer
/// names the ids that are not active here (never reported, ended or killed), whose apps the broker
/// should stop. Needs `broker`.
#[utoipa::path(
    tag = "broker",
    security(("bearer_token" = ["broker"]), ("session_cookie" = ["broker"], "csrf_token" = [])),
    request_body = HeartbeatsRequest,
    responses(
        (status = 200, description = "How many were alive, and which ids are not active", body = HeartbeatsResult),
        JsonBodyRefusals,
        (status = 422, description = "No ids or more than 1,000, or an overlong id"),
        Busy,
    )
)]
#[post("/broker/heartbeats")]
pub async fn heartbeats(
    _auth: Authorized<ReportSessions>,
    pool: web::Data<DbPool>,
    metrics: web::Data<Metrics>,
    body: web::Json<HeartbeatsRequest>,
) -> Result<web::Json<HeartbeatsResult>, ApiError> {
    let ids = body.into_inner().broker_session_ids;
    check_batch("broker_session_ids", ids.len())?;
    check_lengths("broker_session_ids", &ids, MAX_BROKER_ID_CHARS)?;
    let now = now();
    let reported = ids.len();
    let (alive, not_active) =
        with_db(&pool, move |conn| Ok(record_heartbeats(conn, &ids, now)?)).await?;
    metrics.broker_report(BrokerReport::Heartbeat, reported);
    Ok(web::Json(HeartbeatsResult { alive, not_active }))
}

/// Report sessions that ended.
///
/// Each active session named becomes Disconnected at its `end_time`. Ending a session that ended (or
/// was killed) already changes nothing, so a retry is harmless. Needs `broker`.
#[utoipa::path(
    tag = "broker",
    security(("bearer_token" = ["broker"]), ("session_cookie" = ["broker"], "csrf_token" = [])),
    request_body = EndSessionsRequest,
    responses(
        (status = 200, description = "What became of each id", body = EndSessionsResult),
        JsonBodyRefusals,
        (status = 422, description = "No sessions or more than 1,000, or an overlong id"),
        Busy,
    )
)]
#[post("/broker/sessions/end")]
pub async fn end_sessions(
    _auth: Authorized<ReportSessions>,
    pool: web::Data<DbPool>,
    metrics: web::Data<Metrics>,
    body: web::Json<EndSessionsRequest>,
) -> Result<web::Json<EndSessionsResult>, ApiError> {
    let sessions = body.into_inner().sessions;
    check_batch("sessions", sessions.len())?;
    for (index, session) in sessions.iter().enumerate() {
        let id = &session.broker_session_id;
        if id.chars().count() > MAX_BROKER_ID_CHARS || id.chars().any(char::is_control) {
            return Err(ApiError::Unprocessable(format!(
                "sessions[{index}].broker_session_id: at most {MAX_BROKER_ID_CHARS} characters, \
                 without control characters"
            )));
        }
    }
    let ended: Vec<(String, i64)> = sessions
        .into_iter()
        .map(|s| (s.broker_session_id, s.end_time.timestamp()))
        .collect();
    let reported = ended.len();
    let result = with_db(&pool, move |conn| Ok(end(conn, &ended)?)).await?;
    metrics.broker_report(BrokerReport::End, reported);
    Ok(web::Json(result))
}

/// The limit of one poll for pending kills.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PendingKillsParams {
    /// Kills per answer, 1 to 1,000; 100 when absent.
    #[serde(
        default = "default_poll_size",
        deserialize_with = "shared::params::whole::<1, { MAX_BROKER_BATCH as i64 }, _, _>"
    )]
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: u32,
}

fn default_poll_size() -> u32 {
    100
}

/// Fetch kills to carry out (for brokers without a webhook).
///
/// Pending kills, oldest first, each with its idempotency key. Carry each out once per key, then
/// acknowledge it with `POST /broker/kills/ack`; until then it stays pending, and a kill listed once is
/// listed again after 30 seconds without an acknowledgement (whichever console node is asked, so
/// pollers on several nodes do not get it twice meanwhile). Needs `broker`.
#[utoipa::path(
    tag = "broker",
    security(("bearer_token" = ["broker"]), ("session_cookie" = ["broker"])),
    params(PendingKillsParams),
    responses(
        (status = 200, description = "Pending kills, oldest first", body = PendingKills),
        (status = 400, description = "A parameter is not valid"),
        Busy,
    )
)]
#[get("/broker/kills")]
pub async fn pending_kills(
    _auth: Authorized<ReportSessions>,
    pool: web::Data<DbPool>,
    Query(PendingKillsParams { limit }): Query<PendingKillsParams>,
) -> Result<web::Json<PendingKills>, ApiError> {
    let due = with_db(&pool, move |conn| {
        let now = now();
        Ok(claim_due_kills(
            conn,
            now,
            now + POLL_LEASE_SECONDS,
            i64::from(limit),
        )?)
    })
    .await?;
    Ok(web::Json(PendingKills {
        items: due.into_iter().map(|kill| kill.order).collect(),
    }))
}

/// Acknowledge kills carried out (for brokers without a webhook).
///
/// Each known key becomes delivered; acknowledging twice is harmless. Needs `broker`.
#[utoipa::path(
    tag = "broker",
    security(("bearer_token" = ["broker"]), ("session_cookie" = ["broker"], "csrf_token" = [])),
    request_body = AcknowledgeKills,
    responses(
        (status = 200, description = "Which keys were acknowledged, which are unknown", body = AcknowledgedKills),
        JsonBodyRefusals,
        (status = 422, description = "No keys or more than 1,000, or an overlong key"),
        Busy,
    )
)]
#[post("/broker/kills/ack")]
pub async fn acknowledge_kills(
    _auth: Authorized<ReportSessions>,
    pool: web::Data<DbPool>,
    body: web::Json<AcknowledgeKills>,
) -> Result<web::Json<AcknowledgedKills>, ApiError> {
    let keys = body.into_inner().idempotency_keys;
    check_batch("idempotency_keys", keys.len())?;
    check_lengths("idempotency_keys", &keys, MAX_IDEMPOTENCY_KEY_CHARS)?;
    let now = now();
    let result = with_db(&pool, move |conn| {
        Ok(crate::db::write_transaction(conn, |conn| {
            let mut result = AcknowledgedKills::default();
            for key in keys {
                if mark_delivered(conn, &key, now)? {
                    result.acknowledged.push(key);
                } else {
                    result.unknown.push(key);
                }
            }
            diesel::QueryResult::Ok(result)
        })?)
    })
    .await?;
    Ok(web::Json(result))
}
