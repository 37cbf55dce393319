//! What `GET /api/v1/events` streams: sessions as they open and change.

use serde::{Deserialize, Serialize};

use crate::Session;

/// The Server-Sent Events `event:` name of every [`SessionEvent`], for `EventSource.addEventListener`.
pub const SESSION_EVENT: &str = "session";

/// What happened to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SessionEventKind {
    /// The platform's broker reported a new session.
    Opened,
    /// Its status, end or killer changed: it ended, was killed, went silent or was heard from again.
    Changed,
}

impl SessionEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEventKind::Opened => "opened",
            SessionEventKind::Changed => "changed",
        }
    }
}

impl std::str::FromStr for SessionEventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "opened" => Ok(SessionEventKind::Opened),
            "changed" => Ok(SessionEventKind::Changed),
            other => Err(format!(
                "unknown session event kind '{other}'; expected opened or changed"
            )),
        }
    }
}

/// One event of the stream: a session that opened or changed, as it is when the event is sent (a
/// replayed event shows the session as it is now, not as it was then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionEvent {
    /// The event's place in the log, also sent as its SSE `id:`; later events have larger ids.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, example = 5120))]
    pub id: i64,
    pub kind: SessionEventKind,
    pub session: Session,
}
