//! Authentication of every API request, before any handler runs: a request under `/api/` without valid
//! credentials never reaches a route (401), whatever the route. Which scope a route needs is then up to
//! its handler's [`super::Authorized`] argument (403).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::Cookie;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use shared::SESSION_COOKIE;

use super::csrf;
use super::principal::{NO_CREDENTIALS, Principal};
use crate::client::{client, session_cookie_name};
use crate::clock::now;
use crate::db::DbPool;
use crate::db::sign_ins::{SignInLifetime, find_sign_in, mark_sign_in_seen};
use crate::db::tokens::{find_token, mark_token_used};
use crate::db::{BackendKind, with_quick_read};
use crate::error::{ApiError, with_db};

/// Paths anyone may call: the login itself, the API's documentation, and everything outside `/api/`
/// (the web app's files, `/healthz`, `/readyz`) but `/metrics`.
pub fn is_public(path: &str) -> bool {
    // Routing matches the decoded path, so decide on it too: `/%61pi/...` is `/api/...`.
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    (!path.starts_with("/api/") && path != crate::metrics::PATH)
        || path == "/api/v1/auth/login"
        || path.starts_with("/api/docs")
}

/// The client's IP address: the TCP peer's, or what a trusted proxy says (see [`crate::client`]).
pub fn client_address(req: &actix_web::HttpRequest) -> Option<String> {
    client(req).address.map(|address| address.to_string())
}

/// Why credentials were refused, and whether the browser should forget its cookie.
struct Refusal {
    error: ApiError,
    forget_cookie: bool,
    cookie_name: &'static str,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Refusal {
        Refusal {
            error,
            forget_cookie: false,
            cookie_name: SESSION_COOKIE,
        }
    }
}

pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_public(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    match identify(&req).await {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(refusal) => {
            let mut response = refusal.error.error_response();
            if refusal.forget_cookie {
                let mut gone = Cookie::build(refusal.cookie_name, "").path("/").finish();
                gone.make_removal();
                let _ = response.add_cookie(&gone);
            }
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

/// Which backend the pool is on, which decides where a quick read runs.
fn backend(req: &ServiceRequest) -> Result<BackendKind, ApiError> {
    req.app_data::<web::Data<BackendKind>>()
        .map(|backend| *backend.get_ref())
        .ok_or_else(|| ApiError::internal("authenticating", anyhow::anyhow!("no backend kind")))
}

async fn identify(req: &ServiceRequest) -> Result<Principal, Refusal> {
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("authenticating", anyhow::anyhow!("no pool")))?;
    let address = client_address(req.request());
    let now = now();
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(|value| value.split_once(' '))
            // RFC 9110: the scheme name is case-insensitive.
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim().to_owned())
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "Authorization: use the Bearer scheme with an API token".to_owned(),
                )
            })?;
        let token = with_quick_read(&pool, backend(req)?, move |conn| {
            Ok::<_, ApiError>(find_token(conn, &secret, now)?)
        })
        .await?
        .ok_or_else(|| {
            ApiError::Unauthenticated("the API token is unknown, revoked or expired".to_owned())
        })?;
        if token.needs_marking(now) {
            let id = token.row.id.clone();
            with_db(&pool, move |conn| Ok(mark_token_used(conn, &id, now)?)).await?;
        }
        return Ok(Principal::from_token(token, address));
    }
    let cookie_name = session_cookie_name(req.request());
    let Some(cookie) = req.cookie(cookie_name) else {
        return Err(ApiError::Unauthenticated(NO_CREDENTIALS.to_owned()).into());
    };
    let lifetime = *req
        .app_data::<web::Data<SignInLifetime>>()
        .ok_or_else(|| ApiError::internal("authenticating", anyhow::anyhow!("no lifetime")))?
        .get_ref();
    let secret = cookie.value().to_owned();
    let sign_in = with_quick_read(&pool, backend(req)?, move |conn| {
        Ok::<_, ApiError>(find_sign_in(conn, &secret, lifetime, now)?)
    })
    .await?
    .ok_or_else(|| Refusal {
        error: ApiError::Unauthenticated(
            "your sign-in has expired or ended; sign in again".to_owned(),
        ),
        forget_cookie: true,
        cookie_name,
    })?;
    if sign_in.needs_marking(now) {
        let secret_hash = sign_in.secret_hash.clone();
        with_db(&pool, move |conn| {
            Ok(mark_sign_in_seen(conn, &secret_hash, now)?)
        })
        .await?;
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let host = client(req.request()).host.unwrap_or_default();
        csrf::check_same_origin(req.headers(), &host)?;
        csrf::check_token(req.headers(), &sign_in.csrf_token)?;
    }
    Ok(Principal::from_sign_in(sign_in, address))
}
