use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The cookie that carries a console sign-in. HttpOnly, so scripts in the page never see it.
pub const SESSION_COOKIE: &str = "sessions_console";
/// The header that must repeat the sign-in's CSRF token on every unsafe request made with the cookie.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// What an account may do. Each role is a fixed set of scopes (see [`Role::scopes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including tokens, accounts and the audit log.
    Admin,
    /// View, kill and export sessions.
    Operator,
    /// View and export sessions; no kill.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Operator, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    pub fn scopes(self) -> &'static [Scope] {
        match self {
            // `admin` grants every scope anyway; broker is for the platform's broker, not for people.
            Role::Admin => &[
                Scope::SessionsRead,
                Scope::SessionsKill,
                Scope::SessionsExport,
                Scope::Admin,
            ],
            Role::Operator => &[
                Scope::SessionsRead,
                Scope::SessionsKill,
                Scope::SessionsExport,
            ],
            Role::Viewer => &[Scope::SessionsRead, Scope::SessionsExport],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown role '{s}'; expected one of admin, operator, viewer"))
    }
}

/// A permission. Accounts get them from their role; API tokens carry the ones they were created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// List and read sessions.
    #[serde(rename = "sessions:read")]
    SessionsRead,
    /// Kill sessions.
    #[serde(rename = "sessions:kill")]
    SessionsKill,
    /// Export sessions as CSV.
    #[serde(rename = "sessions:export")]
    SessionsExport,
    /// Report sessions and heartbeats: the platform's session broker.
    #[serde(rename = "broker")]
    Broker,
    /// Everything: tokens, accounts and the audit log too.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::SessionsRead,
        Scope::SessionsKill,
        Scope::SessionsExport,
        Scope::Broker,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SessionsRead => "sessions:read",
            Scope::SessionsKill => "sessions:kill",
            Scope::SessionsExport => "sessions:export",
            Scope::Broker => "broker",
            Scope::Admin => "admin",
        }
    }

    /// Whether holding `self` grants `wanted`: `admin` grants every scope.
    pub fn grants(self, wanted: Scope) -> bool {
        self == wanted || self == Scope::Admin
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Scope, String> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown scope '{s}'; expected one of sessions:read, sessions:kill, \
                     sessions:export, broker, admin"
                )
            })
    }
}

/// Credentials for `POST /auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(example = "admin", max_length = 64))]
    pub username: String,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "correct horse battery staple", max_length = 1024)
    )]
    pub password: String,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Who a request acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    /// A person signed in with a password (cookie).
    Account,
    /// A script with an API token (bearer).
    Token,
}

/// Who is signed in (or which token is used), and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    pub kind: PrincipalKind,
    /// The account's username, or the token's name.
    #[cfg_attr(feature = "openapi", schema(example = "admin"))]
    pub name: String,
    /// The account's role; null for a token.
    pub role: Option<Role>,
    /// Everything this identity may do.
    pub scopes: Vec<Scope>,
    /// For a cookie sign-in: send it back in the `X-CSRF-Token` header of every POST, PUT, PATCH or
    /// DELETE. Null for a token, which needs none.
    pub csrf_token: Option<String>,
    /// When this sign-in or token stops working at the latest (the absolute expiry); an idle sign-in
    /// ends sooner.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Identity {
    pub fn may(&self, wanted: Scope) -> bool {
        self.scopes.iter().any(|scope| scope.grants(wanted))
    }
}
