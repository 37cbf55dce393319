//! Every HTTP call of the console. The API is served from the same origin as the app.

use std::fmt;

use gloo_net::http::{Request, Response};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use shared::{KillManyRequest, KillManyResult, Problem, Session, SessionPage, SessionQuery};

const BASE: &str = "/api/v1";

/// Why a call failed, worded for the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The API refused, and said why.
    Problem(Problem),
    /// An error status without a problem document (a proxy in between, say).
    Status { status: u16, text: String },
    /// No answer: the server is down, the network is gone, or the request was aborted.
    Network(String),
    /// An answer that does not have the shape the API promises.
    Decode(String),
}

impl ApiError {
    /// A short summary, shown in bold.
    pub fn title(&self) -> String {
        match self {
            ApiError::Problem(problem) => problem.title.clone(),
            ApiError::Status { status, text } => format!("The server answered {status} {text}"),
            ApiError::Network(_) => "Could not reach the server".to_owned(),
            ApiError::Decode(_) => "Unexpected answer from the server".to_owned(),
        }
    }

    /// What went wrong this time, when there is more to say than the title.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Problem(problem) => problem.detail.clone(),
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

/// One page of sessions. Aborted when the reactive scope that started it is cleaned up, which is
/// when its resource asks for a newer page or the page goes away, so a slow stale answer cannot win.
pub async fn list_sessions(query: &SessionQuery) -> Result<SessionPage, ApiError> {
    let url = url_with_query(&format!("{BASE}/sessions"), &query.to_pairs());
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let controller = SendWrapper::new(controller);
    leptos::prelude::on_cleanup(move || {
        if let Some(controller) = controller.as_ref() {
            controller.abort();
        }
    });
    let request = Request::get(&url).abort_signal(signal.as_ref());
    read_json(request.send().await).await
}

/// Kills one session; the answer is the session as it is now.
pub async fn kill_session(id: i64) -> Result<Session, ApiError> {
    let request = Request::post(&format!("{BASE}/sessions/{id}/kill"));
    read_json(request.send().await).await
}

/// Kills every session of `ids` that is still active, and says what happened to each.
pub async fn kill_sessions(ids: Vec<i64>) -> Result<KillManyResult, ApiError> {
    let request = Request::post(&format!("{BASE}/sessions/kill"))
        .json(&KillManyRequest { ids })
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    read_json(request.send().await).await
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

async fn read_json<T: DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = sent.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()));
    }
    let status = response.status();
    let text = response.status_text();
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError::Problem(problem)),
        Err(_) => Err(ApiError::Status { status, text }),
    }
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
    fn a_problem_reads_as_title_and_detail() {
        let error = ApiError::Problem(Problem {
            problem_type: "urn:x".into(),
            title: "Session cannot be killed".into(),
            status: 409,
            detail: "Session 7 is Disconnected".into(),
        });
        assert_eq!(
            error.to_string(),
            "Session cannot be killed: Session 7 is Disconnected"
        );
    }
}
