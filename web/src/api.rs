//! Every HTTP call of the console. The API is served from the same origin as the app.
//!
//! The sign-in is an HttpOnly cookie the browser sends by itself. This module keeps the two things the
//! page must know about it: the CSRF token every unsafe request repeats in a header, and whom to tell
//! when an answer says the sign-in is gone (401).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{
    Account, AccountList, AuditPage, AuditQuery, CSRF_HEADER, CreateAccountRequest,
    CreateTokenRequest, CreatedToken, Identity, KillDelivery, KillManyRequest, KillManyResult,
    LoginRequest, Problem, Session, SessionPage, SessionQuery, SetPasswordRequest, TokenList,
    UpdateAccountRequest, Usage,
};

const BASE: &str = "/api/v1";

thread_local! {
    /// The sign-in's CSRF token, from `POST /auth/login` or `GET /auth/me`.
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Runs when an answer says the sign-in is gone.
    static ON_SIGNED_OUT: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Keeps the CSRF token of the current sign-in (or forgets it), for the unsafe requests to repeat.
pub fn set_csrf_token(token: Option<String>) {
    CSRF_TOKEN.with(|csrf| *csrf.borrow_mut() = token);
}

/// Names what runs when any call but the sign-in itself answers 401.
pub fn on_signed_out(run: impl Fn() + 'static) {
    ON_SIGNED_OUT.with(|hook| *hook.borrow_mut() = Some(Rc::new(run)));
}

/// A POST, PUT, PATCH or DELETE: with the cookie, the server refuses it (403) without the CSRF token.
fn unsafe_request(request: RequestBuilder) -> RequestBuilder {
    match CSRF_TOKEN.with(|csrf| csrf.borrow().clone()) {
        Some(token) => request.header(CSRF_HEADER, &token),
        None => request,
    }
}

/// An unsafe request carrying `body` as JSON.
fn with_json(request: RequestBuilder, body: &impl Serialize) -> Result<Request, ApiError> {
    unsafe_request(request)
        .json(body)
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// Sends `body` as JSON in an unsafe request, and reads the JSON answer.
async fn send_json<T: DeserializeOwned>(
    request: RequestBuilder,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    let request = with_json(request, body)?;
    decode(watch_sign_in(read_text(request.send().await).await))
}

/// A POST without a body, and its JSON answer.
async fn post_for_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let request = unsafe_request(Request::post(url));
    decode(watch_sign_in(read_text(request.send().await).await))
}

/// Tells the app when `result` says the sign-in is gone, and passes it on.
fn watch_sign_in<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &result
        && error.status() == Some(401)
    {
        // Cloned out first: the hook changes signals, which may start other calls.
        let hook = ON_SIGNED_OUT.with(|hook| hook.borrow().clone());
        if let Some(hook) = hook {
            hook();
        }
    }
    result
}

/// Why a call failed, worded for the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The API refused, and said why.
    Problem(Problem),
    /// Too many attempts (429): the API said why, and usually how many seconds to wait.
    TooManyRequests {
        problem: Problem,
        retry_after_seconds: Option<u64>,
    },
    /// An error status without a problem document (a proxy in between, say).
    Status { status: u16, text: String },
    /// No answer: the server is down, the network is gone, or the request was aborted.
    Network(String),
    /// An answer that does not have the shape the API promises.
    Decode(String),
}

impl ApiError {
    /// The HTTP status of a refusal; `None` when no answer came or it could not be read.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(problem) => Some(problem.status),
            ApiError::TooManyRequests { .. } => Some(429),
            ApiError::Status { status, .. } => Some(*status),
            ApiError::Network(_) | ApiError::Decode(_) => None,
        }
    }

    /// A short summary, shown in bold.
    pub fn title(&self) -> String {
        match self {
            ApiError::Problem(problem) | ApiError::TooManyRequests { problem, .. } => {
                problem.title.clone()
            }
            ApiError::Status { status, text } => format!("The server answered {status} {text}"),
            ApiError::Network(_) => "Could not reach the server".to_owned(),
            ApiError::Decode(_) => "Unexpected answer from the server".to_owned(),
        }
    }

    /// What went wrong this time, when there is more to say than the title.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Problem(problem) | ApiError::TooManyRequests { problem, .. } => {
                problem.detail.clone()
            }
            ApiError::Status { .. } => String::new(),
            ApiError::Network(message) => {
                format!(
                    "{message}. Check that the server is running and reachable, then try again."
                )
            }
            ApiError::Decode(message) => message.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (title, detail) = (self.title(), self.detail());
        if detail.is_empty() {
            write!(f, "{title}.")
        } else {
            write!(f, "{title}: {detail}")
        }
    }
}

impl std::error::Error for ApiError {}

/// Builds `path?query`, percent-encoding the values.
fn url_with_query<V: AsRef<str>>(path: &str, pairs: &[(&str, V)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let prefix = format!("{path}?");
    let start = prefix.len();
    let mut url = form_urlencoded::Serializer::for_suffix(prefix, start);
    for (name, value) in pairs {
        url.append_pair(name, value.as_ref());
    }
    url.finish()
}

/// A GET aborted when the reactive scope that started it is cleaned up, which is when its resource
/// asks for newer data or the page goes away, so a slow stale answer cannot win.
async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    decode(get_text(url).await)
}

/// The part of [`get_json`] that does not depend on the answer's type, so the WASM holds it once.
async fn get_text(url: &str) -> Result<String, ApiError> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let controller = SendWrapper::new(controller);
    leptos::prelude::on_cleanup(move || {
        if let Some(controller) = controller.as_ref() {
            controller.abort();
        }
    });
    let request = Request::get(url).abort_signal(signal.as_ref());
    watch_sign_in(read_text(request.send().await).await)
}

/// Who is signed in; 401 when nobody is (or the sign-in expired).
pub async fn me() -> Result<Identity, ApiError> {
    let sent = Request::get(&format!("{BASE}/auth/me")).send().await;
    decode(watch_sign_in(read_text(sent).await))
}

/// Signs in. A 401 here means wrong credentials, not a lost sign-in, so nobody else is told.
pub async fn login(credentials: &LoginRequest) -> Result<Identity, ApiError> {
    let request = with_json(Request::post(&format!("{BASE}/auth/login")), credentials)?;
    decode(read_text(request.send().await).await)
}

/// Signs out: the server forgets the sign-in and clears the cookie.
pub async fn logout() -> Result<(), ApiError> {
    let request = unsafe_request(Request::post(&format!("{BASE}/auth/logout")));
    read_empty(request.send().await).await
}

/// One page of sessions; aborted when it is no longer wanted.
pub async fn list_sessions(query: &SessionQuery) -> Result<SessionPage, ApiError> {
    get_json(&url_with_query(
        &format!("{BASE}/sessions"),
        &query.to_pairs(),
    ))
    .await
}

/// Concurrent sessions over a range (`GET /sessions/usage`); aborted when no longer wanted.
pub async fn sessions_usage(pairs: &[(&str, String)]) -> Result<Usage, ApiError> {
    get_json(&url_with_query(&format!("{BASE}/sessions/usage"), pairs)).await
}

/// Kills one session; the answer is the session as it is now.
pub async fn kill_session(id: i64) -> Result<Session, ApiError> {
    post_for_json(&format!("{BASE}/sessions/{id}/kill")).await
}

/// Tries again to deliver a kill whose delivery to the broker failed; the answer is the delivery, pending
/// again. 409 when it has not failed, 404 when the session has no kill delivery.
pub async fn retry_delivery(id: i64) -> Result<KillDelivery, ApiError> {
    post_for_json(&format!("{BASE}/sessions/{id}/delivery/retry")).await
}

/// Kills every session of `ids` that is still active, and says what happened to each.
pub async fn kill_sessions(ids: Vec<i64>) -> Result<KillManyResult, ApiError> {
    let url = format!("{BASE}/sessions/kill");
    send_json(Request::post(&url), &KillManyRequest { ids }).await
}

/// Every API token that is not revoked, newest first.
pub async fn list_tokens() -> Result<TokenList, ApiError> {
    get_json(&format!("{BASE}/tokens")).await
}

/// Creates an API token; the answer holds its secret, which is never shown again.
pub async fn create_token(token: &CreateTokenRequest) -> Result<CreatedToken, ApiError> {
    send_json(Request::post(&format!("{BASE}/tokens")), token).await
}

/// Revokes the API token `id`: it stops working at once.
pub async fn revoke_token(id: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/tokens/{}", encode_segment(id));
    let request = unsafe_request(Request::delete(&url));
    watch_sign_in(read_empty(request.send().await).await)
}

/// Every console account, by username.
pub async fn list_accounts() -> Result<AccountList, ApiError> {
    get_json(&format!("{BASE}/accounts")).await
}

/// Creates a console account; 409 when the username is taken, 422 when it or the password is refused.
pub async fn create_account(account: &CreateAccountRequest) -> Result<Account, ApiError> {
    send_json(Request::post(&format!("{BASE}/accounts")), account).await
}

/// Changes an account's role or disables (enables) it; its sign-ins end. 409 when no enabled admin
/// would be left.
pub async fn update_account(
    username: &str,
    changes: &UpdateAccountRequest,
) -> Result<Account, ApiError> {
    let url = format!("{BASE}/accounts/{}", encode_segment(username));
    send_json(Request::patch(&url), changes).await
}

/// Sets an account's password; its sign-ins end.
pub async fn set_password(username: &str, password: &SetPasswordRequest) -> Result<(), ApiError> {
    let url = format!("{BASE}/accounts/{}/password", encode_segment(username));
    let request = with_json(Request::put(&url), password)?;
    watch_sign_in(read_empty(request.send().await).await)
}

/// `GET /audit` for `query`, relative to the site.
fn audit_url(query: &AuditQuery) -> String {
    url_with_query(&format!("{BASE}/audit"), &query.to_pairs())
}

/// One page of the audit log, newest first; aborted when it is no longer wanted.
pub async fn list_audit(query: &AuditQuery) -> Result<AuditPage, ApiError> {
    get_json(&audit_url(query)).await
}

/// The address of the CSV export of whole days `from`..=`to` in zone `tz`, narrowed by the filter
/// (`field`, `contains`, statuses) of `query`; its sort and paging do not apply to an export.
pub fn export_url(query: &SessionQuery, from: &str, to: &str, tz: &str) -> String {
    let filter = SessionQuery {
        field: query.field,
        contains: query.contains.clone(),
        statuses: query.statuses.clone(),
        ..SessionQuery::default()
    };
    let mut pairs = vec![
        ("from", from.to_owned()),
        ("to", to.to_owned()),
        ("tz", tz.to_owned()),
    ];
    pairs.extend(filter.to_pairs());
    url_with_query(&format!("{BASE}/sessions/export"), &pairs)
}

/// A path segment with everything but unreserved characters percent-encoded.
fn encode_segment(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

/// The body of a successful answer. Reading it is kept apart from decoding it ([`decode`]), the only
/// step that depends on the answer's type: the asynchronous part is then compiled once, not once per
/// type of answer, which keeps the WASM smaller.
async fn read_text(sent: Result<Response, gloo_net::Error>) -> Result<String, ApiError> {
    let response = successful(sent).await?;
    response
        .text()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// The JSON answer read by [`read_text`] as a `T`; what `Response::json` does, in two steps.
fn decode<T: DeserializeOwned>(text: Result<String, ApiError>) -> Result<T, ApiError> {
    serde_json::from_str(&text?).map_err(|e| ApiError::Decode(e.to_string()))
}

/// For answers without a body (204).
async fn read_empty(sent: Result<Response, gloo_net::Error>) -> Result<(), ApiError> {
    successful(sent).await.map(drop)
}

/// The response if its status is 2xx, or the error it stands for.
async fn successful(sent: Result<Response, gloo_net::Error>) -> Result<Response, ApiError> {
    let response = sent.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.status_text();
    let retry_after = response.headers().get("Retry-After");
    // The body as text, then decoded, as `read_text` and `decode` do: `Response::json` would compile
    // another asynchronous reader just for the problem document.
    let body = response.text().await.ok();
    match body.and_then(|body| serde_json::from_str::<Problem>(&body).ok()) {
        Some(problem) if status == 429 => Err(ApiError::TooManyRequests {
            problem,
            retry_after_seconds: retry_after.as_deref().and_then(parse_retry_after),
        }),
        Some(problem) => Err(ApiError::Problem(problem)),
        None => Err(ApiError::Status { status, text }),
    }
}

/// `Retry-After` in its delay-seconds form; the HTTP-date form is not worth a date parser here.
fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::FilterField;

    #[test]
    fn the_export_keeps_the_filter_but_not_the_paging() {
        let query = SessionQuery {
            field: Some(FilterField::Name),
            contains: Some("Zoë O'Brien".into()),
            cursor: Some("abc".into()),
            limit: 25,
            ..SessionQuery::default()
        };
        assert_eq!(
            export_url(&query, "2026-11-01", "2026-11-28", "Europe/Paris"),
            "/api/v1/sessions/export?from=2026-11-01&to=2026-11-28&tz=Europe%2FParis\
             &field=name&contains=Zo%C3%AB+O%27Brien"
        );
    }

    #[test]
    fn the_audit_query_sends_only_what_is_set() {
        assert_eq!(audit_url(&AuditQuery::default()), "/api/v1/audit");
        let query = AuditQuery {
            actor: Some("token:nightly report".into()),
            action: Some(shared::AuditAction::KillSession),
            from: Some("2026-11-01T00:00:00+09:00".parse().unwrap()),
            to: None,
            cursor: Some(shared::AuditCursor(2)),
            ..AuditQuery::default()
        };
        assert_eq!(
            audit_url(&query),
            "/api/v1/audit?actor=token%3Anightly+report&action=sessions.kill\
             &from=2026-10-31T15%3A00%3A00Z&cursor=2"
        );
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(parse_retry_after(" 42"), Some(42));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
    }

    #[test]
    fn a_problem_reads_as_title_and_detail() {
        let error = ApiError::Problem(Problem {
            problem_type: "urn:x".into(),
            title: "Session cannot be killed".into(),
            status: 409,
            detail: "Session 7 is Disconnected".into(),
            request_id: None,
        });
        assert_eq!(
            error.to_string(),
            "Session cannot be killed: Session 7 is Disconnected"
        );
    }
}
