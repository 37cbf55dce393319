//! Serves the built web app; a path that is no file gets `index.html`, so the app's own URLs load,
//! except under `/api`, where a wrong path is a 404 problem.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::ResponseError;
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};

use crate::error::ApiError;

pub fn web_app(static_dir: &Path) -> Files {
    let index: PathBuf = static_dir.join("index.html");
    if !index.exists() {
        tracing::warn!(
            "{} does not exist: the web app is not built (`cargo xtask run` builds it); the API still serves",
            index.display()
        );
    }
    Files::new("/", static_dir)
        .index_file("index.html")
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                if req.path().starts_with("/api") {
                    let error = ApiError::NotFound(format!("no API route is {}", req.path()));
                    return Ok(ServiceResponse::new(req, error.error_response()));
                }
                let file = NamedFile::open(&index)?;
                let response = file.into_response(&req);
                Ok(ServiceResponse::new(req, response))
            }
        }))
}
