//! Wire types of the Sessions Console REST API, shared by the server (`api`) and the browser app (`web`).
//!
//! With the `openapi` feature the types also derive their OpenAPI schemas; the WASM build leaves it off.

mod account;
mod audit;
mod auth;
mod broker;
mod delivery;
mod event;
mod names;
pub mod params;
mod problem;
mod query;
mod session;
mod token;
mod usage;
pub mod utc_seconds;

pub mod rules;

pub use account::{
    Account, AccountList, CreateAccountRequest, SetPasswordRequest, UpdateAccountRequest,
};
pub use audit::{
    ActorKind, AuditAction, AuditCursor, AuditEntry, AuditOutcome, AuditPage, AuditQuery,
    DEFAULT_AUDIT_PAGE_SIZE, MAX_AUDIT_ACTOR_CHARS, MAX_AUDIT_CURSOR_CHARS, MAX_AUDIT_PAGE_SIZE,
};
pub use auth::{
    CSRF_HEADER, Identity, LoginRequest, PrincipalKind, Role, SECURE_SESSION_COOKIE,
    SESSION_COOKIE, Scope,
};
pub use broker::{
    BrokerSession, EndSessionsRequest, EndSessionsResult, EndedBrokerSession, HeartbeatsRequest,
    HeartbeatsResult, MAX_BROKER_BATCH, MAX_BROKER_ID_CHARS, MAX_BROKER_TEXT_CHARS,
    MAX_EMAIL_CHARS, OpenSessionsRequest, OpenSessionsResult, OpenedSession,
};
pub use delivery::{
    AcknowledgeKills, AcknowledgedKills, DeliveryState, KillDelivery, KillOrder,
    MAX_IDEMPOTENCY_KEY_CHARS, PendingKills,
};
pub use event::{RECONNECT_EVENT, SESSION_EVENT, SessionEvent, SessionEventKind};
pub use names::UnknownName;
pub use params::{ParseQueryError, parse_query};
pub use problem::Problem;
pub use query::{FilterField, FilterParams, PageParams, SessionQuery, SortKey, SortOrder};
pub use session::{
    Health, KillManyRequest, KillManyResult, Session, SessionPage, SessionStatus, SkippedSession,
};
pub use token::{
    ApiToken, CreateTokenRequest, CreatedToken, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, TokenList,
};
pub use usage::{
    MAX_USAGE_BUCKETS, USAGE_TOP_APPS, Usage, UsageBucket, UsagePeak, UsageSeries, UsageSplit,
    UsageStep,
};

/// `text` in lower case, as `str::to_lowercase` puts it (Unicode's full lower-case mapping, final sigma
/// included). In the browser (feature `browser` on wasm32) JavaScript's `toLowerCase` does it: the
/// same mapping, without the 12 KB case table `to_lowercase` brings into the console's WASM.
pub(crate) fn lower_case(text: &str) -> String {
    #[cfg(all(feature = "browser", target_arch = "wasm32"))]
    {
        String::from(js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(all(feature = "browser", target_arch = "wasm32")))]
    {
        text.to_lowercase()
    }
}

/// Largest page `GET /sessions` returns.
pub const MAX_PAGE_SIZE: u32 = 500;
/// Page size when the request names none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Most ids one bulk kill accepts.
pub const MAX_BULK_KILL: usize = 10_000;
/// Longest `cursor` accepted, in characters: a cursor holds one sort value (320 characters at most)
/// and an id, which encode to well under this.
pub const MAX_CURSOR_CHARS: usize = 4096;
/// Longest `contains` term accepted, in characters.
pub const MAX_CONTAINS_CHARS: usize = 200;
