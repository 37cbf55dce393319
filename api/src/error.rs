//! The one error type of the API and the one place it becomes an HTTP answer.
//!
//! Handlers return `Result<_, ApiError>`. Client mistakes carry a sentence that tells the client what to
//! change; server faults carry their cause, which is logged and never sent (the client gets a generic
//! sentence). Every error is answered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use shared::Problem;

use crate::db::accounts::AccountError;
use crate::db::kill::KillError;
use crate::db::tokens::TokenError;
use crate::db::{DbConnection, DbPool};

/// What every 401 sends as `WWW-Authenticate`: Bearer, so browsers show no password prompt.
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"sessions-console\"";
/// Seconds a 503 (database busy) asks the client to wait.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query or path parameter, or a header, that cannot be used.
    #[error("{0}")]
    InvalidParameter(String),
    /// A body that is not the JSON the operation takes.
    #[error("{0}")]
    InvalidBody(String),
    /// Well-formed JSON that asks for something the operation does not do.
    #[error("{0}")]
    Unprocessable(String),
    /// No credentials, or ones that are not (or no longer) valid.
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials without the role or scope the operation needs, or a cross-site request.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{method} is not allowed on {path}; use {}", allow.join(", "))]
    MethodNotAllowed {
        method: String,
        path: String,
        allow: Vec<String>,
    },
    /// The request conflicts with the resource's state; nothing was changed.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many failed attempts; the client may try again after `retry_after` seconds.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// The database is too busy right now; the request can be repeated.
    #[error("the database is busy; try again shortly")]
    Unavailable(#[source] anyhow::Error),
    /// This server cannot serve yet: its database does not answer or is not migrated (`/readyz`).
    #[error("not ready: {0}")]
    NotReady(#[from] crate::db::NotReady),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn internal(context: &'static str, cause: impl Into<anyhow::Error>) -> ApiError {
        ApiError::Internal(cause.into().context(context))
    }

    /// The stable, machine-readable name of the kind of problem, the last part of its `type` URI.
    fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidParameter(_) => "invalid-parameter",
            ApiError::InvalidBody(_) => "invalid-body",
            ApiError::Unprocessable(_) => "unprocessable",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::NotReady(_) => "not-ready",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::InvalidParameter(_) => "Invalid parameter",
            ApiError::InvalidBody(_) => "Invalid request body",
            ApiError::Unprocessable(_) => "Request cannot be processed",
            ApiError::Unauthenticated(_) => "Authentication required",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::NotFound(_) => "Not found",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::Conflict(_) => "Conflict with the current state",
            ApiError::PayloadTooLarge(_) => "Request body too large",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::NotReady(_) => "Not ready",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    pub fn problem(&self) -> Problem {
        let detail = match self {
            ApiError::Internal(_) => {
                "The server failed to answer this request; the failure is logged.".to_owned()
            }
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("urn:sessions-console:problem:{}", self.code()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail,
            request_id: crate::request_id::current().map(|id| id.to_string()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter(_) | ApiError::InvalidBody(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) | ApiError::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(error = ?cause, "database busy"),
            ApiError::NotReady(cause) => tracing::warn!(error = ?cause, "not ready"),
            _ => {}
        }
        let mut response = problem_response(self.problem());
        if let ApiError::MethodNotAllowed { allow, .. } = self {
            let allow = allow
                .join(", ")
                .parse()
                .expect("method names make a valid header");
            response.headers_mut().insert(header::ALLOW, allow);
        }
        if let ApiError::TooManyRequests { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if matches!(self, ApiError::Unauthenticated(_)) {
            // RFC 9110 asks a 401 to name the scheme.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(WWW_AUTHENTICATE),
            );
        }
        if matches!(self, ApiError::Unavailable(_)) {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(UNAVAILABLE_RETRY_AFTER),
            );
        }
        response
    }
}

/// Runs database work for a request: [`crate::db::with_db`], failing with the API's error.
pub async fn with_db<T, F>(pool: &DbPool, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    crate::db::with_db(pool, work).await
}

/// The one way a problem goes on the wire: its own status, `application/problem+json`.
pub fn problem_response(problem: Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header(ContentType(
            "application/problem+json"
                .parse()
                .expect("a valid media type"),
        ))
        .json(problem)
}

/// Errors that say nothing about the request, only that the database cannot answer right now: SQLite
/// busy, PostgreSQL gone or restarting, or a transaction PostgreSQL chose to abort (a deadlock, a
/// serialization failure). Repeating the request may well succeed.
fn is_busy(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::SerializationFailure,
            _,
        )
        | Error::BrokenTransactionManager => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            [
                "database is locked",
                "busy",
                "deadlock detected",
                "terminating connection",
                "server closed the connection",
                "connection to server",
                "the database system is",
                "no connection to the server",
            ]
            .iter()
            .any(|sign| message.contains(sign))
        }
        _ => false,
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        match error {
            diesel::result::Error::NotFound => ApiError::NotFound("no such session".to_owned()),
            error if is_busy(&error) => {
                // It may have been a pooled connection to a server that has since gone or restarted.
                crate::db::backend::suspect_connections();
                ApiError::Unavailable(error.into())
            }
            error => ApiError::internal("querying the database", error),
        }
    }
}

impl From<crate::db::quick_page::QuickReadError> for ApiError {
    fn from(error: crate::db::quick_page::QuickReadError) -> ApiError {
        if error.is_busy() {
            ApiError::Unavailable(error.into())
        } else {
            ApiError::internal("reading a page of sessions", error)
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> ApiError {
        ApiError::Unavailable(
            anyhow::Error::new(error).context("waiting for a database connection"),
        )
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> ApiError {
        ApiError::internal("running a blocking task", error)
    }
}

impl From<KillError> for ApiError {
    fn from(error: KillError) -> ApiError {
        match error {
            KillError::NotFound(_) => ApiError::NotFound(error.to_string()),
            KillError::NotKillable { .. } => ApiError::Conflict(error.to_string()),
            KillError::Database(error) => error.into(),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> ApiError {
        match error {
            TokenError::Invalid(_) => ApiError::Unprocessable(error.to_string()),
            TokenError::NotFound(_) => ApiError::NotFound(error.to_string()),
            TokenError::Database(error) => error.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> ApiError {
        match error {
            AccountError::InvalidUsername(_) => ApiError::Unprocessable(error.to_string()),
            AccountError::Exists(_) => ApiError::Conflict(error.to_string()),
            AccountError::NotFound(_) => ApiError::NotFound(error.to_string()),
            AccountError::LastAdmin => ApiError::Conflict(error.to_string()),
            AccountError::NothingToChange => ApiError::Unprocessable(error.to_string()),
            AccountError::Database(error) => error.into(),
        }
    }
}
