use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// A console account as admins see it: never its password or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    /// Lower case; sign-in ignores case.
    #[cfg_attr(feature = "openapi", schema(example = "alice"))]
    pub username: String,
    pub role: Role,
    /// A disabled account cannot sign in.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

/// Every account, by username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountList {
    pub items: Vec<Account>,
}

// The OpenAPI attributes below take literals.
const _: () = assert!(
    crate::rules::MAX_USERNAME_CHARS == 64
        && crate::rules::MIN_PASSWORD_CHARS == 12
        && crate::rules::MAX_PASSWORD_CHARS == 1024
);

/// A new account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    /// 1 to 64 of a-z, 0-9, `.`, `_`, `-`, starting with a letter or digit; case is ignored.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "alice", min_length = 1, max_length = 64)
    )]
    pub username: String,
    pub role: Role,
    /// At least 12 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 1024))]
    pub password: String,
}

impl fmt::Debug for CreateAccountRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateAccountRequest")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// What to change of an account; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountRequest {
    #[serde(default)]
    pub role: Option<Role>,
    /// True disables the account (its sign-ins end at once); false enables it again.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// A new password for an account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// At least 12 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 1024))]
    pub password: String,
}

impl fmt::Debug for SetPasswordRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SetPasswordRequest { password: <redacted> }")
    }
}
