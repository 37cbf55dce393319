use crate::helpers::{assert_problem, spawn_app};

#[actix_web::test]
async fn every_bad_list_parameter_is_a_400_naming_it() {
    let app = spawn_app().await;
    let long = "x".repeat(201);
    let cases: [(&str, &str, &str); 12] = [
        ("sort", "size", "sort: unknown sort key 'size'"),
        ("order", "up", "order"),
        ("field", "phone", "field"),
        ("limit", "0", "limit"),
        ("limit", "501", "limit"),
        ("limit", "ten", "limit"),
        ("limit", "-5", "limit"),
        ("status", "Gone", "status: unknown status 'Gone'"),
        ("status", "", "status"),
        ("cursor", "not-a-cursor", "cursor"),
        ("cursor", "eyJzIjoiaWQifQ", "cursor"),
        ("contains", &long, "contains"),
    ];
    for (name, value, mentions) in cases {
        assert_problem(app.get_sessions(&[(name, value)]).await, 400, mentions).await;
    }
}

#[actix_web::test]
async fn a_cursor_from_another_sort_is_refused() {
    let app = spawn_app().await;
    app.seed(60);
    let page = app.sessions_page(&[("sort", "name"), ("limit", "2")]).await;
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_problem(
        app.get_sessions(&[("sort", "email"), ("cursor", cursor)])
            .await,
        400,
        "sorted by name",
    )
    .await;
    assert_problem(
        app.get_sessions(&[("sort", "name"), ("order", "desc"), ("cursor", cursor)])
            .await,
        400,
        "cursor",
    )
    .await;
}

/// Cursors are opaque but not signed: one written by hand reaches the server as it was written.
fn forged_cursor(json: serde_json::Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}

#[actix_web::test]
async fn a_forged_duration_cursor_whose_numbers_overflow_is_a_400_not_a_crash() {
    let app = spawn_app().await;
    app.seed(5);
    for (key, as_of) in [(i64::MAX, i64::MIN), (i64::MIN, 0), (0, i64::MAX)] {
        let cursor = forged_cursor(
            serde_json::json!({"s": "duration", "o": "asc", "k": key, "i": 1, "t": as_of}),
        );
        assert_problem(
            app.get_sessions(&[("sort", "duration"), ("cursor", &cursor)])
                .await,
            400,
            "cursor: not a cursor this server issued",
        )
        .await;
    }
}

#[actix_web::test]
async fn a_forged_text_cursor_holding_a_nul_is_a_400() {
    let app = spawn_app().await;
    app.seed(5);
    let cursor = forged_cursor(serde_json::json!({"s": "name", "o": "asc", "k": "a\0b", "i": 1}));
    assert_problem(
        app.get_sessions(&[("sort", "name"), ("cursor", &cursor)])
            .await,
        400,
        "cursor",
    )
    .await;
}

/// PostgreSQL text holds no NUL, so a filter holding one would fail the query there (a 500) while
/// SQLite found nothing: both refuse it instead.
#[actix_web::test]
async fn a_text_filter_holding_a_nul_is_a_400_on_every_list() {
    let app = spawn_app().await;
    app.seed(5);
    let nul = "holds a NUL character";
    assert_problem(app.get("/api/v1/sessions?contains=a%00b").await, 400, nul).await;
    assert_problem(app.get("/api/v1/audit?actor=a%00b").await, 400, nul).await;
    assert_problem(
        app.get("/api/v1/sessions/export?from=2026-01-01&to=2026-01-02&contains=%00")
            .await,
        400,
        nul,
    )
    .await;
}

#[actix_web::test]
async fn an_id_that_is_not_a_number_is_a_400() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/sessions/abc").await,
        400,
        "'abc' is not a session id",
    )
    .await;
    assert_problem(app.post_kill("12abc").await, 400, "not a session id").await;
    assert_problem(
        app.post_kill("99999999999999999999").await,
        400,
        "not a session id",
    )
    .await;
    assert_problem(app.get("/api/v1/sessions/123456").await, 404, "123456").await;
}

#[actix_web::test]
async fn unknown_routes_and_methods_answer_problems() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/v1/nothing").await, 404, "/api/v1/nothing").await;
    assert_problem(app.get("/api/v2/sessions").await, 404, "/api/v2/sessions").await;
    let delete = app
        .client
        .delete(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.headers()["allow"], "GET");
    assert_problem(delete, 405, "DELETE is not allowed on /api/v1/sessions").await;
    let get_kill = app.get("/api/v1/sessions/1/kill").await;
    assert_eq!(get_kill.headers()["allow"], "POST");
    assert_problem(get_kill, 405, "GET").await;
    let post_export = app
        .client
        .post(app.url("/api/v1/sessions/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(post_export.headers()["allow"], "GET");
    assert_problem(post_export, 405, "POST").await;
    let options_kill = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/sessions/kill"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        options_kill.headers()["allow"],
        "POST",
        "a literal path wins over /sessions/{{id}}"
    );
    assert_problem(options_kill, 405, "OPTIONS").await;
    let get_bulk_kill = app.get("/api/v1/sessions/kill").await;
    assert_eq!(get_bulk_kill.headers()["allow"], "POST");
    assert_problem(
        get_bulk_kill,
        405,
        "GET is not allowed on /api/v1/sessions/kill",
    )
    .await;
    let post_health = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert_eq!(post_health.headers()["allow"], "GET");
    assert_problem(post_health, 405, "POST").await;
}

#[actix_web::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok"})
    );
}

#[actix_web::test]
async fn the_api_explorer_is_served_without_a_cdn() {
    let app = spawn_app().await;
    let page = app.get("/api/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the explorer must not load anything from the internet"
    );
    let config = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(config.contains("/openapi.json"), "{config}");
}

/// A NUL in a JSON body's text is refused with a 4xx on both backends (PostgreSQL text cannot hold one,
/// and would fail the statement): in the ids and keys a broker sends, and in a username tried at sign-in.
#[actix_web::test]
async fn a_nul_in_a_bodys_text_is_refused_not_a_crash() {
    let app = spawn_app().await;
    let broker = app.client_with_token(&app.token("platform-broker", &[shared::Scope::Broker]));
    let post = |path: &str, body: serde_json::Value| broker.post(app.url(path)).json(&body).send();
    let control = "without control characters";
    let heartbeat = post(
        "/api/v1/broker/heartbeats",
        serde_json::json!({ "broker_session_ids": ["a\u{0}b"] }),
    );
    assert_problem(heartbeat.await.unwrap(), 422, control).await;
    let end = post(
        "/api/v1/broker/sessions/end",
        serde_json::json!({ "sessions": [{ "broker_session_id": "a\u{0}b",
                                           "end_time": "2026-11-28T10:00:00Z" }] }),
    );
    assert_problem(end.await.unwrap(), 422, control).await;
    let ack = post(
        "/api/v1/broker/kills/ack",
        serde_json::json!({ "idempotency_keys": ["k\u{0}"] }),
    );
    assert_problem(ack.await.unwrap(), 422, control).await;

    let login = app
        .anonymous()
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "ad\u{0}min", "password": "whatever it is" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
}
