use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Largest page `GET /audit` returns.
pub const MAX_AUDIT_PAGE_SIZE: u32 = 500;
/// Audit page size when the request names none.
pub const DEFAULT_AUDIT_PAGE_SIZE: u32 = 50;
/// Longest `actor` filter accepted, in characters: longer than any actor the log records (usernames
/// have at most 64, token names 100).
pub const MAX_AUDIT_ACTOR_CHARS: usize = 200;
/// Longest audit `cursor`: the digits of a positive 64-bit entry id.
pub const MAX_AUDIT_CURSOR_CHARS: usize = 19;

crate::names::wire_enum! {
    /// What was done.
    pub enum AuditAction as "action" {
        /// A sign-in attempt; details name the username tried and, on failure, why.
        Login = "auth.login",
        Logout = "auth.logout",
        /// One session killed (or an attempt that changed nothing); details hold `session_id`.
        KillSession = "sessions.kill",
        /// A bulk kill; details hold the `killed`, `skipped` and `not_found` ids.
        KillSessions = "sessions.kill_many",
        /// A CSV export; details hold the range, the filter and, once it ends, the `rows` sent.
        Export = "sessions.export",
        /// A failed kill delivery started over; details hold `session_id`.
        RetryDelivery = "sessions.delivery_retry",
        CreateToken = "token.create",
        RevokeToken = "token.revoke",
        /// An account created (also the first admin, at first start).
        CreateAccount = "account.create",
        ChangePassword = "account.password",
        DisableAccount = "account.disable",
        /// An account's role changed, or it was enabled or disabled through the API; details say how.
        UpdateAccount = "account.update",
        /// A retention run removed old data; details hold what it removed (`sessions`, `events`,
        /// `deliveries`, `audit_entries`) and the cutoffs (`ended_before`, `audit_before`).
        Prune = "retention.prune",
    }
}

crate::names::wire_enum! {
    /// How it ended.
    pub enum AuditOutcome as "outcome" {
        Success = "success",
        /// Refused or failed; nothing changed (a wrong password, a session that was not active...).
        Failure = "failure",
    }
}

crate::names::wire_enum! {
    /// What kind of actor did it.
    pub enum ActorKind as "actor kind" {
        /// A signed-in account.
        Account = "account",
        /// An API token.
        Token = "token",
        /// The `sessions-api` command line, run on the server.
        Cli = "cli",
        /// Nobody signed in yet: a failed sign-in.
        Anonymous = "anonymous",
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
    /// How many attempts this entry stands for; more than 1 only for repeated failed sign-ins within one
    /// minute (the same username tried from the same address for the same reason, in one calendar
    /// minute, UTC), whose `at` is then the latest attempt's. Attempts refused by the throttle (429)
    /// before their password was checked are not counted.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, example = 1))]
    pub count: u32,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` to get the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Where a page of the audit log starts: the `next_cursor` of the page before, the id of its last entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor(pub i64);

impl std::str::FromStr for AuditCursor {
    type Err = String;
    fn from_str(text: &str) -> Result<AuditCursor, String> {
        let digits =
            text.len() <= MAX_AUDIT_CURSOR_CHARS && text.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| text.parse::<i64>().ok())
            .flatten()
            .filter(|id| *id > 0)
            .map(AuditCursor)
            .ok_or_else(|| "not one this server issued; pass next_cursor unchanged".to_owned())
    }
}

impl std::fmt::Display for AuditCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn default_audit_page_size() -> u32 {
    DEFAULT_AUDIT_PAGE_SIZE
}

/// Which entries of `GET /audit`, and which page of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries by this actor: a username, a token name, or what a failed sign-in tried.
    #[serde(
        default,
        deserialize_with = "crate::params::text_some_up_to::<MAX_AUDIT_ACTOR_CHARS, _>"
    )]
    #[cfg_attr(feature = "openapi", param(example = "admin", max_length = 200))]
    pub actor: Option<String>,
    /// Only entries of this action, such as `sessions.kill`.
    #[serde(default, deserialize_with = "crate::params::one_some")]
    pub action: Option<AuditAction>,
    /// Only entries at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::params::instant_some")]
    #[cfg_attr(
        feature = "openapi",
        param(example = "2026-11-01T00:00:00Z", format = DateTime, max_length = 40)
    )]
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::params::instant_some")]
    #[cfg_attr(
        feature = "openapi",
        param(example = "2026-12-01T00:00:00Z", format = DateTime, max_length = 40)
    )]
    pub to: Option<DateTime<Utc>>,
    /// `next_cursor` of the previous page, with the same filter.
    #[serde(default, deserialize_with = "crate::params::one_some")]
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<String>, pattern = "^[0-9]+$", max_length = 19)
    )]
    pub cursor: Option<AuditCursor>,
    /// Entries per page, 1 to 500.
    #[serde(
        default = "default_audit_page_size",
        deserialize_with = "crate::params::whole::<1, { MAX_AUDIT_PAGE_SIZE as i64 }, _, _>"
    )]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500, example = 50))]
    pub limit: u32,
}

// The OpenAPI attributes above take literals.
const _: () = assert!(
    MAX_AUDIT_ACTOR_CHARS == 200
        && MAX_AUDIT_CURSOR_CHARS == 19
        && MAX_AUDIT_PAGE_SIZE == 500
        && crate::params::MAX_INSTANT_CHARS == 40
        && i64::MAX.ilog10() + 1 == MAX_AUDIT_CURSOR_CHARS as u32
);

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            actor: None,
            action: None,
            from: None,
            to: None,
            cursor: None,
            limit: DEFAULT_AUDIT_PAGE_SIZE,
        }
    }
}

impl AuditQuery {
    /// The query as `(name, value)` pairs, leaving out what is not set, for building URLs.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let instant = |time: DateTime<Utc>| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        [
            ("actor", self.actor.clone()),
            ("action", self.action.map(|a| a.as_str().to_owned())),
            ("from", self.from.map(instant)),
            ("to", self.to.map(instant)),
            ("cursor", self.cursor.map(|c| c.to_string())),
            (
                "limit",
                (self.limit != DEFAULT_AUDIT_PAGE_SIZE).then(|| self.limit.to_string()),
            ),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect()
    }
}
