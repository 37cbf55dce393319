//! The OpenAPI document, generated from the same route registration the server uses.

use actix_web::App;
use utoipa::OpenApi;
use utoipa::openapi::RefOr;
use utoipa_actix_web::AppExt;

use crate::problem_responses::{problem, retry_after_header, www_authenticate_header};

use crate::openapi_links::operations;
use crate::{openapi_links, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sessions Console API",
        description = "Sessions of the streaming-apps platform: list, filter, sort, kill and export.\n\n\
            Every error is answered as RFC 9457 `application/problem+json` (schema `Problem`); its `type` \
            names the kind of problem and `detail` says what to change.\n\n\
            **Request ids.** Every answer carries `X-Request-Id`: the request's own when it sent one of 1 to 64 \
            characters of `A-Z a-z 0-9 . _ -`, else one the server made. The same id is the problem's \
            `request_id` and is in the server's log lines of the request.\n\n\
            **Authentication.** Scripts send an API token as `Authorization: Bearer <token>` (scheme \
            `bearer_token`; tokens are made by admins with `POST /api/v1/tokens` or \
            `sessions-api token create`). The web console signs in with `POST /api/v1/auth/login`, which \
            sets an HttpOnly cookie (scheme `session_cookie`); with the cookie, every POST, PUT, PATCH or \
            DELETE must also send the sign-in's CSRF token in `X-CSRF-Token` (scheme `csrf_token`) and \
            come from this console's own origin. Each operation lists the scope it needs \
            (`sessions:read`, `sessions:kill`, `sessions:export`, `metrics`, `admin`; `admin` grants all but `broker`, which only the platform's broker holds). Roles \
            grant scopes: `admin` all, `operator` read, kill and export, `viewer` read and export. \
            Without valid credentials: 401; without the scope: 403.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "sessions", description = "Current and past sessions"),
        (name = "auth", description = "Signing in to the console"),
        (name = "tokens", description = "API tokens for scripts"),
        (name = "accounts", description = "Who may sign in to the console, with which role"),
        (name = "audit", description = "Who did what: the append-only audit log"),
        (name = "broker", description = "For the platform's session broker: sessions opening, alive and ending (scope `broker`; see docs/integration.md)"),
        (name = "health", description = "For load balancers"),
        (name = "operations", description = "For monitoring: Prometheus metrics"),
    ),
    components(schemas(shared::Problem)),
)]
struct ApiDoc;

/// The document `GET /openapi.json` serves and `openapi/openapi.json` holds.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    add_security(&mut doc);
    add_internal_errors(&mut doc);
    add_problem_bodies(&mut doc);
    add_error_headers(&mut doc);
    openapi_links::add_links(&mut doc);
    doc
}

/// Declares the three security schemes, and gives every operation that needs credentials the 401 and
/// 403 answers that come with them; which scope it needs is on the operation itself.
fn add_security(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};

    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer_token",
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("sct_<id>_<secret>")
                .description(Some("An API token, as `Authorization: Bearer <token>`."))
                .build(),
        ),
    );
    components.add_security_scheme(
        "session_cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            shared::SESSION_COOKIE,
            "The console sign-in set by `POST /api/v1/auth/login` (HttpOnly, SameSite=Strict).",
        ))),
    );
    components.add_security_scheme(
        "csrf_token",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            shared::CSRF_HEADER,
            "The sign-in's `csrf_token` (from login or `GET /api/v1/auth/me`); required with the \
             cookie on POST, PUT, PATCH and DELETE.",
        ))),
    );
    for operation in operations(doc) {
        let protected = operation.security.as_ref().is_some_and(|requirements| {
            requirements
                .iter()
                .any(|requirement| *requirement != Default::default())
        });
        if !protected {
            continue;
        }
        let responses = &mut operation.responses.responses;
        responses.entry("401".to_owned()).or_insert_with(|| {
            problem("No credentials, or a sign-in or token that is expired, revoked or unknown")
                .into()
        });
        responses.entry("403".to_owned()).or_insert_with(|| {
            problem("The role or token lacks the scope this needs, or (with the cookie) the CSRF token or origin is wrong").into()
        });
    }
}

/// Gives every operation that can fail at all the 500 answer: a fault on the server's side (a bug, a
/// database error that is not "busy"), whose cause is logged and never sent.
fn add_internal_errors(doc: &mut utoipa::openapi::OpenApi) {
    for operation in operations(doc) {
        let responses = &mut operation.responses.responses;
        if responses.keys().any(|status| status.as_str() >= "400") {
            responses.entry("500".to_owned()).or_insert_with(|| {
                problem("The server failed to answer; the failure is logged, not sent").into()
            });
        }
    }
}

/// The headers [`crate::error`] sends with its answers: `WWW-Authenticate` with every 401,
/// `Retry-After` with every 503 (and every 429 declares its own).
fn add_error_headers(doc: &mut utoipa::openapi::OpenApi) {
    let busy = crate::error::UNAVAILABLE_RETRY_AFTER;
    for operation in operations(doc) {
        for (status, response) in &mut operation.responses.responses {
            let RefOr::T(response) = response else {
                continue;
            };
            match status.as_str() {
                "401" => {
                    response.headers.insert(
                        "WWW-Authenticate".to_owned(),
                        www_authenticate_header().into(),
                    );
                }
                "503" => {
                    response.headers.insert(
                        "Retry-After".to_owned(),
                        retry_after_header(busy, busy).into(),
                    );
                }
                _ => {}
            }
        }
    }
}

/// Gives each error answer declared without content the problem body the API sends with it.
fn add_problem_bodies(doc: &mut utoipa::openapi::OpenApi) {
    for operation in operations(doc) {
        for (status, response) in &mut operation.responses.responses {
            if let RefOr::T(response) = response
                && status.as_str() >= "400"
                && response.content.is_empty()
            {
                *response = problem(&response.description);
            }
        }
    }
}

/// The document as committed: pretty JSON with a final newline.
pub fn openapi_json() -> String {
    let mut json = openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
