use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The cookie that carries a console sign-in. HttpOnly, so scripts in the page never see it.
pub const SESSION_COOKIE: &str = "sessions_console";
/// The sign-in cookie's name over HTTPS: the `__Host-` prefix makes browsers refuse it unless it is
/// Secure, for the whole site and set by this host itself, so a neighbouring subdomain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-sessions_console";
/// The header that must repeat the sign-in's CSRF token on every unsafe request made with the cookie.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

crate::names::wire_enum! {
    /// What an account may do. Each role is a fixed set of scopes (see [`Role::scopes`]).
    #[derive(PartialOrd, Ord)]
    pub enum Role as "role" {
        /// Everything, including tokens, accounts and the audit log.
        Admin = "admin",
        /// View, kill and export sessions.
        Operator = "operator",
        /// View and export sessions; no kill.
        Viewer = "viewer",
    }
}

impl Role {
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            // `admin` grants every scope but `broker`, which is for the platform's broker, not for people.
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

    /// Whether a token this role's account owns may carry `scope`: what the role itself may do, and for
    /// admins also `broker` (admins make the platform broker's token).
    pub fn may_grant(self, scope: Scope) -> bool {
        self == Role::Admin || self.scopes().iter().any(|held| held.grants(scope))
    }
}

crate::names::wire_enum! {
    /// A permission. Accounts get them from their role; API tokens carry the ones they were created with.
    #[derive(PartialOrd, Ord)]
    pub enum Scope as "scope" {
        /// List and read sessions.
        SessionsRead = "sessions:read",
        /// Kill sessions.
        SessionsKill = "sessions:kill",
        /// Export sessions as CSV.
        SessionsExport = "sessions:export",
        /// Report sessions and heartbeats: the platform's session broker.
        Broker = "broker",
        /// Read `/metrics`: for a Prometheus server.
        Metrics = "metrics",
        /// Everything: tokens, accounts and the audit log too.
        Admin = "admin",
    }
}

impl Scope {
    /// Whether holding `self` grants `wanted`: `admin` grants every scope but `broker`, so that only the
    /// platform's broker opens and ends sessions (those reports are not audited one by one).
    pub fn grants(self, wanted: Scope) -> bool {
        self == wanted || (self == Scope::Admin && wanted != Scope::Broker)
    }
}

// The OpenAPI attributes below take literals.
const _: () =
    assert!(crate::rules::MAX_USERNAME_CHARS == 64 && crate::rules::MAX_PASSWORD_CHARS == 1024);

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
