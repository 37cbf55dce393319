//! Two nodes on one database: what they must agree on lives in the database, not in a process.

use std::collections::BTreeMap;

use serde_json::json;
use shared::Scope;

use crate::helpers::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_with};
use crate::process::Process;

/// A second server on the first one's database.
pub async fn second_node(first: &TestApp) -> TestApp {
    second_node_with(first, |_| {}).await
}

pub async fn second_node_with(
    first: &TestApp,
    adjust: impl FnOnce(&mut api::config::Settings),
) -> TestApp {
    let database = first.database.clone();
    spawn_app_with(move |settings| {
        adjust(settings);
        settings.database_url = database;
    })
    .await
}

async fn sign_in_status(node: &TestApp, password: &str) -> u16 {
    node.post_login(&node.anonymous(), "admin", password)
        .await
        .status()
        .as_u16()
}

#[actix_web::test]
async fn failed_sign_ins_through_one_node_throttle_the_other() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    for attempt in 0..5 {
        assert_eq!(
            sign_in_status(&a, "wrong password").await,
            401,
            "attempt {attempt}"
        );
    }
    assert_eq!(sign_in_status(&b, ADMIN_PASSWORD).await, 429);
    assert_eq!(sign_in_status(&a, ADMIN_PASSWORD).await, 429);
}

#[actix_web::test]
async fn a_sign_in_through_one_node_is_known_to_the_other() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let signed_in = a.sign_in("admin", ADMIN_PASSWORD).await;
    let me = signed_in
        .client
        .get(b.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let logout = signed_in
        .client
        .post(b.url("/api/v1/auth/logout"))
        .header(shared::CSRF_HEADER, &signed_in.csrf_token)
        .header("Origin", &b.address)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let after = signed_in
        .client
        .get(a.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "signed out through the other node");
}

/// Each attempt is counted before its password is checked, so guesses sent all at once cannot all pass
/// the check before the first failure is counted.
#[actix_web::test]
async fn parallel_wrong_passwords_get_at_most_the_allowed_failures_and_then_429() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let guesses = (0..16).map(|n| {
        let node = if n % 2 == 0 { &a } else { &b };
        async move {
            node.anonymous()
                .post(node.url("/api/v1/auth/login"))
                .json(&json!({ "username": "admin", "password": format!("guess {n}") }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    for status in futures_util::future::join_all(guesses).await {
        *answers.entry(status).or_default() += 1;
    }
    assert_eq!(answers, BTreeMap::from([(401, 5), (429, 11)]));
}

/// Real processes, since in one process the start-ups would not overlap.
#[actix_web::test]
async fn nodes_started_together_on_an_empty_database_all_serve_with_one_admin() {
    let database = crate::helpers::TestDatabase::new();
    let no_flags: [&str; 0] = [];
    let nodes: Vec<Process> = (0..3)
        .map(|_| Process::spawn(&database, &no_flags, &[]))
        .collect();
    for node in &nodes {
        node.answers().await;
    }
    let pool = api::db::connect(&database.url, 1).unwrap();
    let accounts = api::db::accounts::list_accounts(&mut pool.get().unwrap()).unwrap();
    let admins: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(admins, ["admin"]);
    for node in &nodes {
        let signed_in = node_sign_in(&node.base).await;
        assert_eq!(signed_in, 200, "{}", node.base);
    }
}

async fn node_sign_in(base: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": "admin", "password": crate::process::ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A session the broker reported, so that a kill of it also queues a delivery.
async fn reported_session(app: &TestApp) -> i64 {
    let broker = app.client_with_token(&app.token("platform-broker", &[shared::Scope::Broker]));
    let response = broker
        .post(app.url("/api/v1/broker/sessions"))
        .json(&json!({ "sessions": [{
            "broker_session_id": "race-1",
            "name": "Rita Race",
            "email": "rita@example.com",
            "app_name": "GIMP",
            "host": "host-eu-1",
            "start_time": "2026-11-28T09:00:00Z",
        }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["sessions"][0]["id"]
        .as_i64()
        .expect("the new session's id")
}

/// On PostgreSQL both transactions read the session as Connected (READ COMMITTED); the kill's
/// conditional update decides which one wins.
#[actix_web::test]
async fn racing_kills_of_one_session_through_two_nodes_kill_it_once() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let id = reported_session(&a).await;
    let kills = (0..40).map(|i| {
        let node = if i % 2 == 0 { &a } else { &b };
        node.post_kill(id)
    });
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    for response in futures_util::future::join_all(kills).await {
        *answers.entry(response.status().as_u16()).or_default() += 1;
    }
    assert_eq!(answers, BTreeMap::from([(200, 1), (409, 39)]));
    let successes = a
        .audit_of("sessions.kill")
        .into_iter()
        .filter(|row| row.outcome == "success")
        .count();
    assert_eq!(successes, 1, "one kill is recorded as done");
    let mut conn = a.pool().get().unwrap();
    let deliveries = api::db::deliveries::deliveries_of(&mut conn, &[id]).unwrap();
    assert_eq!(deliveries.len(), 1, "one delivery is queued");
}

/// Each disables the other at the same moment; on PostgreSQL both would see the other still enabled
/// unless account changes are taken one after the other.
#[actix_web::test]
async fn two_admins_disabling_each_other_at_once_leave_one_enabled() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    a.add_account("root2", shared::Role::Admin, "root2's long password");
    // Each acts with a token of its own, which stops working while its owner is disabled.
    let as_admin = a.client_with_token(&a.token_owned_by("admin-script", &[Scope::Admin], "admin"));
    let as_root2 = b.client_with_token(&b.token_owned_by("root2-script", &[Scope::Admin], "root2"));
    for round in 0..5 {
        let (first, second) = futures_util::future::join(
            disable(&as_root2, &b, "admin", true),
            disable(&as_admin, &a, "root2", true),
        )
        .await;
        // One wins; the other is refused as the last admin's disabling (409), or, when it arrives
        // after the winner committed, because its own token's owner is disabled now (401).
        let mut statuses = [first, second];
        statuses.sort_unstable();
        assert!(
            statuses[0] == 200 && [401, 409].contains(&statuses[1]),
            "round {round}: {statuses:?}"
        );
        let mut conn = a.pool().get().unwrap();
        assert!(api::db::accounts::has_enabled_admin(&mut conn).unwrap());
        drop(conn);
        // The one still enabled brings the other back.
        let (client, node, other) = if first == 200 {
            (&as_root2, &b, "admin")
        } else {
            (&as_admin, &a, "root2")
        };
        assert_eq!(disable(client, node, other, false).await, 200);
    }
}

async fn disable(client: &reqwest::Client, node: &TestApp, username: &str, disabled: bool) -> u16 {
    client
        .patch(node.url(&format!("/api/v1/accounts/{username}")))
        .json(&json!({ "disabled": disabled }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A broker that polls whichever node its load balancer picks gets each kill once, not once per node.
#[actix_web::test]
async fn a_kill_polled_through_one_node_is_not_listed_again_by_the_other() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let id = reported_session(&a).await;
    assert_eq!(a.post_kill(id).await.status(), 200);
    let broker = a.client_with_token(&a.token("poller", &[shared::Scope::Broker]));
    let poll = |node: &TestApp| broker.get(node.url("/api/v1/broker/kills")).send();
    let first: serde_json::Value = poll(&a).await.unwrap().json().await.unwrap();
    let second: serde_json::Value = poll(&b).await.unwrap().json().await.unwrap();
    let listed = |answer: &serde_json::Value| -> Vec<i64> {
        answer["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["session_id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(listed(&first), [id]);
    assert_eq!(listed(&second), Vec::<i64>::new());
}
