use serde_json::{Value, json};

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

/// Every operation of the document, by operation id: its method, path template and description.
fn operation<'a>(document: &'a Value, id: &str) -> (reqwest::Method, &'a str, &'a Value) {
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, spec) in item.as_object().unwrap() {
            if spec["operationId"] == id {
                return (method.to_uppercase().parse().unwrap(), path, spec);
            }
        }
    }
    panic!("no operation {id}")
}

/// A link's runtime expression (or a body holding some) evaluated against a real answer's body.
fn evaluate(expression: &Value, answer: &Value) -> Value {
    match expression {
        Value::String(text) => match text.strip_prefix("$response.body#") {
            Some(pointer) => answer
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{pointer} is not in {answer}"))
                .clone(),
            None => expression.clone(),
        },
        Value::Array(items) => items.iter().map(|item| evaluate(item, answer)).collect(),
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| (key.clone(), evaluate(value, answer)))
            .collect(),
        other => other.clone(),
    }
}

/// Follows every link of `from`'s `status` answer, given that real answer; returns each target and its
/// status.
async fn follow_links(
    app: &crate::helpers::TestApp,
    client: &reqwest::Client,
    document: &Value,
    from: &str,
    status: &str,
    answer: &Value,
) -> Vec<(String, u16)> {
    let (_, _, spec) = operation(document, from);
    let links = spec["responses"][status]["links"].as_object().unwrap();
    let mut reached = Vec::new();
    for link in links.values() {
        let target = link["operationId"].as_str().unwrap();
        let (method, template, _) = operation(document, target);
        let mut path = template.to_owned();
        for (name, expression) in link["parameters"].as_object().into_iter().flatten() {
            let value = evaluate(expression, answer);
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            path = path.replace(&format!("{{{name}}}"), &text);
        }
        let mut request = client.request(method, app.url(&path));
        request = match link.get("requestBody") {
            Some(body) => request.json(&evaluate(body, answer)),
            // Operations whose body the link leaves to the client get one that changes little.
            None if target == "update_account" => request.json(&json!({"role": "viewer"})),
            None if target == "set_password" => {
                request.json(&json!({"password": "another long password"}))
            }
            None => request,
        };
        let response = request.send().await.unwrap();
        reached.push((target.to_owned(), response.status().as_u16()));
    }
    reached
}

#[actix_web::test]
async fn following_the_links_from_real_answers_reaches_real_resources() {
    use shared::Scope;
    let app = spawn_app().await;
    app.seed(5);
    let document = api::openapi::openapi();
    let document = serde_json::to_value(&document).unwrap();
    let client = app.client_with_token(&app.token("links", &[Scope::Admin, Scope::Broker]));
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let request = client.request(method, app.url(path));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            response.json::<Value>().await.unwrap()
        }
    };
    let mut reached = Vec::new();
    let page = send(
        reqwest::Method::GET,
        "/api/v1/sessions?status=Connected",
        None,
    )
    .await;
    reached.extend(follow_links(&app, &client, &document, "list_sessions", "200", &page).await);
    let token = send(
        reqwest::Method::POST,
        "/api/v1/tokens",
        Some(json!({"name": "to revoke", "scopes": ["sessions:read"]})),
    )
    .await;
    reached.extend(follow_links(&app, &client, &document, "create_token", "201", &token).await);
    let account = send(
        reqwest::Method::POST,
        "/api/v1/accounts",
        Some(
            json!({"username": "linked", "role": "operator", "password": "a long enough password"}),
        ),
    )
    .await;
    reached.extend(follow_links(&app, &client, &document, "create_account", "201", &account).await);
    let opened = send(
        reqwest::Method::POST,
        "/api/v1/broker/sessions",
        Some(json!({"sessions": [{
            "broker_session_id": "brk-linked", "name": "Zoë", "email": "zoe@example.com",
            "app_name": "GIMP", "host": "host-eu-1", "start_time": "2026-11-28T09:00:00Z",
        }]})),
    )
    .await;
    reached.extend(follow_links(&app, &client, &document, "open_sessions", "200", &opened).await);
    let targets: Vec<&str> = reached.iter().map(|(target, _)| target.as_str()).collect();
    for expected in [
        "get_session",
        "kill_session",
        "retry_kill_delivery",
        "revoke_token",
        "update_account",
        "set_password",
        "heartbeats",
        "end_sessions",
    ] {
        assert!(
            targets.contains(&expected),
            "a link leads to {expected}: {targets:?}"
        );
    }
    for (target, status) in reached {
        // 409: the resource was found but an earlier link changed it (a session already ended, a kill
        // delivery that did not fail). Without a broker a kill has no delivery to retry (404); that the
        // id names a real session, the links to get and kill show.
        let fine = (200..300).contains(&status)
            || status == 409
            || (target == "retry_kill_delivery" && status == 404);
        assert!(fine, "following the link to {target} answered {status}");
    }
}

#[test]
fn every_operation_that_can_fail_documents_500_and_every_401_names_its_scheme() {
    let document = serde_json::to_value(api::openapi::openapi()).unwrap();
    let mut checked = 0;
    for item in document["paths"].as_object().unwrap().values() {
        for (method, spec) in item.as_object().unwrap() {
            let responses = spec["responses"].as_object().unwrap();
            if !responses.keys().any(|status| status.as_str() >= "400") {
                continue;
            }
            checked += 1;
            let name = format!("{method} {}", spec["operationId"]);
            assert_eq!(
                responses["500"]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{name}"
            );
            if let Some(unauthorized) = responses.get("401") {
                assert_eq!(
                    unauthorized["headers"]["WWW-Authenticate"]["schema"]["enum"],
                    json!([api::error::WWW_AUTHENTICATE]),
                    "{name}"
                );
            }
            if let Some(busy) = responses.get("503") {
                assert_eq!(
                    busy["headers"]["Retry-After"]["schema"]["maximum"], 1,
                    "{name}"
                );
            }
            if let Some(limited) = responses.get("429") {
                assert!(limited["headers"]["Retry-After"].is_object(), "{name}");
            }
        }
    }
    assert!(checked >= 23, "{checked}");
}
