use serde::{Deserialize, Serialize};

/// An error as RFC 9457 `application/problem+json`: every 4xx and 5xx answer of the API has this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "urn:sessions-console:problem:invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "sort: unknown sort key 'size'; expected one of id, name, email, app_name, start_time, status, duration",
    "request_id": "3f9a1c6b2d40-17"
})))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, so clients can branch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code of this answer.
    pub status: u16,
    /// What went wrong this time, in words a person can act on.
    pub detail: String,
    /// The id of the request this answers, as in its `X-Request-Id` header and the server's log lines:
    /// quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 64,
            pattern = "^[A-Za-z0-9._-]{1,64}$",
            example = "3f9a1c6b2d40-17"
        )
    )]
    pub request_id: Option<String>,
}
