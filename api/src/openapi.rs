//! The OpenAPI document, generated from the same route registration the server uses.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sessions Console API",
        description = "Sessions of the streaming-apps platform: list, filter, sort, kill and export.\n\n\
            Every error is answered as RFC 9457 `application/problem+json` (schema `Problem`); its `type` \
            names the kind of problem and `detail` says what to change.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "sessions", description = "Current and past sessions"),
        (name = "health", description = "For load balancers"),
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
    doc
}

/// The document as committed: pretty JSON with a final newline.
pub fn openapi_json() -> String {
    let mut json = openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
