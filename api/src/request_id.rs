//! Every request gets an id: the client's `X-Request-Id` when it is well-formed (1 to 64 characters of
//! `A-Z a-z 0-9 . _ -`), else one made here. The id is echoed in the answer's `X-Request-Id`, is a field
//! of the span every log line of the request is written in, and is the `request_id` of its problem+json
//! body (see [`current`]).
//!
//! Made ids are this process's random prefix and a counter (`3f9a1c6b2d40-17`): unique across nodes
//! without a random draw per request. An id is a fixed-size value, so passing it around allocates
//! nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// The header a request id comes in and goes out in.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// The longest id kept from a client.
pub const MAX_CHARS: usize = 64;

/// A request's id.
#[derive(Clone, Copy)]
pub struct RequestId {
    bytes: [u8; MAX_CHARS],
    len: u8,
}

impl RequestId {
    /// The client's id, if it is 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    pub fn parse(text: &[u8]) -> Option<RequestId> {
        let well_formed = (1..=MAX_CHARS).contains(&text.len())
            && text
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        well_formed.then(|| {
            let mut bytes = [0; MAX_CHARS];
            bytes[..text.len()].copy_from_slice(text);
            RequestId {
                bytes,
                len: text.len() as u8,
            }
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Makes the ids of requests that come without a usable one.
pub struct RequestIds {
    prefix: u64,
    next: AtomicU64,
}

impl Default for RequestIds {
    fn default() -> RequestIds {
        RequestIds {
            // 48 random bits: two nodes share a prefix about once in 2^24 pairs.
            prefix: getrandom::u64().unwrap_or(0) & 0xffff_ffff_ffff,
            next: AtomicU64::new(1),
        }
    }
}

impl RequestIds {
    fn make(&self) -> RequestId {
        use std::io::Write;
        let mut bytes = [0; MAX_CHARS];
        let count = self.next.fetch_add(1, Ordering::Relaxed);
        let mut cursor = std::io::Cursor::new(&mut bytes[..]);
        // 12 + 1 + at most 20 characters: fits.
        let _ = write!(cursor, "{:012x}-{count}", self.prefix);
        let len = cursor.position() as u8;
        RequestId { bytes, len }
    }
}

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of the request being answered, when called while answering one.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(|id| *id).ok()
}

/// Gives the request its id, answers it inside a span that carries the id (so every log line of the
/// request has it) and echoes the id in the answer. An error an inner service returns gets its
/// problem+json answer here, while the id is still known.
pub async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|value| RequestId::parse(value.as_bytes()))
        .unwrap_or_else(
            || match req.app_data::<actix_web::web::Data<RequestIds>>() {
                Some(ids) => ids.make(),
                None => RequestIds::default().make(),
            },
        );
    req.extensions_mut().insert(id);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let header = HeaderValue::from_str(id.as_str()).ok();
    let answer = CURRENT.scope(id, async move {
        let answered = next.call(req).await;
        let status = match &answered {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        tracing::debug!(
            target: "access",
            status = status.as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "answered"
        );
        match answered {
            Ok(mut response) => {
                if let Some(header) = header {
                    response.headers_mut().insert(HEADER, header);
                }
                Ok(response)
            }
            // Answered now, while the id is known, rather than by actix after this returns (the
            // request is gone by then, so the error keeps its answer).
            Err(error) => {
                let mut response = error.error_response();
                if let Some(header) = header {
                    response.headers_mut().insert(HEADER, header);
                }
                Err(InternalError::from_response(error, response).into())
            }
        }
    });
    answer.instrument(span).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_id_is_kept_only_when_well_formed() {
        assert_eq!(
            RequestId::parse(b"abc-123_X.y").unwrap().as_str(),
            "abc-123_X.y"
        );
        assert_eq!(RequestId::parse(&[b'a'; 64]).unwrap().as_str().len(), 64);
        for bad in [&b""[..], &[b'a'; 65], b"a b", b"a/b", b"\xc3\xa9", b"a\nb"] {
            assert!(RequestId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn made_ids_are_well_formed_and_differ() {
        let ids = RequestIds::default();
        let (a, b) = (ids.make(), ids.make());
        assert_ne!(a.as_str(), b.as_str());
        assert!(RequestId::parse(a.as_str().as_bytes()).is_some());
        let last = RequestIds {
            prefix: 0xffff_ffff_ffff,
            next: AtomicU64::new(u64::MAX),
        };
        assert_eq!(last.make().as_str(), "ffffffffffff-18446744073709551615");
    }
}
