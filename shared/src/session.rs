use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::names::wire_enum! {
    /// Where a session stands. Connected and Unknown sessions are active and can be killed.
    pub enum SessionStatus as "status" {
        /// The user is connected and the host reports in.
        Connected = "Connected",
        /// The user ended the session, or it ended normally.
        Disconnected = "Disconnected",
        /// The host stopped reporting; the app may be hung.
        Unknown = "Unknown",
        /// An administrator killed the session.
        Killed = "Killed",
    }
}

impl SessionStatus {
    /// The statuses of a session that may still be running: the ones a kill applies to.
    pub const ACTIVE: [SessionStatus; 2] = [SessionStatus::Connected, SessionStatus::Unknown];

    /// Only a session that may still be running can be killed.
    pub fn is_killable(self) -> bool {
        SessionStatus::ACTIVE.contains(&self)
    }
}

/// One session of a user in an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Assigned by the system; newer sessions have larger ids.
    #[cfg_attr(feature = "openapi", schema(example = 1042))]
    pub id: i64,
    /// The user's display name.
    #[cfg_attr(feature = "openapi", schema(example = "Zoë O'Brien"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "zoe.obrien@example.com"))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(example = "LibreOffice Calc"))]
    pub app_name: String,
    /// When the session started (RFC 3339, UTC).
    #[serde(serialize_with = "crate::utc_seconds::serialize")]
    pub start_time: DateTime<Utc>,
    /// When it ended (RFC 3339, UTC); null while it is active.
    #[serde(serialize_with = "crate::utc_seconds::serialize_option")]
    pub end_time: Option<DateTime<Utc>>,
    /// Until now for an active session, until its end otherwise.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, example = 7500))]
    pub duration_seconds: i64,
    pub status: SessionStatus,
    /// True exactly when the status is Connected or Unknown.
    pub killable: bool,
    /// Who killed it (an account's username, or `token:` and a token's name); null unless Killed.
    /// Sessions killed before accounts existed have none.
    #[cfg_attr(feature = "openapi", schema(example = "admin"))]
    pub killed_by: Option<String>,
    /// For a killed session the platform's broker reported: how the kill's delivery to the broker
    /// stands. Null otherwise.
    #[serde(default)]
    pub delivery: Option<crate::delivery::KillDelivery>,
}

/// One page of sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionPage {
    pub items: Vec<Session>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many sessions match the filter, over all pages.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub total: u64,
}

/// The sessions to kill in one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KillManyRequest {
    /// From 1 to 10,000 session ids; duplicates count once.
    #[cfg_attr(feature = "openapi", schema(schema_with = kill_ids))]
    pub ids: Vec<i64>,
}

/// 1 to [`crate::MAX_BULK_KILL`] ids, any 64-bit number (ids no session has are reported back as
/// `not_found`).
#[cfg(feature = "openapi")]
fn kill_ids() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(i64::MIN))
                .maximum(Some(i64::MAX)),
        )
        .min_items(Some(1))
        .max_items(Some(crate::MAX_BULK_KILL))
        .description(Some("From 1 to 10,000 session ids; duplicates count once."))
        .examples([serde_json::json!([1042, 1043])])
        .build()
}

/// A session a bulk kill left alone, with the status that stopped it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedSession {
    pub id: i64,
    pub status: SessionStatus,
}

/// What a bulk kill did with each id, in ascending id order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KillManyResult {
    /// Killed by this request.
    pub killed: Vec<i64>,
    /// Not active (any more), so not killed.
    pub skipped: Vec<SkippedSession>,
    /// No session has this id.
    pub not_found: Vec<i64>,
}

/// Liveness answer for load balancers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
}
