//! Which methods a path has, read from the OpenAPI document the server keeps in its app data: the
//! `Allow` list of a 405. Kept apart from `openapi` so that the extractors can use it without depending
//! on the route registration the document is built from.

use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// The methods the document lists for the path template that `path` fits, such as `/api/v1/sessions/{id}`.
/// Where several fit, the one with the most literal segments wins, as it does in routing:
/// `/sessions/kill` is that path, not `/sessions/{id}` with the id "kill".
pub fn allowed_methods(document: &utoipa::openapi::OpenApi, path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let literal_fit = |template: &str| -> Option<usize> {
        let parts: Vec<&str> = template.split('/').collect();
        let fits = parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(part, segment)| part.starts_with('{') || part == segment);
        fits.then(|| parts.iter().filter(|part| !part.starts_with('{')).count())
    };
    let fitting: Vec<(usize, &utoipa::openapi::path::PathItem)> = document
        .paths
        .paths
        .iter()
        .filter_map(|(template, item)| literal_fit(template).map(|literal| (literal, item)))
        .collect();
    let Some(best) = fitting.iter().map(|(literal, _)| *literal).max() else {
        return Vec::new();
    };
    let mut methods: Vec<String> = fitting
        .into_iter()
        .filter(|(literal, _)| *literal == best)
        .flat_map(|(_, item)| {
            [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .into_iter()
            .filter(|(_, present)| *present)
            .map(|(method, _)| method.to_owned())
        })
        .collect();
    methods.sort();
    methods.dedup();
    methods
}

/// The error for a request whose path the API has, under another method; `None` when the method fits
/// or the path is unknown.
pub fn method_not_allowed(request: &HttpRequest) -> Option<ApiError> {
    let document = request.app_data::<web::Data<utoipa::openapi::OpenApi>>()?;
    let allow = allowed_methods(document, request.path());
    let method = request.method().as_str();
    (!allow.is_empty() && !allow.iter().any(|m| m == method)).then(|| ApiError::MethodNotAllowed {
        method: method.to_owned(),
        path: request.path().to_owned(),
        allow,
    })
}
