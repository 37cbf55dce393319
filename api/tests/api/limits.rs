//! The limits the OpenAPI document states on what clients send: each is stated (so generated clients
//! and gateways can enforce it) and enforced by the server with a 4xx problem, one past the limit.

use serde_json::{Value, json};
use shared::Scope;

use crate::helpers::{TestApp, assert_problem, spawn_app, workspace_root};

fn committed_document() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("openapi/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn post(app: &TestApp, scopes: &[Scope], path: &str, body: &Value) -> reqwest::Response {
    app.client_with_token(&app.token("limits", scopes))
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("the request is answered")
}

/// The schemas a client sends: those a request body or parameter refers to, and what they refer to.
fn request_schemas(document: &Value) -> Vec<String> {
    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner.as_str()) {
                        ("$ref", Some(target)) => {
                            found.push(target.rsplit('/').next().unwrap().to_owned())
                        }
                        _ => refs(inner, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
            _ => {}
        }
    }
    let mut pending = Vec::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            refs(&operation["requestBody"], &mut pending);
            refs(&operation["parameters"], &mut pending);
        }
    }
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = pending.pop() {
        if !seen.contains(&name) {
            refs(&document["components"]["schemas"][&name], &mut pending);
            seen.push(name);
        }
    }
    seen
}

/// Every string, array and integer in `schema` (at `at`) that states no bound.
fn unbounded(schema: &Value, at: &str, found: &mut Vec<String>) {
    let Some(map) = schema.as_object() else {
        return;
    };
    let has = |key: &str| map.contains_key(key);
    match map.get("type").and_then(Value::as_str) {
        Some("string") if !has("maxLength") && !has("enum") && !has("const") => {
            found.push(format!("{at}: a string without maxLength"))
        }
        Some("array") if !has("maxItems") => found.push(format!("{at}: an array without maxItems")),
        Some("integer") if !has("minimum") || !has("maximum") => {
            found.push(format!("{at}: an integer without minimum and maximum"))
        }
        _ => {}
    }
    for (key, inner) in map {
        match key.as_str() {
            "properties" => {
                for (name, property) in inner.as_object().unwrap() {
                    unbounded(property, &format!("{at}.{name}"), found);
                }
            }
            "items" => unbounded(inner, &format!("{at}[]"), found),
            "oneOf" | "anyOf" | "allOf" => {
                for (index, option) in inner.as_array().unwrap().iter().enumerate() {
                    unbounded(option, &format!("{at}/{key}/{index}"), found);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_request_field_and_parameter_states_its_limit() {
    let document = committed_document();
    let mut found = Vec::new();
    for name in request_schemas(&document) {
        unbounded(&document["components"]["schemas"][&name], &name, &mut found);
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let at = format!("{method} {path} {}", parameter["name"]);
                unbounded(&parameter["schema"], &at, &mut found);
            }
        }
    }
    assert!(found.is_empty(), "unbounded input:\n{}", found.join("\n"));
}

#[test]
fn the_spectral_ruleset_relaxes_input_limits_only_on_schemas_the_server_sends() {
    let ruleset = std::fs::read_to_string(workspace_root().join(".spectral.yaml")).unwrap();
    let document = committed_document();
    let requests = request_schemas(&document);
    let relaxed: Vec<&str> = ruleset
        .lines()
        .filter_map(|line| line.split("#/components/schemas/").nth(1))
        .map(|rest| rest.trim_end_matches('"'))
        .collect();
    assert!(relaxed.len() > 10, "{relaxed:?}");
    for name in relaxed {
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{name} is a schema of the document"
        );
        assert!(
            !requests.iter().any(|request| request == name),
            "{name} is sent by clients: state its limits instead of switching the rules off"
        );
    }
}

#[actix_web::test]
async fn a_cursor_longer_than_any_this_server_issues_is_refused() {
    let app = spawn_app().await;
    let cursor = "a".repeat(shared::MAX_CURSOR_CHARS + 1);
    let response = app.get_sessions(&[("cursor", &cursor)]).await;
    assert_problem(response, 400, "cursor: longer than 4096 characters").await;
}

#[actix_web::test]
async fn more_statuses_than_there_are_are_refused_even_as_repeats() {
    let app = spawn_app().await;
    let response = app
        .get_sessions(&[
            ("status", "Connected,Connected,Killed"),
            ("status", "Killed,Unknown"),
        ])
        .await;
    assert_problem(response, 400, "status: at most 4 values; 5 given").await;
    let page = app
        .sessions_page(&[
            ("status", "Connected,Connected"),
            ("status", "Killed,Unknown"),
        ])
        .await;
    assert!(page["items"].is_array(), "four, with repeats, are fine");
}

#[actix_web::test]
async fn audit_filters_past_their_limits_are_refused() {
    let app = spawn_app().await;
    let actor = "a".repeat(shared::MAX_AUDIT_ACTOR_CHARS + 1);
    let long_actor = app.get(&format!("/api/v1/audit?actor={actor}")).await;
    assert_problem(long_actor, 400, "actor: longer than 200 characters").await;
    for cursor in ["%2B5", "00000000000000000005"] {
        let response = app.get(&format!("/api/v1/audit?cursor={cursor}")).await;
        assert_problem(response, 400, "cursor").await;
    }
    let long_time = app
        .get("/api/v1/audit?from=2026-11-01T00:00:00.0000000000000000000000Z")
        .await;
    assert_problem(long_time, 400, "from: longer than 40 characters").await;
}

#[actix_web::test]
async fn export_days_and_time_zones_past_their_limits_are_refused() {
    let app = spawn_app().await;
    let zone = "E".repeat(65);
    let response = app
        .get_export(&[("from", "2026-01-01"), ("to", "2026-01-02"), ("tz", &zone)])
        .await;
    assert_problem(response, 400, "tz: longer than 64 characters").await;
    let response = app
        .get_export(&[("from", "02026-01-01"), ("to", "2026-01-02")])
        .await;
    assert_problem(response, 400, "from: longer than 10 characters").await;
}

#[actix_web::test]
async fn broker_ids_keys_and_times_past_their_limits_are_refused() {
    let app = spawn_app().await;
    let id = "b".repeat(shared::MAX_BROKER_ID_CHARS + 1);
    let heartbeat = post(
        &app,
        &[Scope::Broker],
        "/api/v1/broker/heartbeats",
        &json!({"broker_session_ids": ["fine", id]}),
    )
    .await;
    assert_problem(
        heartbeat,
        422,
        "broker_session_ids[1]: at most 200 characters",
    )
    .await;
    let end = post(
        &app,
        &[Scope::Broker],
        "/api/v1/broker/sessions/end",
        &json!({"sessions": [{"broker_session_id": id, "end_time": "2026-11-28T10:00:00Z"}]}),
    )
    .await;
    assert_problem(end, 422, "sessions[0].broker_session_id: at most 200").await;
    let key = "k".repeat(shared::MAX_IDEMPOTENCY_KEY_CHARS + 1);
    let ack = post(
        &app,
        &[Scope::Broker],
        "/api/v1/broker/kills/ack",
        &json!({"idempotency_keys": [key]}),
    )
    .await;
    assert_problem(ack, 422, "idempotency_keys[0]: at most 64 characters").await;
    let open = post(
        &app,
        &[Scope::Broker],
        "/api/v1/broker/sessions",
        &json!({"sessions": [{
            "broker_session_id": "brk-1", "name": "Zoë", "email": "zoe@example.com",
            "app_name": "GIMP", "host": "host-eu-1",
            "start_time": "2026-11-28T09:00:00.00000000000000000000000000Z",
        }]}),
    )
    .await;
    assert_problem(open, 400, "longer than 40 characters").await;
}

#[actix_web::test]
async fn a_token_asking_for_more_scopes_than_there_are_is_refused() {
    let app = spawn_app().await;
    let scopes = vec!["sessions:read"; Scope::COUNT + 1];
    let response = post(
        &app,
        &[Scope::Admin],
        "/api/v1/tokens",
        &json!({"name": "too many", "scopes": scopes}),
    )
    .await;
    assert_problem(response, 422, &format!("scopes: at most {}", Scope::COUNT)).await;
    let repeated = post(
        &app,
        &[Scope::Admin],
        "/api/v1/tokens",
        &json!({"name": "repeats", "scopes": ["sessions:read", "sessions:read"]}),
    )
    .await;
    assert_eq!(
        repeated.status(),
        201,
        "a repeat within the limit counts once"
    );
}
