use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Scope;

/// Longest token name, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// Longest token lifetime, in days.
pub const MAX_TOKEN_DAYS: u32 = 3650;

// The OpenAPI attributes below take literals.
const _: () =
    assert!(MAX_TOKEN_NAME_CHARS == 100 && MAX_TOKEN_DAYS == 3650 && crate::Scope::COUNT == 6);

/// A new API token for a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// What the token is for, shown in lists and in the audit log.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "nightly-report", min_length = 1, max_length = 100)
    )]
    pub name: String,
    /// At least one scope, each at most once.
    #[cfg_attr(
        feature = "openapi",
        schema(min_items = 1, max_items = 6, example = json!(["sessions:read"]))
    )]
    pub scopes: Vec<Scope>,
    /// Days until it expires, from 1 to 3650; null or absent: it never expires.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650, example = 90))]
    pub expires_in_days: Option<u32>,
}

/// An API token as lists show it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    /// The token's public id; also the part of the secret after `sct_`, before the second `_`.
    #[cfg_attr(feature = "openapi", schema(example = "k3v9q2m8x4c7w1z5"))]
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Who created it: an account's username, `token:` and a token's name, or `cli:` and the
    /// operating-system user who ran `sessions-api token create`.
    pub created_by: String,
    /// The account it belongs to: it never grants more than this account's role allows, and stops
    /// working while the account is disabled. Null: made from the command line while no admin account
    /// existed; only its scopes limit it.
    #[cfg_attr(feature = "openapi", schema(example = "admin"))]
    pub owner: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Null: it never expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Null: never used. Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token just created, with its secret: shown this once, stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`.
    #[cfg_attr(feature = "openapi", schema(example = "sct_k3v9q2m8x4c7w1z5_9f2c..."))]
    pub secret: String,
}

/// Every token that is not revoked, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenList {
    pub items: Vec<ApiToken>,
}
