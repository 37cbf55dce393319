//! The error answers of the OpenAPI document, declared once. A route's `responses(...)` names only the
//! status and the sentence of each error it can give, or one of the sets below; `openapi` then gives
//! every 4xx and 5xx answer its `application/problem+json` body, as [`crate::error`] sends it.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::{
    ContentBuilder, KnownFormat, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder,
    SchemaFormat, Type,
};

use crate::error::WWW_AUTHENTICATE;

/// An error answer with the problem body.
pub fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// `WWW-Authenticate`, as every 401 sends it.
pub fn www_authenticate_header() -> Header {
    HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([WWW_AUTHENTICATE])),
        ))
        .description(Some("The scheme to authenticate with: a bearer token"))
        .build()
}

/// `Retry-After` in seconds, from `min` to `max`.
pub fn retry_after_header(min: u64, max: u64) -> Header {
    HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(min))
                .maximum(Some(max)),
        ))
        .description(Some("Seconds to wait before trying again"))
        .build()
}

fn answers(list: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    list.iter()
        .map(|(status, description)| ((*status).to_owned(), problem(description).into()))
        .collect()
}

/// 503: the database is busy, every operation that reads or writes it can say so.
pub struct Busy;

impl IntoResponses for Busy {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        answers(&[("503", "The database is busy; retry")])
    }
}

/// 400, 413 and 415: what every operation that takes a JSON body can refuse about it.
pub struct JsonBodyRefusals;

impl IntoResponses for JsonBodyRefusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        answers(&[
            ("400", "The body is not valid JSON of this shape"),
            ("413", "The body is too large"),
            ("415", "The body is not sent as application/json"),
        ])
    }
}
