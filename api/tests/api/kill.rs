use serde_json::{Value, json};
use shared::SessionStatus::{self, Connected, Disconnected, Killed, Unknown};

use crate::helpers::{Fixture, TestApp, assert_problem, spawn_app};

fn session(status: SessionStatus) -> Fixture<'static> {
    let now = chrono::Utc::now().timestamp();
    let start = now - 3600;
    let end = (!status.is_killable()).then_some(start + 600);
    Fixture {
        name: "Joe Bloggs",
        email: "joe@example.com",
        app: "GIMP",
        start,
        end,
        status,
    }
}

async fn app_with(statuses: &[SessionStatus]) -> (TestApp, Vec<i64>) {
    let app = spawn_app().await;
    let fixtures: Vec<Fixture> = statuses.iter().map(|s| session(*s)).collect();
    let ids = app.insert(&fixtures);
    (app, ids)
}

async fn fetch(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/sessions/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

#[actix_web::test]
async fn killing_a_connected_session_ends_it_now() {
    let (app, ids) = app_with(&[Connected]).await;
    let before = chrono::Utc::now();
    let response = app.post_kill(ids[0]).await;
    assert_eq!(response.status(), 200);
    let killed: Value = response.json().await.unwrap();
    assert_eq!(killed["status"], "Killed");
    assert_eq!(killed["killable"], false);
    let end = chrono::DateTime::parse_from_rfc3339(killed["end_time"].as_str().unwrap()).unwrap();
    assert!(end.timestamp() >= before.timestamp() - 1);
    let duration = killed["duration_seconds"].as_i64().unwrap();
    assert!((3600..3660).contains(&duration), "{duration}");
    assert_eq!(fetch(&app, ids[0]).await, killed, "the kill is stored");

    let active = app.sessions_page(&[("status", "Connected")]).await;
    assert_eq!(active["total"], 0, "totals follow the kill");
    let killed_total = app.sessions_page(&[("status", "Killed")]).await;
    assert_eq!(killed_total["total"], 1);
}

#[actix_web::test]
async fn an_unknown_session_can_be_killed() {
    let (app, ids) = app_with(&[Unknown]).await;
    let response = app.post_kill(ids[0]).await;
    assert_eq!(response.status(), 200);
}

#[actix_web::test]
async fn ended_sessions_cannot_be_killed_and_stay_as_they_were() {
    let (app, ids) = app_with(&[Disconnected, Killed]).await;
    for (id, status) in ids.iter().zip(["Disconnected", "Killed"]) {
        let before = fetch(&app, *id).await;
        assert_problem(app.post_kill(id).await, 409, status).await;
        assert_eq!(fetch(&app, *id).await, before);
    }
}

#[actix_web::test]
async fn killing_twice_conflicts_the_second_time() {
    let (app, ids) = app_with(&[Connected]).await;
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    assert_problem(app.post_kill(ids[0]).await, 409, "Killed").await;
}

#[actix_web::test]
async fn killing_a_missing_session_is_not_found() {
    let app = spawn_app().await;
    assert_problem(app.post_kill(4242).await, 404, "4242").await;
}

#[actix_web::test]
async fn a_bulk_kill_reports_each_id() {
    let (app, ids) = app_with(&[Connected, Unknown, Disconnected, Killed, Connected]).await;
    let body = json!({"ids": [ids[4], ids[0], ids[1], ids[2], ids[3], 999_999, ids[0]]});
    let response = app.post_kill_many(&body).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["killed"], json!([ids[0], ids[1], ids[4]]));
    assert_eq!(
        result["skipped"],
        json!([{"id": ids[2], "status": "Disconnected"}, {"id": ids[3], "status": "Killed"}])
    );
    assert_eq!(result["not_found"], json!([999_999]));
    for id in [ids[0], ids[1], ids[4]] {
        assert_eq!(fetch(&app, id).await["status"], "Killed");
    }
    assert_eq!(fetch(&app, ids[2]).await["status"], "Disconnected");
}

#[actix_web::test]
async fn a_bulk_kill_takes_ten_thousand_ids_and_no_more() {
    let (app, ids) = app_with(&[Connected]).await;
    let mut many: Vec<i64> = (1_000_000..1_009_999).collect();
    many.push(ids[0]);
    let response = app.post_kill_many(&json!({ "ids": many })).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["killed"], json!([ids[0]]));
    assert_eq!(result["not_found"].as_array().unwrap().len(), 9_999);

    many.push(1);
    assert_problem(
        app.post_kill_many(&json!({ "ids": many })).await,
        422,
        "10000",
    )
    .await;
    assert_problem(
        app.post_kill_many(&json!({ "ids": [] })).await,
        422,
        "0 given",
    )
    .await;
}

#[actix_web::test]
async fn a_bulk_kill_with_a_broken_body_changes_nothing() {
    let (app, ids) = app_with(&[Connected]).await;
    let url = app.url("/api/v1/sessions/kill");
    let cases: [(&str, &str, u16, &str); 5] = [
        ("application/json", "{\"ids\": [1,", 400, "not valid"),
        ("application/json", "{\"ids\": [\"one\"]}", 400, "not valid"),
        (
            "application/json",
            "{\"ids\": [1], \"extra\": true}",
            400,
            "extra",
        ),
        ("application/json", "[1, 2]", 400, "not valid"),
        ("text/plain", "{\"ids\": [1]}", 415, "application/json"),
    ];
    for (content_type, body, status, mentions) in cases {
        let response = app
            .client
            .post(&url)
            .header("content-type", content_type)
            .body(body.replace('1', &ids[0].to_string()))
            .send()
            .await
            .unwrap();
        assert_problem(response, status, mentions).await;
    }
    assert_eq!(fetch(&app, ids[0]).await["status"], "Connected");
}
