use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Largest page `GET /audit` returns.
pub const MAX_AUDIT_PAGE_SIZE: u32 = 500;
/// Audit page size when the request names none.
pub const DEFAULT_AUDIT_PAGE_SIZE: u32 = 50;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    /// A sign-in attempt; details name the username tried and, on failure, why.
    #[serde(rename = "auth.login")]
    Login,
    #[serde(rename = "auth.logout")]
    Logout,
    /// One session killed (or an attempt that changed nothing); details hold `session_id`.
    #[serde(rename = "sessions.kill")]
    KillSession,
    /// A bulk kill; details hold the `killed`, `skipped` and `not_found` ids.
    #[serde(rename = "sessions.kill_many")]
    KillSessions,
    /// A CSV export; details hold the range, the filter and, once it ends, the `rows` sent.
    #[serde(rename = "sessions.export")]
    Export,
    #[serde(rename = "token.create")]
    CreateToken,
    #[serde(rename = "token.revoke")]
    RevokeToken,
    /// An account created (also the first admin, at first start).
    #[serde(rename = "account.create")]
    CreateAccount,
    #[serde(rename = "account.password")]
    ChangePassword,
    #[serde(rename = "account.disable")]
    DisableAccount,
    /// An account's role changed, or it was enabled or disabled through the API; details say how.
    #[serde(rename = "account.update")]
    UpdateAccount,
}

impl AuditAction {
    pub const ALL: [AuditAction; 11] = [
        AuditAction::Login,
        AuditAction::Logout,
        AuditAction::KillSession,
        AuditAction::KillSessions,
        AuditAction::Export,
        AuditAction::CreateToken,
        AuditAction::RevokeToken,
        AuditAction::CreateAccount,
        AuditAction::ChangePassword,
        AuditAction::DisableAccount,
        AuditAction::UpdateAccount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "auth.login",
            AuditAction::Logout => "auth.logout",
            AuditAction::KillSession => "sessions.kill",
            AuditAction::KillSessions => "sessions.kill_many",
            AuditAction::Export => "sessions.export",
            AuditAction::CreateToken => "token.create",
            AuditAction::RevokeToken => "token.revoke",
            AuditAction::CreateAccount => "account.create",
            AuditAction::ChangePassword => "account.password",
            AuditAction::DisableAccount => "account.disable",
            AuditAction::UpdateAccount => "account.update",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = String;
    fn from_str(s: &str) -> Result<AuditAction, String> {
        AuditAction::ALL
            .into_iter()
            .find(|action| action.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
                format!("unknown action '{s}'; expected one of {}", names.join(", "))
            })
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    Success,
    /// Refused or failed; nothing changed (a wrong password, a session that was not active...).
    Failure,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }
}

impl FromStr for AuditOutcome {
    type Err = String;
    fn from_str(s: &str) -> Result<AuditOutcome, String> {
        match s {
            "success" => Ok(AuditOutcome::Success),
            "failure" => Ok(AuditOutcome::Failure),
            other => Err(format!("unknown outcome '{other}'")),
        }
    }
}

/// What kind of actor did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A signed-in account.
    Account,
    /// An API token.
    Token,
    /// The `sessions-api` command line, run on the server.
    Cli,
    /// Nobody signed in yet: a failed sign-in.
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Account => "account",
            ActorKind::Token => "token",
            ActorKind::Cli => "cli",
            ActorKind::Anonymous => "anonymous",
        }
    }
}

impl FromStr for ActorKind {
    type Err = String;
    fn from_str(s: &str) -> Result<ActorKind, String> {
        match s {
            "account" => Ok(ActorKind::Account),
            "token" => Ok(ActorKind::Token),
            "cli" => Ok(ActorKind::Cli),
            "anonymous" => Ok(ActorKind::Anonymous),
            other => Err(format!("unknown actor kind '{other}'")),
        }
    }
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Entries are numbered in the order they were written.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    /// The account's username, the token's name, the operating-system user of the CLI, or the username
    /// a failed sign-in tried.
    #[cfg_attr(feature = "openapi", schema(example = "admin"))]
    pub actor: String,
    /// The client's IP address; null for the CLI.
    #[cfg_attr(feature = "openapi", schema(example = "192.0.2.10"))]
    pub address: Option<String>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    /// What exactly, depending on the action (session ids, export range and filter, token id...).
    #[cfg_attr(feature = "openapi", schema(value_type = Object, example = json!({"session_id": 1042})))]
    pub details: serde_json::Value,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` to get the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
}
