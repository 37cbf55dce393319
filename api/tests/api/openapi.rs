use serde_json::Value;

use crate::helpers::{spawn_app, workspace_root};

/// `openapi/openapi.json` must be what the code generates. To refresh it after an API change run
/// `cargo xtask openapi` (or this test with `UPDATE_OPENAPI=1`).
#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = workspace_root().join("openapi/openapi.json");
    let generated = api::openapi::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code; run `cargo xtask openapi` and commit it"
    );
}

#[actix_web::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app().await;
    let served: Value = app.get("/openapi.json").await.json().await.unwrap();
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(served, committed);
    assert_eq!(served["openapi"], "3.1.0");
    for path in [
        "/api/v1/sessions",
        "/api/v1/sessions/{id}",
        "/api/v1/sessions/{id}/kill",
        "/api/v1/sessions/kill",
        "/api/v1/sessions/export",
        "/healthz",
    ] {
        assert!(served["paths"][path].is_object(), "{path} is documented");
    }
}
