//! Who is asking, and what they may do: sign-ins (cookie), API tokens (bearer), CSRF defence, sign-in
//! throttling and the extractors handlers use to demand a scope.

pub mod csrf;
pub mod middleware;
pub mod password;
pub mod principal;
pub mod secrets;
pub mod throttle;

pub use middleware::authenticate;
pub use principal::{
    Administer, Authorized, ExportSessions, KillSessions, Principal, ReadMetrics, ReadSessions,
    ReportSessions, SignedIn,
};
