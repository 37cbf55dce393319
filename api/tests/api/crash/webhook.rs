//! Drill: SIGKILL between a webhook send and the broker's answer. The kill stays pending in the outbox,
//! claimed by the dead server: once that claim runs out, the restarted server sends it again with the
//! same Idempotency-Key, and marks it delivered once.

use std::time::Duration;

use serde_json::Value;

use crate::delivery::restart::{open_one_and_kill_held, webhook};
use crate::delivery::test_broker::{SECRET, TestBroker};
use crate::delivery::{eventually, eventually_within};
use crate::helpers::{JsonAnswer, TestDatabase};
use crate::process::{Process, client_with_token, token};

#[actix_web::test]
async fn a_kill_in_flight_at_a_crash_is_sent_again_with_its_key_after_the_restart_and_delivered_once()
 {
    let database = TestDatabase::new();
    let admin = client_with_token(&token(&database, "admin"));
    let broker_client = client_with_token(&token(&database, "broker"));
    let broker = TestBroker::start_holding().await;
    let secret = [("SESSIONS_BROKER_SECRET", SECRET)];

    let first = Process::start(&database, &webhook(&broker), &secret).await;
    let id = open_one_and_kill_held(&first.base, &broker_client, &admin, &broker).await;
    let key = broker.keys()[0].clone();
    first.crash();

    broker.accept_from_now();
    let second = Process::start(&database, &webhook(&broker), &secret).await;
    let session_url = format!("{}/api/v1/sessions/{id}", second.base);
    let delivery = || async {
        let session: Value = admin.get(&session_url).json_answer().await;
        session["delivery"].clone()
    };
    assert_eq!(delivery().await["state"], "pending");
    // The dead server's claim lasts the send's time-out and 5 s more.
    eventually_within(Duration::from_secs(30), "the kill sent again", || async {
        broker.requests() == 2
    })
    .await;
    assert_eq!(
        broker.keys(),
        [key.clone(), key.clone()],
        "sent again with its key"
    );
    eventually("the kill carried out", || async {
        broker.applied().len() == 1
    })
    .await;
    assert_eq!(broker.applied()[0]["session_id"], id);
    eventually("the delivery recorded", || async {
        delivery().await["state"] == "delivered"
    })
    .await;
    let delivered = delivery().await;
    assert_eq!(delivered["attempts"], 1, "{delivered}");
    assert!(delivered["delivered_at"].is_string(), "{delivered}");
    // Nothing is sent again once delivered.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(broker.requests(), 2);
}
