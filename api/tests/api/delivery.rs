//! Kills reaching the platform: a test broker (a real HTTP server) receives them.

pub mod restart;
pub mod test_broker;

use std::time::{Duration, Instant};

use api::dispatcher::Webhook;
use serde_json::{Value, json};
use shared::Scope;

use crate::helpers::JsonAnswer;
use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};
use test_broker::{SECRET, TestBroker};

/// Opens `count` sessions through the broker API and returns their console ids.
pub async fn open_sessions(app: &TestApp, broker_token: &str, count: usize) -> Vec<i64> {
    let sessions: Vec<Value> = (0..count)
        .map(|n| {
            json!({
                "broker_session_id": format!("brk-{n}"),
                "name": format!("User {n}"),
                "email": format!("user{n}@example.com"),
                "app_name": "GIMP",
                "host": format!("host-{}", n % 3),
                "start_time": "2026-11-28T09:00:00Z",
            })
        })
        .collect();
    let opened: Value = app
        .client_with_token(broker_token)
        .post(app.url("/api/v1/broker/sessions"))
        .json(&json!({ "sessions": sessions }))
        .json_answer()
        .await;
    opened["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

async fn delivery(app: &TestApp, id: i64) -> Value {
    app.session(id).await["delivery"].clone()
}

/// Polls until `done` holds, for at most 20 seconds.
pub async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    done: impl FnMut() -> F,
) {
    eventually_within(Duration::from_secs(20), what, done).await
}

/// Polls until `done` holds, for at most `limit`.
pub async fn eventually_within<F: std::future::Future<Output = bool>>(
    limit: Duration,
    what: &str,
    mut done: impl FnMut() -> F,
) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "gave up waiting for {what}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn app_delivering_to(broker: &TestBroker, max_attempts: u32) -> TestApp {
    let webhook = Webhook {
        url: broker.url().parse().unwrap(),
        secret: SECRET.to_owned(),
        max_attempts,
    };
    spawn_app_with(move |settings| settings.broker_webhook = Some(webhook)).await
}

#[actix_web::test]
async fn kills_reach_the_broker_signed_and_once_per_key_even_when_it_fails_at_first() {
    let broker = TestBroker::start(2).await;
    let app = app_delivering_to(&broker, 10).await;
    let token = app.token("platform-broker", &[Scope::Broker]);
    let ids = open_sessions(&app, &token, 4).await;

    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    let bulk = app
        .post_kill_many(&json!({ "ids": [ids[1], ids[2]] }))
        .await;
    assert_eq!(bulk.status(), 200);

    eventually("three kills applied", || async {
        broker.applied().len() == 3
    })
    .await;
    let applied = broker.applied();
    let mut sessions: Vec<i64> = applied
        .iter()
        .map(|order| order["session_id"].as_i64().unwrap())
        .collect();
    sessions.sort();
    assert_eq!(sessions, ids[..3]);
    assert_eq!(applied[0]["type"], "session.kill");
    assert_eq!(applied[0]["killed_by"], "token:test-suite");
    assert!(applied.iter().all(|order| {
        order["broker_session_id"]
            .as_str()
            .unwrap()
            .starts_with("brk-")
    }));
    assert!(broker.requests() >= 5, "two refused, then three accepted");
    assert_eq!(
        broker.bad_signatures(),
        0,
        "every request was signed with the shared secret"
    );

    for &id in &ids[..3] {
        eventually("the delivery to be recorded", || async {
            delivery(&app, id).await["state"] == "delivered"
        })
        .await;
    }
    assert_eq!(
        delivery(&app, ids[3]).await,
        Value::Null,
        "not killed, nothing to deliver"
    );
    let csv = app
        .get_export(&[("from", "2026-11-28"), ("to", "2026-11-28")])
        .await
        .text()
        .await
        .unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("killed_by,delivery_state,delivery_attempts,delivery_error"),
        "{header}"
    );
    assert_eq!(
        csv.lines()
            .filter(|line| line.contains(",token:test-suite,delivered,"))
            .count(),
        3,
        "{csv}"
    );
}

#[actix_web::test]
async fn a_delivery_fails_after_the_set_attempts_and_a_retry_delivers_it() {
    let broker = TestBroker::start(u32::MAX).await;
    let app = app_delivering_to(&broker, 2).await;
    let token = app.token("platform-broker", &[Scope::Broker]);
    let ids = open_sessions(&app, &token, 1).await;
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);

    eventually("the delivery to fail", || async {
        delivery(&app, ids[0]).await["state"] == "failed"
    })
    .await;
    let failed = delivery(&app, ids[0]).await;
    assert_eq!(failed["attempts"], 2);
    assert!(
        failed["last_error"].as_str().unwrap().contains("503"),
        "{failed}"
    );
    assert_eq!(broker.applied().len(), 0);

    let retry_url = app.url(&format!("/api/v1/sessions/{}/delivery/retry", ids[0]));
    broker.accept_from_now();
    let retried = app.client.post(&retry_url).send().await.unwrap();
    assert_eq!(retried.status(), 200);
    eventually("the retried kill applied", || async {
        broker.applied().len() == 1
    })
    .await;
    eventually("the delivery recorded", || async {
        delivery(&app, ids[0]).await["state"] == "delivered"
    })
    .await;
    let again = app.client.post(&retry_url).send().await.unwrap();
    assert_problem(again, 409, "delivered, not failed").await;
}

#[actix_web::test]
async fn without_a_webhook_the_broker_polls_for_kills_and_acknowledges_them() {
    let app = spawn_app().await;
    let token = app.token("platform-broker", &[Scope::Broker]);
    let broker = app.client_with_token(&token);
    let ids = open_sessions(&app, &token, 2).await;
    assert_eq!(app.post_kill(ids[1]).await.status(), 200);

    let pending: Value = broker
        .get(app.url("/api/v1/broker/kills"))
        .json_answer()
        .await;
    let items = pending["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["session_id"], ids[1]);
    assert_eq!(items[0]["broker_session_id"], "brk-1");
    assert_eq!(delivery(&app, ids[1]).await["state"], "pending");

    let key = items[0]["idempotency_key"].as_str().unwrap();
    let ack = json!({ "idempotency_keys": [key, "no-such-key"] });
    for _ in 0..2 {
        let answer: Value = broker
            .post(app.url("/api/v1/broker/kills/ack"))
            .json(&ack)
            .json_answer()
            .await;
        assert_eq!(
            answer,
            json!({ "acknowledged": [key], "unknown": ["no-such-key"] })
        );
    }
    let delivered = delivery(&app, ids[1]).await;
    assert_eq!(delivered["state"], "delivered");
    assert_eq!(
        delivered["attempts"], 1,
        "acknowledged twice, delivered once"
    );
    let left: Value = broker
        .get(app.url("/api/v1/broker/kills"))
        .json_answer()
        .await;
    assert_eq!(left["items"], json!([]));
}

#[actix_web::test]
async fn a_session_nobody_reported_is_killed_without_a_delivery() {
    let app = spawn_app().await;
    let ids = app.insert(&[crate::helpers::Fixture {
        name: "Joe",
        email: "joe@example.com",
        app: "GIMP",
        start: crate::helpers::now() - 60,
        end: None,
        status: shared::SessionStatus::Connected,
    }]);
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    assert_eq!(delivery(&app, ids[0]).await, Value::Null);
    let retry = app
        .client
        .post(app.url(&format!("/api/v1/sessions/{}/delivery/retry", ids[0])))
        .send()
        .await
        .unwrap();
    assert_problem(retry, 404, "no kill delivery").await;
}

#[actix_web::test]
async fn two_nodes_dispatching_deliver_each_kill_of_two_bulk_kills_once() {
    let broker = TestBroker::start(0).await;
    let a = app_delivering_to(&broker, 10).await;
    let webhook = Webhook {
        url: broker.url().parse().unwrap(),
        secret: SECRET.to_owned(),
        max_attempts: 10,
    };
    let b = crate::nodes::second_node_with(&a, move |settings| {
        settings.broker_webhook = Some(webhook);
    })
    .await;
    let token = a.token("platform-broker", &[Scope::Broker]);
    let ids = open_sessions(&a, &token, 50).await;
    // Each node wakes its own dispatcher with its kill, so both claim at the same moment.
    let (through_a, through_b) = futures_util::future::join(
        a.post_kill_many(&json!({ "ids": ids[..25] })),
        b.post_kill_many(&json!({ "ids": ids[25..] })),
    )
    .await;
    assert_eq!(through_a.status(), 200);
    assert_eq!(through_b.status(), 200);
    eventually("50 kills applied", || async {
        broker.applied().len() == 50
    })
    .await;
    // Both dispatchers look again every second; nothing may be sent twice meanwhile.
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(broker.requests(), 50, "one request per kill");
}

#[actix_web::test]
async fn a_retried_delivery_is_audited_with_who_retried_it() {
    let broker = TestBroker::start(u32::MAX).await;
    let app = app_delivering_once_to(broker.url()).await;
    let id = a_failed_delivery(&app).await.0;
    assert!(app.audit_of("sessions.delivery_retry").is_empty());

    let retry_url = app.url(&format!("/api/v1/sessions/{id}/delivery/retry"));
    assert_eq!(
        app.client.post(&retry_url).send().await.unwrap().status(),
        200
    );
    let entries = app.audit_of("sessions.delivery_retry");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "test-suite");
    assert_eq!(entries[0].outcome, "success");
    assert_eq!(crate::helpers::details(&entries[0])["session_id"], id);
}

/// A webhook whose deliveries all go to `url`, failing after one attempt.
async fn app_delivering_once_to(url: String) -> TestApp {
    let webhook = Webhook {
        url: url.parse().unwrap(),
        secret: SECRET.to_owned(),
        max_attempts: 1,
    };
    spawn_app_with(move |settings| settings.broker_webhook = Some(webhook)).await
}

/// A session killed whose delivery then failed, and the delivery.
async fn a_failed_delivery(app: &TestApp) -> (i64, Value) {
    let token = app.token("platform-broker", &[Scope::Broker]);
    let ids = open_sessions(app, &token, 1).await;
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    eventually("the delivery to fail", || async {
        delivery(app, ids[0]).await["state"] == "failed"
    })
    .await;
    (ids[0], delivery(app, ids[0]).await)
}

#[actix_web::test]
async fn a_redirect_is_a_failed_attempt_and_the_signed_kill_is_not_sent_on() {
    let broker = TestBroker::start(0).await;
    let app = app_delivering_once_to(broker.moved_url()).await;
    let (_, failed) = a_failed_delivery(&app).await;
    assert_eq!(
        failed["last_error"], "the broker answered 307 Temporary Redirect",
        "{failed}"
    );
    assert_eq!(
        broker.requests(),
        0,
        "nothing reached where the redirect pointed"
    );
}

#[actix_web::test]
async fn readers_see_the_status_of_a_refused_delivery_not_what_the_receiver_wrote() {
    let broker = TestBroker::start(u32::MAX).await;
    let app = app_delivering_once_to(broker.url()).await;
    let (_, failed) = a_failed_delivery(&app).await;
    assert_eq!(
        failed["last_error"], "the broker answered 503 Service Unavailable",
        "{failed}"
    );
}
