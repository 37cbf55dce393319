//! Reading requests: the query extractor, and actix-web's own extractor failures as the API's
//! problem+json errors.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError};
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest accepted JSON body: ten thousand ids with room to spare.
const MAX_JSON_BYTES: usize = 1 << 20;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_JSON_BYTES)
        .error_handler(|error, _req: &HttpRequest| {
            match error {
                JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
                    "the body must be JSON, sent with Content-Type: application/json".to_owned(),
                ),
                JsonPayloadError::Overflow { limit }
                | JsonPayloadError::OverflowKnownLength { limit, .. } => {
                    ApiError::PayloadTooLarge(format!("the body is larger than {limit} bytes"))
                }
                JsonPayloadError::Deserialize(error) => {
                    ApiError::InvalidBody(format!("the body is not valid: {error}"))
                }
                other => ApiError::InvalidBody(format!("the body could not be read: {other}")),
            }
            .into()
        })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, req: &HttpRequest| {
        let PathError::Deserialize(_) = &error else {
            return ApiError::InvalidParameter(error.to_string()).into();
        };
        // `/sessions/kill` also fits `/sessions/{id}`; a GET there is a wrong method, not a bad id.
        if let Some(wrong_method) = crate::allowed_methods::method_not_allowed(req) {
            return wrong_method.into();
        }
        let segment = req.match_info().get("id").unwrap_or_default();
        ApiError::InvalidParameter(format!(
            "id: '{segment}' is not a session id (a whole number)"
        ))
        .into()
    })
}

/// A query string read into `T` through `shared::parse_query`, the one reader of query strings: any
/// refusal is a 400 `invalid-parameter` that names the parameter. `T` also derives `IntoParams`, so what
/// is parsed is what the OpenAPI document says.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            shared::parse_query(req.query_string())
                .map(Query)
                .map_err(|error| ApiError::InvalidParameter(error.to_string())),
        )
    }
}
