//! The outbox survives the process: kills committed before a crash are delivered after the restart.

use std::time::Duration;

use serde_json::{Value, json};

use super::eventually;
use super::test_broker::{SECRET, TestBroker};
use crate::helpers::JsonAnswer;
use crate::process::{Process, client_with_token as client, token};

/// `serve`'s flags for delivering kills to `broker`.
pub fn webhook(broker: &TestBroker) -> [String; 4] {
    [
        "--broker-webhook".to_owned(),
        broker.url(),
        "--delivery-attempts".to_owned(),
        "100".to_owned(),
    ]
}

/// Opens one session through the broker API of the server at `base`, kills it as `admin`, and waits
/// until `broker` holds that kill's delivery unanswered; the session's id.
pub async fn open_one_and_kill_held(
    base: &str,
    broker_client: &reqwest::Client,
    admin: &reqwest::Client,
    broker: &TestBroker,
) -> i64 {
    let opened: Value = broker_client
        .post(format!("{base}/api/v1/broker/sessions"))
        .json(&json!({ "sessions": [{
            "broker_session_id": "brk-1", "name": "Joe Bloggs", "email": "joe@example.com",
            "app_name": "GIMP", "host": "h1", "start_time": "2026-11-28T09:00:00Z" }] }))
        .json_answer()
        .await;
    let id = opened["sessions"][0]["id"].as_i64().unwrap();
    let killed = admin
        .post(format!("{base}/api/v1/sessions/{id}/kill"))
        .send()
        .await
        .unwrap();
    assert_eq!(killed.status(), 200);
    eventually("the kill sent, and held unanswered", || async {
        broker.requests() == 1
    })
    .await;
    id
}

#[actix_web::test]
async fn kills_made_before_a_crash_are_delivered_once_each_after_the_restart() {
    let database = crate::helpers::TestDatabase::new();
    let (admin, broker_token) = (token(&database, "admin"), token(&database, "broker"));
    let broker = TestBroker::start(u32::MAX).await;

    let first = Process::start(
        &database,
        &webhook(&broker),
        &[("SESSIONS_BROKER_SECRET", SECRET)],
    )
    .await;
    let sessions: Vec<Value> = (0..3)
        .map(|n| {
            json!({ "broker_session_id": format!("brk-{n}"), "name": format!("User {n}"),
                    "email": format!("user{n}@example.com"), "app_name": "GIMP", "host": "h1",
                    "start_time": "2026-11-28T09:00:00Z" })
        })
        .collect();
    let opened: Value = client(&broker_token)
        .post(format!("{}/api/v1/broker/sessions", first.base))
        .json(&json!({ "sessions": sessions }))
        .json_answer()
        .await;
    let ids: Vec<i64> = opened["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let killed = client(&admin)
        .post(format!("{}/api/v1/sessions/kill", first.base))
        .json(&json!({ "ids": ids }))
        .send()
        .await
        .unwrap();
    assert_eq!(killed.status(), 200);
    eventually("a refused delivery attempt", || async {
        broker.requests() >= 1
    })
    .await;
    first.crash();
    assert!(broker.applied().is_empty());

    broker.accept_from_now();
    let second = Process::start(
        &database,
        &webhook(&broker),
        &[("SESSIONS_BROKER_SECRET", SECRET)],
    )
    .await;
    eventually("every kill carried out", || async {
        broker.applied().len() == 3
    })
    .await;
    let mut carried_out: Vec<i64> = broker
        .applied()
        .iter()
        .map(|o| o["session_id"].as_i64().unwrap())
        .collect();
    carried_out.sort();
    assert_eq!(
        carried_out, ids,
        "each session's kill carried out under exactly one key"
    );
    for id in &ids {
        let url = format!("{}/api/v1/sessions/{id}", second.base);
        eventually("the delivery recorded", || async {
            let session: Value = client(&admin).get(&url).json_answer().await;
            session["delivery"]["state"] == "delivered"
        })
        .await;
    }
    // Nothing is sent again once delivered.
    let requests = broker.requests();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(broker.requests(), requests);
}
