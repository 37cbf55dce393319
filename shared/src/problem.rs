use serde::{Deserialize, Serialize};

/// An error as RFC 9457 `application/problem+json`: every 4xx and 5xx answer of the API has this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "urn:sessions-console:problem:invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "sort: unknown sort key 'size'; expected one of id, name, email, app_name, start_time, status, duration"
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
}
