//! How a kill reaches the platform: its delivery to the broker.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::names::wire_enum! {
    /// Where the delivery of a kill to the broker stands.
    pub enum DeliveryState as "delivery state" {
        /// Not acknowledged by the broker yet; being retried.
        Pending = "pending",
        /// The broker acknowledged it.
        Delivered = "delivered",
        /// Every attempt failed; an admin may retry it.
        Failed = "failed",
    }
}

/// The delivery of a session's kill to the platform's broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KillDelivery {
    pub state: DeliveryState,
    /// Attempts made so far, the one the broker acknowledged included.
    pub attempts: u32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the broker acknowledged it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// A kill the broker must carry out, as sent to its webhook and listed to polling brokers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KillOrder {
    /// Always `session.kill`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(example = "session.kill"))]
    pub order_type: String,
    /// The same for every attempt to deliver this kill: carry it out once per key.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "5f0c9e7a1b2d4c6e8f0a1b2c3d4e5f60")
    )]
    pub idempotency_key: String,
    /// The console's session id.
    pub session_id: i64,
    pub broker_session_id: String,
    pub host: Option<String>,
    /// Who killed it: a username, or `token:` and a token's name.
    pub killed_by: Option<String>,
    pub killed_at: DateTime<Utc>,
}

/// Kills waiting for a polling broker, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingKills {
    pub items: Vec<KillOrder>,
}

/// Kills a polling broker has carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeKills {
    #[cfg_attr(feature = "openapi", schema(schema_with = idempotency_keys))]
    pub idempotency_keys: Vec<String>,
}

/// Longest idempotency key accepted, in characters; the keys this server makes have 32.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 64;

/// 1 to [`crate::MAX_BROKER_BATCH`] keys of at most [`MAX_IDEMPOTENCY_KEY_CHARS`] characters.
#[cfg(feature = "openapi")]
fn idempotency_keys() -> utoipa::openapi::Array {
    crate::params::strings_up_to(crate::MAX_BROKER_BATCH, MAX_IDEMPOTENCY_KEY_CHARS)
}

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcknowledgedKills {
    /// Now delivered (or delivered before: acknowledging twice is harmless).
    pub acknowledged: Vec<String>,
    /// No kill has this key.
    pub unknown: Vec<String>,
}
