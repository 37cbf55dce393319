//! Turns actix-web's own extractor failures into the API's problem+json errors.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};

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
        if let Some(wrong_method) = crate::openapi::method_not_allowed(req) {
            return wrong_method.into();
        }
        let segment = req.match_info().get("id").unwrap_or_default();
        ApiError::InvalidParameter(format!(
            "id: '{segment}' is not a session id (a whole number)"
        ))
        .into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req| {
        ApiError::InvalidParameter(error.to_string()).into()
    })
}
