//! What `GET /api/v1/events` streams: sessions as they open and change.

use serde::{Deserialize, Serialize};

use crate::Session;

/// The Server-Sent Events `event:` name of every [`SessionEvent`], for `EventSource.addEventListener`.
pub const SESSION_EVENT: &str = "session";
/// The name of the last event of a stream whose server is stopping: reconnect.
pub const RECONNECT_EVENT: &str = "reconnect";

crate::names::wire_enum! {
    /// What happened to the session.
    pub enum SessionEventKind as "session event kind" {
        /// The platform's broker reported a new session.
        Opened = "opened",
        /// Its status, end or killer changed: it ended, was killed, went silent or was heard from again.
        Changed = "changed",
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
