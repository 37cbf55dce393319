//! Two nodes on one database: what they must agree on lives in the database, not in a process.

use std::collections::BTreeMap;

use serde_json::json;

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
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("sessions.db");
    let no_flags: [&str; 0] = [];
    let nodes: Vec<Process> = (0..3)
        .map(|_| Process::spawn(&database, &no_flags, &[]))
        .collect();
    for node in &nodes {
        node.answers().await;
    }
    let pool = api::db::connect(database.to_str().unwrap(), 1).unwrap();
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
