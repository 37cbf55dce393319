use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderName};
use actix_web::rt::time::Instant;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use shared::{Problem, params};
use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::auth::{Authorized, ReadSessions};
use crate::clock::now;
use crate::db::DbPool;
use crate::db::sign_ins::SignInLifetime;
use crate::error::ApiError;
use crate::events::{EventHub, StreamHold, event_stream};
use crate::slots::{Full, Slots};

use super::extract::Query;

/// Longest a stream lasts; also its length when `max_seconds` is not given.
const MAX_STREAM_SECONDS: u64 = 3600;
/// Seconds a refused stream is told to wait (EventSource itself retries after its `retry`).
const STREAM_RETRY_AFTER: u64 = 5;

// The OpenAPI attributes below take literals.
const _: () = assert!(MAX_STREAM_SECONDS == 3600);

/// The caps on open event streams, and what ends them when the server stops.
pub struct Streams {
    pub slots: Arc<Slots>,
    pub stopping: crate::shutdown::Stopping,
}
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The query of `GET /events`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    /// For clients that cannot send headers: replay the events after this id first, as the
    /// `Last-Event-ID` header does (which wins when both are sent, as it does when EventSource
    /// reconnects).
    #[serde(
        default,
        deserialize_with = "params::whole_some::<0, { i64::MAX }, _, _>"
    )]
    #[param(minimum = 0, maximum = 9223372036854775807_i64, example = 0)]
    last_event_id: Option<i64>,
    /// End the stream after this many seconds, 1 to 3600 (the default). EventSource reconnects by
    /// itself; a script can use it to bound a read.
    #[serde(
        default = "longest_stream",
        deserialize_with = "params::whole::<1, { MAX_STREAM_SECONDS as i64 }, _, _>"
    )]
    #[param(minimum = 1, maximum = 3600, default = 3600, example = 1)]
    max_seconds: u32,
}

fn longest_stream() -> u32 {
    MAX_STREAM_SECONDS as u32
}

/// One Server-Sent Event of `GET /events`, as its fields: for the OpenAPI document. `data` is a
/// [`shared::SessionEvent`] as JSON.
#[allow(dead_code)]
pub struct SessionEventMessage;

impl PartialSchema for SessionEventMessage {
    fn schema() -> RefOr<Schema> {
        let text = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::String));
        ObjectBuilder::new()
            .description(Some(
                "One Server-Sent Event: `id: <id>`, `event: session`, `data: <SessionEvent as JSON>`.",
            ))
            .property(
                "id",
                text()
                    .pattern(Some("^[0-9]+$"))
                    .description(Some("The event's id; send it back as `Last-Event-ID`.")),
            )
            .required("id")
            .property("event", text().enum_values(Some([shared::SESSION_EVENT])))
            .required("event")
            .property(
                "data",
                text()
                    .content_media_type("application/json")
                    .content_schema(Some(Ref::from_schema_name(shared::SessionEvent::name()))),
            )
            .required("data")
            .into()
    }
}

impl ToSchema for SessionEventMessage {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            shared::SessionEvent::name().into_owned(),
            shared::SessionEvent::schema(),
        ));
        shared::SessionEvent::schemas(schemas);
    }
}

/// Where a stream starts: after the `Last-Event-ID` header's event when it is sent, else after the
/// query's `last_event_id`, else from now.
fn start_after(req: &HttpRequest, query: &EventsParams) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(LAST_EVENT_ID) else {
        return Ok(query.last_event_id);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::InvalidParameter("Last-Event-ID: not an event id".to_owned()))?;
    params::whole_number(value.trim(), 0, i64::MAX)
        .map(Some)
        .map_err(|why| ApiError::InvalidParameter(format!("Last-Event-ID: {why}")))
}

/// Follow sessions as they open and change (Server-Sent Events).
///
/// A `text/event-stream` that starts with `retry: 2000` and then sends one event per change, oldest
/// first:
///
/// ```text
/// id: 5120
/// event: session
/// data: {"id":5120,"kind":"changed","session":{...}}
/// ```
///
/// `data` is a `SessionEvent`: `kind` is `opened` (the broker reported a new session) or `changed` (its
/// status, end or killer changed: ended, killed, went silent, heard from again), and `session` is the
/// session as `GET /sessions/{id}` shows it when the event is sent. Changes appear within about 200 ms.
/// An idle stream sends a `: keep-alive` comment every 15 s.
///
/// Without `Last-Event-ID` the stream starts from now. With it (EventSource sends it when it reconnects),
/// the events after that id are sent first, each exactly once; events are kept for an hour. A client that
/// falls too far behind is disconnected, and catches up by reconnecting with its `Last-Event-ID`. The
/// stream ends after `max_seconds`, or when the sign-in or token expires. When the server stops, the
/// stream's last event is `event: reconnect` (no id, `data` a sentence): open the stream again, with
/// the `Last-Event-ID` of the last session event, to reach another node or this one once restarted.
/// Needs `sessions:read`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:read"]), ("bearer_token" = ["sessions:read"])),
    params(
        EventsParams,
        ("Last-Event-ID" = Option<i64>, Header, nullable = false, minimum = 0, maximum = 9223372036854775807_i64, example = 0,
            description = "Replay the events after this id first; EventSource sends the last id it got when it reconnects."),
    ),
    responses(
        (status = 200, description = "The event stream; each event is a `SessionEvent` as JSON in `data`",
            content_type = "text/event-stream",
            body = SessionEventMessage,
            headers(("Cache-Control" = String, description = "no-cache"))),
        (status = 400, description = "A parameter or `Last-Event-ID` is not valid"),
        (status = 429, description = "The caller, or the server, has as many streams open as allowed; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[get("/events")]
pub async fn stream_events(
    auth: Authorized<ReadSessions>,
    pool: web::Data<DbPool>,
    hub: web::Data<EventHub>,
    streams: web::Data<Streams>,
    lifetime: web::Data<SignInLifetime>,
    Query(query): Query<EventsParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let after = start_after(&req, &query)?;
    let mut lasts = Duration::from_secs(query.max_seconds.into());
    // The stream must not outlive the credentials it was opened with.
    if let Some(expires_at) = auth.principal.expires_at {
        let left = u64::try_from(expires_at - now()).unwrap_or(0);
        lasts = lasts.min(Duration::from_secs(left.max(1)));
    }
    let credential = auth.principal.credential().ok_or_else(|| {
        ApiError::internal(
            "opening a stream",
            anyhow::anyhow!("a principal without a credential"),
        )
    })?;
    let caller = auth.principal.actor().label();
    let slot = streams
        .slots
        .take(&caller)
        .map_err(|full| ApiError::TooManyRequests {
            detail: match full {
                Full::Caller(most) => {
                    format!("{caller} has {most} event streams open already; close one first")
                }
                Full::Server(most) => {
                    format!("this server has {most} event streams open already; try again shortly")
                }
            },
            retry_after: STREAM_RETRY_AFTER,
        })?;
    let hold = StreamHold {
        slot,
        stopping: streams.stopping.clone(),
        credential,
        lifetime: *lifetime.get_ref(),
    };
    let body = event_stream(pool, &hub, after, Instant::now() + lasts, hold);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // The Compress middleware leaves a response alone that names its encoding; compressing would
        // hold events back in the compressor's buffer.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        // Tells nginx not to buffer the stream either.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
