//! Who may call what: 401 without valid credentials, 403 without the scope, for every documented
//! operation; the security the OpenAPI document declares; the headers every answer carries.

use reqwest::{Method, Response};
use serde_json::{Value, json};
use shared::SessionStatus::Connected;
use shared::{Role, Scope};

use crate::helpers::{TestApp, assert_problem, spawn_app, started_an_hour_ago, workspace_root};

const SPARE_PASSWORD: &str = "a long enough password";

fn committed_document() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("openapi/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// One documented operation, with its path parameters filled in with made-up values.
struct Operation {
    method: Method,
    template: String,
    path: String,
    spec: Value,
}

fn operations(document: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        for (method, spec) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let mut path = template.clone();
            for parameter in spec["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] != "path" {
                    continue;
                }
                let value = match parameter["schema"]["type"].as_str() {
                    Some("integer") => "1",
                    _ => "k3v9q2m8x4c7w1z5",
                };
                path = path.replace(
                    &format!("{{{}}}", parameter["name"].as_str().unwrap()),
                    value,
                );
            }
            assert!(
                !path.contains('{'),
                "every path parameter of {template} is filled"
            );
            found.push(Operation {
                method,
                template: template.clone(),
                path,
                spec: spec.clone(),
            });
        }
    }
    found
}

/// Whether an operation is declared callable without credentials (`security: [{}]`).
fn is_public(spec: &Value) -> bool {
    spec["security"] == json!([{}])
}

async fn assert_unauthenticated(response: Response, mentions: &str) -> Value {
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"sessions-console\"",
        "{}",
        response.url()
    );
    let body = assert_problem(response, 401, mentions).await;
    assert_eq!(body["type"], "urn:sessions-console:problem:unauthenticated");
    body
}

#[actix_web::test]
async fn every_documented_operation_needs_credentials_except_health_and_login() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    let mut public = Vec::new();
    for operation in operations(&committed_document()) {
        if is_public(&operation.spec) {
            public.push(format!("{} {}", operation.method, operation.template));
            continue;
        }
        let response = anonymous
            .request(operation.method.clone(), app.url(&operation.path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_unauthenticated(response, "sign in").await;
    }
    public.sort();
    assert_eq!(
        public,
        ["GET /healthz", "GET /readyz", "POST /api/v1/auth/login"]
    );

    let health = anonymous.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let login = app
        .post_login(&anonymous, "admin", crate::helpers::ADMIN_PASSWORD)
        .await;
    assert_eq!(login.status(), 200);
}

#[actix_web::test]
async fn an_unknown_api_path_asks_for_credentials_rather_than_saying_it_does_not_exist() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    for (method, path) in [
        (Method::GET, "/api/v1/nothing"),
        (Method::POST, "/api/v1/sessions/1/revive"),
        (Method::DELETE, "/api/v1/accounts/admin"),
        (Method::GET, "/api/v2/sessions"),
    ] {
        let response = anonymous
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_unauthenticated(response, "sign in").await;
    }
}

#[actix_web::test]
async fn an_encoded_path_does_not_slip_past_authentication() {
    let app = spawn_app().await;
    // The router decodes %61 to "a", while the middleware's public-path check sees the raw path: the
    // handler's own extractor must still refuse.
    let response = app
        .anonymous()
        .get(app.url("/%61pi/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_unauthenticated(response, "sign in").await;
}

#[actix_web::test]
async fn bad_or_malformed_authorization_headers_are_refused() {
    let app = spawn_app().await;
    let secret = app.token("reader", &[Scope::SessionsRead]);
    let (id_part, _) = secret.rsplit_once('_').unwrap();
    let cases = [
        (
            "Bearer not-a-token".to_owned(),
            "unknown, revoked or expired",
        ),
        (
            format!("Bearer {id_part}_wrongwrongwrongwrongwrongwrongwrongwrongwro"),
            "unknown, revoked or expired",
        ),
        (
            "Bearer sct_aaaaaaaaaaaaaaaa_xxxx".to_owned(),
            "unknown, revoked or expired",
        ),
        // Trailing white space is not part of a header value: this is "Bearer" alone.
        ("Bearer ".to_owned(), "Bearer scheme"),
        // admin:correct horse battery staple
        (
            "Basic YWRtaW46Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ==".to_owned(),
            "Bearer scheme",
        ),
        (secret.clone(), "Bearer scheme"),
        (format!("Token {secret}"), "Bearer scheme"),
    ];
    for (header, mentions) in cases {
        let response = app
            .anonymous()
            .get(app.url("/api/v1/sessions"))
            .header("authorization", &header)
            .send()
            .await
            .unwrap();
        assert_unauthenticated(response, mentions).await;
    }
    let good = app.client_with_token(&secret);
    let response = good.get(app.url("/api/v1/sessions")).send().await.unwrap();
    assert_eq!(response.status(), 200, "the real token works");
}

/// RFC 9110 §11.1: the authentication scheme is a case-insensitive token.
#[actix_web::test]
async fn the_bearer_scheme_name_is_case_insensitive() {
    let app = spawn_app().await;
    let secret = app.token("reader", &[Scope::SessionsRead]);
    for scheme in ["bearer", "BEARER"] {
        let response = app
            .anonymous()
            .get(app.url("/api/v1/sessions"))
            .header("authorization", format!("{scheme} {secret}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "scheme {scheme:?}");
    }
}

/// What each request of the matrix below should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Forbidden,
}
use Expect::{Allowed, Forbidden};

/// Sends one request per kind of operation and checks each answer: 2xx (or a 4xx that only a handler
/// that ran gives) when allowed, a 403 naming the missing scope when not. `send` adds the credentials.
async fn check_matrix(
    app: &TestApp,
    who: &str,
    client: &reqwest::Client,
    csrf: Option<&str>,
    expected: [(Expect, &str); 9],
) {
    let ids = app.insert(&[
        started_an_hour_ago(Connected),
        started_an_hour_ago(Connected),
    ]);
    let today = chrono::Utc::now().date_naive().to_string();
    let victim = app.token("victim", &[Scope::SessionsRead]);
    let victim_id = victim
        .strip_prefix("sct_")
        .unwrap()
        .split('_')
        .next()
        .unwrap();
    let requests: [(Method, String, Option<Value>); 9] = [
        (Method::GET, "/api/v1/sessions".to_owned(), None),
        (Method::GET, format!("/api/v1/sessions/{}", ids[0]), None),
        (
            Method::GET,
            format!("/api/v1/sessions/export?from={today}&to={today}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{}/kill", ids[0]),
            None,
        ),
        (
            Method::POST,
            "/api/v1/sessions/kill".to_owned(),
            Some(json!({ "ids": [ids[1]] })),
        ),
        (Method::GET, "/api/v1/tokens".to_owned(), None),
        (
            Method::POST,
            "/api/v1/tokens".to_owned(),
            Some(json!({ "name": "made-by-matrix", "scopes": ["sessions:read"] })),
        ),
        (Method::DELETE, format!("/api/v1/tokens/{victim_id}"), None),
        (Method::GET, "/api/v1/audit".to_owned(), None),
    ];
    for ((method, path, body), (expect, scope)) in requests.into_iter().zip(expected) {
        let mut request = client.request(method.clone(), app.url(&path));
        if let Some(token) = csrf.filter(|_| method != Method::GET) {
            request = request.header("X-CSRF-Token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        match expect {
            Allowed => assert!(
                response.status().is_success(),
                "{who}: {method} {path} should be allowed, got {}",
                response.status()
            ),
            Forbidden => {
                let body = assert_problem(response, 403, scope).await;
                assert_eq!(body["type"], "urn:sessions-console:problem:forbidden");
            }
        }
    }
    let kill_allowed = expected[3].0 == Allowed;
    let expected_status = if kill_allowed { "Killed" } else { "Connected" };
    assert_eq!(
        app.status_in_db(ids[0]),
        expected_status,
        "{who}: single kill"
    );
    assert_eq!(
        app.status_in_db(ids[1]),
        expected_status,
        "{who}: bulk kill"
    );
    let victim_works = app
        .client_with_token(&victim)
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap()
        .status()
        == 200;
    assert_eq!(
        victim_works,
        expected[7].0 == Forbidden,
        "{who}: the token to revoke"
    );
}

const READ: &str = "sessions:read";
const KILL: &str = "sessions:kill";
const EXPORT: &str = "sessions:export";
const ADMIN: &str = "admin";

#[actix_web::test]
async fn a_read_token_can_list_and_read_but_not_kill_export_or_administer() {
    let app = spawn_app().await;
    let client = app.client_with_token(&app.token("reader", &[Scope::SessionsRead]));
    #[rustfmt::skip]
    let expected = [
        (Allowed, READ), (Allowed, READ), (Forbidden, EXPORT),
        (Forbidden, KILL), (Forbidden, KILL),
        (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN),
    ];
    check_matrix(&app, "reader token", &client, None, expected).await;
}

#[actix_web::test]
async fn a_kill_token_can_kill_but_not_list_or_read() {
    let app = spawn_app().await;
    let client = app.client_with_token(&app.token("killer", &[Scope::SessionsKill]));
    #[rustfmt::skip]
    let expected = [
        (Forbidden, READ), (Forbidden, READ), (Forbidden, EXPORT),
        (Allowed, KILL), (Allowed, KILL),
        (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN),
    ];
    check_matrix(&app, "kill token", &client, None, expected).await;
}

#[actix_web::test]
async fn an_admin_token_can_do_everything() {
    let app = spawn_app().await;
    let client = app.client_with_token(&app.token("root", &[Scope::Admin]));
    let expected = [(Allowed, ""); 9];
    check_matrix(&app, "admin token", &client, None, expected).await;
}

#[actix_web::test]
async fn a_viewer_can_list_and_export_but_not_kill_or_administer() {
    let app = spawn_app().await;
    app.add_account("vera", Role::Viewer, SPARE_PASSWORD);
    let signed_in = app.sign_in("vera", SPARE_PASSWORD).await;
    #[rustfmt::skip]
    let expected = [
        (Allowed, READ), (Allowed, READ), (Allowed, EXPORT),
        (Forbidden, "the viewer role of 'vera' does not allow this; it needs sessions:kill"),
        (Forbidden, KILL),
        (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN),
    ];
    let csrf = Some(signed_in.csrf_token.as_str());
    check_matrix(&app, "viewer", &signed_in.client, csrf, expected).await;
}

#[actix_web::test]
async fn an_operator_can_kill_but_not_see_tokens_or_the_audit_log() {
    let app = spawn_app().await;
    app.add_account("olga", Role::Operator, SPARE_PASSWORD);
    let signed_in = app.sign_in("olga", SPARE_PASSWORD).await;
    #[rustfmt::skip]
    let expected = [
        (Allowed, READ), (Allowed, READ), (Allowed, EXPORT),
        (Allowed, KILL), (Allowed, KILL),
        (Forbidden, "the operator role of 'olga' does not allow this; it needs admin"),
        (Forbidden, ADMIN), (Forbidden, ADMIN), (Forbidden, ADMIN),
    ];
    let csrf = Some(signed_in.csrf_token.as_str());
    check_matrix(&app, "operator", &signed_in.client, csrf, expected).await;
}

#[actix_web::test]
async fn a_signed_in_admin_can_do_everything() {
    let app = spawn_app().await;
    let signed_in = app.sign_in("admin", crate::helpers::ADMIN_PASSWORD).await;
    let csrf = Some(signed_in.csrf_token.as_str());
    check_matrix(&app, "admin", &signed_in.client, csrf, [(Allowed, ""); 9]).await;
}

#[test]
fn every_protected_operation_documents_both_ways_in_and_its_refusals() {
    let document = committed_document();
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer_token"]["type"], "http");
    assert_eq!(schemes["bearer_token"]["scheme"], "bearer");
    assert_eq!(schemes["session_cookie"]["type"], "apiKey");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "sessions_console");
    assert_eq!(schemes["csrf_token"]["type"], "apiKey");
    assert_eq!(schemes["csrf_token"]["in"], "header");
    assert_eq!(schemes["csrf_token"]["name"], "X-CSRF-Token");

    let mut protected = 0;
    for operation in operations(&document) {
        if is_public(&operation.spec) {
            continue;
        }
        protected += 1;
        let name = format!("{} {}", operation.method, operation.template);
        let requirements = operation.spec["security"].as_array().unwrap();
        let named = |scheme: &str| {
            requirements
                .iter()
                .filter(|requirement| requirement.get(scheme).is_some())
                .collect::<Vec<_>>()
        };
        let cookie = named("session_cookie");
        let bearer = named("bearer_token");
        assert_eq!(cookie.len(), 1, "{name}: one way in with the cookie");
        assert_eq!(bearer.len(), 1, "{name}: one way in with a token");
        assert_eq!(
            bearer[0].as_object().unwrap().len(),
            1,
            "{name}: a token needs nothing else"
        );
        let unsafe_method = !matches!(operation.method, Method::GET | Method::HEAD);
        assert_eq!(
            cookie[0].get("csrf_token").is_some(),
            unsafe_method,
            "{name}: the cookie comes with the CSRF token exactly on unsafe methods"
        );
        assert_eq!(
            cookie[0]["session_cookie"], bearer[0]["bearer_token"],
            "{name}: both ways need the same scopes"
        );
        for status in ["401", "403"] {
            let response = &operation.spec["responses"][status];
            assert!(response.is_object(), "{name} documents {status}");
            assert!(
                response["content"]["application/problem+json"].is_object(),
                "{name}: {status} is a problem"
            );
        }
    }
    assert!(
        protected >= 11,
        "every operation but health and login: {protected}"
    );
}

fn assert_security_headers(response: &Response, what: &str) {
    let headers = response.headers();
    let policy = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: a Content-Security-Policy"))
        .to_str()
        .unwrap();
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{what}: {policy}"
    );
    assert!(policy.contains("'wasm-unsafe-eval'"), "{what}: {policy}");
    assert!(policy.contains("default-src 'self'"), "{what}: {policy}");
    assert!(!policy.contains("'unsafe-inline'"), "{what}: {policy}");
    assert!(!policy.contains("'unsafe-eval'"), "{what}: {policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
}

#[actix_web::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    let api = app.get("/api/v1/sessions").await;
    assert_eq!(api.status(), 200);
    assert_security_headers(&api, "an API answer");

    let refused = app
        .anonymous()
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_security_headers(&refused, "a 401");

    let missing = app.get("/api/v1/sessions/424242").await;
    assert_eq!(missing.status(), 404);
    assert_security_headers(&missing, "a 404");

    let index = app.anonymous().get(app.url("/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert_security_headers(&index, "the web app");
    assert!(index.text().await.unwrap().contains("<html"));
}
