//! What the platform's session broker sends and receives under `/api/v1/broker`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most sessions (or ids) one broker call may carry.
pub const MAX_BROKER_BATCH: usize = 1_000;
/// Longest broker session id, in characters.
pub const MAX_BROKER_ID_CHARS: usize = 200;
/// Longest name, app name or host of a reported session, in characters.
pub const MAX_BROKER_TEXT_CHARS: usize = 200;
/// Longest email of a reported session, in characters (RFC 5321's limit on an address).
pub const MAX_EMAIL_CHARS: usize = 320;

// The OpenAPI attributes below take literals.
const _: () = assert!(
    MAX_BROKER_BATCH == 1000
        && MAX_BROKER_ID_CHARS == 200
        && MAX_BROKER_TEXT_CHARS == 200
        && MAX_EMAIL_CHARS == 320
        && crate::params::MAX_INSTANT_CHARS == 40
);

/// A session that started on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BrokerSession {
    /// The broker's own id of the session; opening the same id again returns the same console session.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "brk-7f3a9c", min_length = 1, max_length = 200)
    )]
    pub broker_session_id: String,
    /// The user's display name.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Zoë O'Brien", min_length = 1, max_length = 200)
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "zoe.obrien@example.com", min_length = 1, max_length = 320)
    )]
    pub email: String,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "LibreOffice Calc", min_length = 1, max_length = 200)
    )]
    pub app_name: String,
    /// The host the app runs on.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "host-eu-12", min_length = 1, max_length = 200)
    )]
    pub host: String,
    #[serde(deserialize_with = "crate::params::bounded_instant")]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub start_time: DateTime<Utc>,
}

/// Sessions that started, from 1 to 1,000.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpenSessionsRequest {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub sessions: Vec<BrokerSession>,
}

/// The console's id of one reported session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedSession {
    pub broker_session_id: String,
    /// The console's session id.
    pub id: i64,
    /// False when this broker session id was reported before (a retry): nothing new was made.
    pub created: bool,
}

/// Each reported session's console id, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSessionsResult {
    pub sessions: Vec<OpenedSession>,
}

/// Sessions that are still alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HeartbeatsRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = broker_session_ids))]
    pub broker_session_ids: Vec<String>,
}

/// 1 to [`MAX_BROKER_BATCH`] ids of at most [`MAX_BROKER_ID_CHARS`] characters.
#[cfg(feature = "openapi")]
fn broker_session_ids() -> utoipa::openapi::Array {
    crate::params::strings_up_to(MAX_BROKER_BATCH, MAX_BROKER_ID_CHARS)
}

/// What the console made of a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeartbeatsResult {
    /// Active sessions whose heartbeat was recorded (Unknown ones are Connected again).
    pub alive: u64,
    /// Ids the console does not know as active: never reported, ended or killed. The broker should stop
    /// whatever still runs under them.
    pub not_active: Vec<String>,
}

/// A session that ended normally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EndedBrokerSession {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub broker_session_id: String,
    /// Times before the session's start count as its start.
    #[serde(deserialize_with = "crate::params::bounded_instant")]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub end_time: DateTime<Utc>,
}

/// Sessions that ended, from 1 to 1,000.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EndSessionsRequest {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub sessions: Vec<EndedBrokerSession>,
}

/// What became of each ended session.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndSessionsResult {
    /// Now Disconnected.
    pub ended: Vec<String>,
    /// Ended before (or killed): left as they were, so repeating an end is harmless.
    pub already_ended: Vec<String>,
    /// Never reported.
    pub not_found: Vec<String>,
}
