use crate::metrics::{Metrics, SignInOutcome};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;
use shared::{ActorKind, AuditAction, AuditOutcome, Identity, LoginRequest, Problem};

use crate::auth::middleware::client_address;
use crate::auth::password::{
    MAX_PASSWORD_CHARS, SignInChecks, verify_against_nothing, verify_password,
};
use crate::auth::throttle;
use crate::auth::{Authorized, Principal, SignedIn, csrf};
use crate::client::{client, session_cookie_name};
use crate::db::DbPool;
use crate::db::accounts::{find_account, normalize_username};
use crate::db::audit::{Actor, record_repeated};
use crate::db::login_failures::{release_attempt, reserve_attempt};
use crate::db::sign_ins::{SignInLifetime, end_sign_in, start_sign_in};
use crate::error::ApiError;
use crate::problem_responses::Busy;

use crate::blocking::on_blocking_thread;
use crate::clock::now;
use crate::error::with_db;

const WRONG_CREDENTIALS: &str = "Invalid username or password.";

/// The browser gets the Secure flag whenever the request came over HTTPS (directly or, per a trusted
/// proxy's `X-Forwarded-Proto`, through it).
fn sign_in_cookie(req: &HttpRequest, secret: String, max_age: i64) -> Cookie<'static> {
    Cookie::build(session_cookie_name(req), secret)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(client(req).https)
        .max_age(CookieDuration::seconds(max_age))
        .finish()
}

fn removal_cookie(req: &HttpRequest) -> Cookie<'static> {
    let mut cookie = sign_in_cookie(req, String::new(), 0);
    cookie.make_removal();
    cookie
}

/// Sign in.
///
/// Checks the username (case-insensitive) and password, and answers with who is signed in and the CSRF
/// token that every later POST, PUT, PATCH or DELETE must repeat in `X-CSRF-Token`. The sign-in itself is
/// an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) that ends after 30 minutes without a request or
/// 12 hours after sign-in. A wrong username and a wrong password get the same answer. After 5 failures for
/// one username (or 20 from one address) attempts are refused with 429 for 30 seconds, doubling with each
/// further failure up to 15 minutes.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = Identity,
            headers(("Set-Cookie" = String, description = "sessions_console=...; Path=/; HttpOnly; SameSite=Strict"))),
        (status = 400, description = "The body is not valid JSON of this shape"),
        (status = 401, description = "Wrong username or password, or the account is disabled"),
        (status = 403, description = "The request comes from another site (Origin or Sec-Fetch-Site)"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "The body is not sent as application/json"),
        (status = 429, description = "Too many failed attempts; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        Busy,
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    lifetime: web::Data<SignInLifetime>,
    checks: web::Data<SignInChecks>,
    metrics: web::Data<Metrics>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let answer = sign_in(req, pool, lifetime, checks, body).await;
    metrics.sign_in(match &answer {
        Ok(_) => SignInOutcome::Success,
        Err(ApiError::Unauthenticated(_)) => SignInOutcome::Failure,
        Err(ApiError::TooManyRequests { .. }) => SignInOutcome::Throttled,
        Err(_) => SignInOutcome::Error,
    });
    answer
}

async fn sign_in(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    lifetime: web::Data<SignInLifetime>,
    checks: web::Data<SignInChecks>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    // Login CSRF: another site must not sign the browser in to an account of its choosing.
    csrf::check_same_origin(req.headers(), &client(&req).host.unwrap_or_default())?;
    let LoginRequest { username, password } = body.into_inner();
    // Unusable usernames are still "tried", so they cost the same time and throttle the same way; they
    // are not written to the audit log, where a password typed into the wrong field would be kept.
    let (username, recorded_as) = match normalize_username(&username) {
        Ok(username) => (username.clone(), username),
        Err(_) => (
            username
                .trim()
                .chars()
                // Kept in the throttle's keys: no NUL, which PostgreSQL text cannot hold.
                .filter(|c| !c.is_control())
                .take(shared::rules::MAX_USERNAME_CHARS)
                .collect::<String>()
                .to_lowercase(),
            "(not a valid username)".to_owned(),
        ),
    };
    let checking = checks.start().ok_or_else(|| ApiError::TooManyRequests {
        detail: "Too many sign-ins are being checked right now; try again in a second.".to_owned(),
        retry_after: 1,
    })?;
    let address = client_address(&req);
    let lifetime = *lifetime.get_ref();
    let now = now();
    let counters = throttle::counters(&username, address.as_deref());
    let reserving = counters.clone();
    let wait = with_db(&pool, move |conn| {
        Ok(reserve_attempt(conn, &reserving, now)?)
    })
    .await?;
    if let Some(seconds) = wait {
        tracing::warn!(username, address, "sign-in refused: too many failures");
        return Err(ApiError::TooManyRequests {
            detail: format!("Too many failed sign-ins; try again in {seconds} seconds."),
            retry_after: seconds,
        });
    }
    let attempt = Actor {
        kind: ActorKind::Account,
        name: recorded_as,
        address: address.clone(),
    };
    let account = with_db(&pool, move |conn| Ok(find_account(conn, &username)?)).await?;
    let (account, matched) = on_blocking_thread(move || {
        let _checking = checking;
        let matched = match &account {
            Some(account) if password.chars().count() <= MAX_PASSWORD_CHARS => {
                verify_password(&password, &account.password_hash)
            }
            _ => {
                verify_against_nothing(&password);
                false
            }
        };
        Ok::<_, ApiError>((account, matched))
    })
    .await?;
    let signed_in = with_db(&pool, move |conn| {
        let refusal = match account {
            Some(account) if matched && !account.disabled => {
                let new = start_sign_in(conn, &account, account.role, lifetime, &attempt, now)?;
                release_attempt(conn, &counters)?;
                return Ok(Some(new));
            }
            Some(_) if matched => "the account is disabled",
            _ => "wrong username or password",
        };
        let anonymous = Actor {
            kind: ActorKind::Anonymous,
            ..attempt
        };
        // A guesser's failures are one entry a minute with a count, not a row each.
        record_repeated(
            conn,
            &anonymous,
            AuditAction::Login,
            AuditOutcome::Failure,
            json!({ "reason": refusal }),
            now,
        )?;
        Ok(None)
    })
    .await?;
    let Some(new) = signed_in else {
        return Err(ApiError::Unauthenticated(WRONG_CREDENTIALS.to_owned()));
    };
    let principal = Principal::from_sign_in(new.sign_in, address);
    Ok(HttpResponse::Ok()
        .cookie(sign_in_cookie(&req, new.secret, lifetime.absolute))
        .json(principal.identity()))
}

/// Sign out.
///
/// Ends the cookie sign-in at once (the cookie is cleared too). With an API token it does nothing: revoke
/// tokens with `DELETE /tokens/{id}`.
#[utoipa::path(
    tag = "auth",
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = [])),
    responses(
        (status = 204, description = "Signed out"),
        Busy,
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    auth: Authorized<SignedIn>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.principal;
    if let Some(sign_in) = principal.sign_in.clone() {
        let actor = principal.actor();
        let now = now();
        with_db(&pool, move |conn| {
            Ok(end_sign_in(conn, &sign_in.secret_hash, &actor, now)?)
        })
        .await?;
        return Ok(HttpResponse::NoContent()
            .cookie(removal_cookie(&req))
            .finish());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Who is signed in.
///
/// The account (and its role) or the token the request is made with, what it may do, and for a cookie
/// sign-in the CSRF token to send in `X-CSRF-Token`.
#[utoipa::path(
    tag = "auth",
    security(("session_cookie" = []), ("bearer_token" = [])),
    responses(
        (status = 200, description = "The identity of this request", body = Identity),
    )
)]
#[get("/auth/me")]
pub async fn me(auth: Authorized<SignedIn>) -> web::Json<Identity> {
    web::Json(auth.principal.identity())
}
