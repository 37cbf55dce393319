use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::Scope;

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

fn broker(app: &TestApp) -> reqwest::Client {
    app.client_with_token(&app.token("platform-broker", &[Scope::Broker]))
}

fn reported(broker_id: &str, name: &str) -> Value {
    json!({
        "broker_session_id": broker_id,
        "name": name,
        "email": format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        "app_name": "GIMP",
        "host": "host-eu-1",
        "start_time": "2026-11-28T09:00:00Z",
    })
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("the request is answered")
}

async fn open(client: &reqwest::Client, app: &TestApp, sessions: Vec<Value>) -> Value {
    let response = post(
        client,
        app,
        "/api/v1/broker/sessions",
        &json!({ "sessions": sessions }),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Polls the session until its status is `wanted`, for at most 10 seconds.
async fn wait_for_status(app: &TestApp, id: i64, wanted: &str) -> Duration {
    let started = Instant::now();
    loop {
        if app.session(id).await["status"] == wanted {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "session {id} never became {wanted}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_reported_session_is_listed_as_connected_with_the_console_id_answered() {
    let app = spawn_app().await;
    let client = broker(&app);
    let opened = open(
        &client,
        &app,
        vec![reported("b-1", "Joe Bloggs"), reported("b-2", "Ann Lee")],
    )
    .await;
    let sessions = opened["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["broker_session_id"], "b-1");
    assert_eq!(sessions[0]["created"], true);
    let id = sessions[0]["id"].as_i64().unwrap();
    let joe = app.session(id).await;
    assert_eq!(joe["name"], "Joe Bloggs");
    assert_eq!(joe["status"], "Connected");
    assert_eq!(joe["start_time"], "2026-11-28T09:00:00Z");
    assert_eq!(app.sessions_page(&[]).await["total"], 2);
}

#[actix_web::test]
async fn reporting_the_same_sessions_again_makes_nothing_new_even_when_retries_race() {
    let app = spawn_app().await;
    let client = broker(&app);
    let batch: Vec<Value> = (0..50)
        .map(|n| reported(&format!("b-{n}"), &format!("User {n}")))
        .collect();
    let body = json!({ "sessions": batch });
    let attempts = (0..8).map(|_| async {
        let response = post(&client, &app, "/api/v1/broker/sessions", &body).await;
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()
    });
    let answers: Vec<Value> = futures_util::future::join_all(attempts).await;
    let ids = |answer: &Value| -> Vec<i64> {
        answer["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect()
    };
    for answer in &answers {
        assert_eq!(
            ids(answer),
            ids(&answers[0]),
            "every attempt answers the same ids"
        );
    }
    let created: usize = answers
        .iter()
        .map(|a| {
            a["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["created"] == true)
                .count()
        })
        .sum();
    assert_eq!(
        created, 50,
        "each broker session was created by exactly one attempt"
    );
    assert_eq!(app.sessions_page(&[]).await["total"], 50);
}

#[actix_web::test]
async fn a_silent_session_turns_unknown_and_a_heartbeat_brings_it_back() {
    let app = spawn_app_with(|settings| settings.heartbeat_timeout = Duration::from_secs(1)).await;
    let client = broker(&app);
    let opened = open(&client, &app, vec![reported("b-1", "Joe Bloggs")]).await;
    let id = opened["sessions"][0]["id"].as_i64().unwrap();

    wait_for_status(&app, id, "Unknown").await;
    let beat = post(
        &client,
        &app,
        "/api/v1/broker/heartbeats",
        &json!({ "broker_session_ids": ["b-1", "b-404"] }),
    )
    .await;
    assert_eq!(beat.status(), 200);
    let beat: Value = beat.json().await.unwrap();
    assert_eq!(beat, json!({ "alive": 1, "not_active": ["b-404"] }));
    assert_eq!(app.session(id).await["status"], "Connected");
    // Silent again, it goes Unknown again; an Unknown session can be killed.
    wait_for_status(&app, id, "Unknown").await;
    assert_eq!(app.post_kill(id).await.status(), 200);
}

#[actix_web::test]
async fn sessions_that_keep_sending_heartbeats_stay_connected() {
    let app = spawn_app_with(|settings| settings.heartbeat_timeout = Duration::from_secs(2)).await;
    let client = broker(&app);
    let opened = open(&client, &app, vec![reported("b-1", "Joe Bloggs")]).await;
    let id = opened["sessions"][0]["id"].as_i64().unwrap();
    for _ in 0..8 {
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        post(
            &client,
            &app,
            "/api/v1/broker/heartbeats",
            &json!({ "broker_session_ids": ["b-1"] }),
        )
        .await;
        assert_eq!(app.session(id).await["status"], "Connected");
    }
}

#[actix_web::test]
async fn an_ended_session_is_disconnected_and_ending_it_again_changes_nothing() {
    let app = spawn_app().await;
    let client = broker(&app);
    let opened = open(
        &client,
        &app,
        vec![reported("b-1", "Joe Bloggs"), reported("b-2", "Ann Lee")],
    )
    .await;
    let (joe, ann) = (
        opened["sessions"][0]["id"].as_i64().unwrap(),
        opened["sessions"][1]["id"].as_i64().unwrap(),
    );
    assert_eq!(app.post_kill(ann).await.status(), 200);
    let body = json!({ "sessions": [
        { "broker_session_id": "b-1", "end_time": "2026-11-28T10:30:00Z" },
        { "broker_session_id": "b-2", "end_time": "2026-11-28T10:30:00Z" },
        { "broker_session_id": "b-404", "end_time": "2026-11-28T10:30:00Z" },
    ]});
    let ended: Value = post(&client, &app, "/api/v1/broker/sessions/end", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ended,
        json!({ "ended": ["b-1"], "already_ended": ["b-2"], "not_found": ["b-404"] })
    );
    let joe = app.session(joe).await;
    assert_eq!(joe["status"], "Disconnected");
    assert_eq!(joe["end_time"], "2026-11-28T10:30:00Z");
    assert_eq!(joe["duration_seconds"], 5400);
    assert_eq!(
        app.session(ann).await["status"],
        "Killed",
        "a kill is not overwritten"
    );

    let again: Value = post(&client, &app, "/api/v1/broker/sessions/end", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["already_ended"], json!(["b-1", "b-2"]));
}

#[actix_web::test]
async fn bad_reports_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let client = broker(&app);
    let mut blank_host = reported("b-1", "Joe Bloggs");
    blank_host["host"] = json!(" ");
    let too_many: Vec<Value> = (0..1001)
        .map(|n| reported(&format!("b-{n}"), "Joe Bloggs"))
        .collect();
    let cases = [
        (
            json!({ "sessions": [] }),
            422,
            "sessions: send from 1 to 1000",
        ),
        (json!({ "sessions": too_many }), 422, "1001 given"),
        (json!({ "sessions": [blank_host] }), 422, "sessions[0].host"),
        (
            json!({ "sessions": [{ "broker_session_id": "b-1" }] }),
            400,
            "missing field",
        ),
    ];
    for (body, status, mentions) in cases {
        assert_problem(
            post(&client, &app, "/api/v1/broker/sessions", &body).await,
            status,
            mentions,
        )
        .await;
    }
    assert_eq!(app.sessions_page(&[]).await["total"], 0);
}

#[actix_web::test]
async fn only_the_broker_scope_may_report_and_the_broker_token_may_not_read_or_kill() {
    let app = spawn_app().await;
    let reader = app.client_with_token(&app.token("reader", &[Scope::SessionsRead]));
    let body = json!({ "sessions": [reported("b-1", "Joe Bloggs")] });
    assert_problem(
        post(&reader, &app, "/api/v1/broker/sessions", &body).await,
        403,
        "broker",
    )
    .await;
    let client = broker(&app);
    let listed = client
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 403);
}

#[actix_web::test]
async fn an_admin_may_not_report_sessions_as_the_broker() {
    let app = spawn_app().await;
    let admin = app.client_with_token(&app.token("an-admin", &[Scope::Admin]));
    let body = json!({ "sessions": [reported("b-1", "Joe Bloggs")] });
    assert_problem(
        post(&admin, &app, "/api/v1/broker/sessions", &body).await,
        403,
        "broker",
    )
    .await;
    let signed_in = app.sign_in("admin", crate::helpers::ADMIN_PASSWORD).await;
    let ended = signed_in
        .client
        .post(app.url("/api/v1/broker/sessions/end"))
        .header(shared::CSRF_HEADER, &signed_in.csrf_token)
        .json(&json!({ "sessions": [{ "broker_session_id": "b-1", "end_time": "2026-11-28T10:00:00Z" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 403);
}
